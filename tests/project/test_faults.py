"""Faults: the database away gives a clean 503 (pages and API), errors on /api/ are JSON,
and /readyz reports the database and the broker separately.

The database is made unreachable for real: the connection is pointed at a closed port.
"""

from contextlib import contextmanager

import pytest
from django.db import connection

from booking.reminders import tasks
from tests.support.processes import closed_port


@contextmanager
def database_down():
    original = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict["HOST"] = "127.0.0.1"
    connection.settings_dict["PORT"] = closed_port()
    connection.settings_dict.setdefault("OPTIONS", {})
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(original)


pytestmark = pytest.mark.postgres


def test_api_answers_503_with_a_code_when_the_database_is_down(client, transactional_db):
    with database_down():
        response = client.get("/api/v1/clinics/")
    assert response.status_code == 503
    assert response.json()["code"] == "unavailable"
    assert response["Retry-After"]
    assert "Traceback" not in response.content.decode()


def test_pages_answer_503_with_a_sentence_when_the_database_is_down(client, transactional_db):
    with database_down():
        response = client.get("/")
    assert response.status_code == 503
    body = response.content.decode()
    assert "briefly unavailable" in body and "Traceback" not in body
    assert response["Retry-After"]


def test_signed_in_user_gets_503_when_the_database_fails_inside_middleware(
    quiet_client, alice, transactional_db
):
    client = quiet_client
    # Loading the user for the session happens in middleware, before any view.
    client.force_login(alice.user)
    with database_down():
        page = client.get("/")
        api = client.get("/api/v1/clinics/")
    assert page.status_code == 503 and "briefly unavailable" in page.content.decode()
    assert api.status_code == 503 and api.json()["code"] == "unavailable"


def test_the_app_recovers_by_itself_once_the_database_is_back(client, clinic, transactional_db):
    with database_down():
        assert client.get("/api/v1/clinics/").status_code == 503
    response = client.get("/api/v1/clinics/")
    assert response.status_code == 200
    assert clinic.name in response.content.decode()


@pytest.mark.urls("tests.support.urls")
def test_api_errors_are_json(db):
    from django.test import Client

    c = Client(raise_request_exception=False)
    missing = c.get("/api/v1/no-such-endpoint/")
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"
    broken = c.get("/api/v1/test-boom/")
    assert broken.status_code == 500
    assert broken.json() == {"code": "server_error", "detail": "Something went wrong on our side."}
    page = c.get("/test-boom/")
    assert page.status_code == 500 and "Something went wrong" in page.content.decode()
    assert "RuntimeError" not in page.content.decode()


def test_a_missing_page_is_html(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "text/html" in response["Content-Type"]


def test_readyz_ok(client, db):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok", "errors": {}}


def test_healthz_is_alive_even_with_both_dependencies_down(client, settings, transactional_db):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{closed_port()}/0"
    with database_down():
        assert client.get("/healthz").status_code == 200


@pytest.mark.redis
def test_readyz_reports_the_broker_down_on_its_own(client, settings, db):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{closed_port()}/0"
    response = client.get("/readyz")
    assert response.status_code == 503
    data = response.json()
    assert data["status"] == "unavailable"
    assert data["database"] == "ok"
    assert data["broker"] == "down"
    assert "ConnectionError" in data["errors"]["broker"]


def test_readyz_reports_the_database_down_on_its_own(client, transactional_db):
    with database_down():
        response = client.get("/readyz")
    assert response.status_code == 503
    data = response.json()
    assert data["database"] == "down" and data["broker"] == "ok"
    assert "OperationalError" in data["errors"]["database"]


def test_a_forged_session_cookie_is_ignored_not_a_500(quiet_client, db):
    quiet_client.cookies["sessionid"] = "abc\x00def"
    for url in ("/", "/api/v1/clinics/", "/api/v1/reports/attendance/"):
        response = quiet_client.get(url)
        assert response.status_code < 500, url


@contextmanager
def broker_down():
    """The Celery app's broker pointed at a closed port (its pools dropped), for real."""
    from clinic.celery import app

    saved = app.conf.broker_url, app.conf.broker_write_url
    app.conf.broker_url = app.conf.broker_write_url = f"redis://127.0.0.1:{closed_port()}/0"
    app.conf.broker_transport_options = {
        **app.conf.broker_transport_options,
        "max_retries": 1,
        "interval_start": 0,
    }
    app._pool = None
    app.amqp._producer_pool = None
    try:
        yield
    finally:
        app.conf.broker_url, app.conf.broker_write_url = saved
        app._pool = None
        app.amqp._producer_pool = None


@pytest.mark.redis
def test_with_the_broker_down_a_booking_stands_and_the_next_sweep_sends_its_email(
    clinic, service, therapist, alice, django_capture_on_commit_callbacks, mailoutbox
):
    from datetime import datetime, time, timedelta

    from django.utils import timezone
    from rest_framework.test import APIClient

    from booking.models import Reminder, Session

    day = timezone.now().astimezone(clinic.tz).date() + timedelta(days=8)
    while day.weekday() != 2:
        day += timedelta(days=1)
    start = datetime.combine(day, time(10), tzinfo=clinic.tz)
    api = APIClient()
    api.force_authenticate(alice.user)
    with broker_down(), django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            "/api/v1/sessions/",
            {"service": service.pk, "therapist": therapist.pk, "start": start.isoformat()},
            format="json",
        )
    assert response.status_code == 201, response.content
    session = Session.objects.get(pk=response.json()["id"])
    reminder = Reminder.objects.get(session=session, kind=Reminder.Kind.CONFIRMATION)
    assert reminder.state == Reminder.State.FAILED and reminder.attempts == 0
    assert "not queued" in reminder.last_error
    assert mailoutbox == []

    # Redis back: the next sweep (the appointment scan's, every 15 minutes) sends it, once.
    delivered = []

    def run_now(ids):
        delivered.extend(ids)
        tasks.deliver_reminders.apply(args=(ids,))

    assert tasks.run_sweep(enqueue=run_now) == 1
    assert delivered == [reminder.pk]
    assert [m.to for m in mailoutbox] == [[alice.user.email]]
    reminder.refresh_from_db()
    assert reminder.state == Reminder.State.SENT
    assert tasks.run_sweep(enqueue=run_now) == 0
    assert len(mailoutbox) == 1
