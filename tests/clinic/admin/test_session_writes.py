"""The admin writes sessions through the booking services, like the API and the pages.

Adding books (history, confirmation e-mail queued on commit); moving reschedules;
cancelling and marking attendance go through their services; a refusal is the form's
error in the validator's words, also when PostgreSQL's exclusion constraint decides.
"""

import json
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import translation

from booking.engine import services
from booking.engine.codes import Code
from booking.engine.exceptions import MESSAGES
from booking.models import Reminder, Session, SessionEvent
from booking.reminders import tasks
from devtools.factories import RunnerFactory, SessionFactory

from .test_escalation import next_weekday_at, session_form

pytestmark = pytest.mark.django_db


def slot_taken(therapist) -> str:
    """The validator's sentence, in the pages' language (English for the test client)."""
    with translation.override("en"):
        return str(MESSAGES[Code.SLOT_TAKEN]) % {"therapist": therapist.display_name}


def add(client, runner, therapist, service, start):
    return client.post(
        reverse("admin:booking_session_add"), session_form(runner, therapist, service, start)
    )


def errors(response) -> list[str]:
    return [str(e) for e in response.context["adminform"].form.non_field_errors()]


def test_adding_a_session_books_it_with_history_and_a_queued_confirmation(
    as_persona, world, django_capture_on_commit_callbacks, monkeypatch
):
    queued = []
    monkeypatch.setattr(tasks.deliver_reminders, "delay", lambda ids: queued.extend(ids))
    a = world.a
    start = next_weekday_at(9)
    with django_capture_on_commit_callbacks(execute=True):
        response = add(as_persona("admin_a"), a.runner, a.therapist, a.service, start)
    assert response.status_code == 302, errors(response)
    session = Session.objects.get(runner=a.runner, start=start)
    assert session.clinic_id == a.clinic.pk and session.price == a.service.price
    booked = session.events.get()
    assert booked.kind == SessionEvent.Kind.BOOKED and booked.by == a.admin
    confirmation = session.reminders.get(kind=Reminder.Kind.CONFIRMATION)
    assert queued == [confirmation.pk]


def test_a_race_rule_is_a_form_error_unless_overridden_with_a_reason(as_persona, world):
    a = world.a
    start = next_weekday_at(9)
    a.race.start, a.race.finish = start + timedelta(days=1), start + timedelta(days=1, hours=1)
    a.race.save()
    client = as_persona("admin_a")
    response = add(client, a.runner, a.therapist, a.service, start)
    assert response.status_code == 200
    assert any("Too close to" in e for e in errors(response))
    data = session_form(a.runner, a.therapist, a.service, start)
    data["race_override_reason"] = "Agreed with the runner: light session"
    response = client.post(reverse("admin:booking_session_add"), data)
    assert response.status_code == 302
    session = Session.objects.get(runner=a.runner, start=start)
    assert session.race_override_by == a.admin
    assert session.events.filter(kind=SessionEvent.Kind.OVERRIDE).exists()


@pytest.mark.postgres
def test_an_overlap_is_a_form_error_in_the_validators_words(as_persona, world):
    a = world.a
    start = next_weekday_at(9)
    SessionFactory(runner=a.runner, therapist=a.therapist, service=a.service, start=start)
    other = RunnerFactory(clinic=a.clinic)
    response = add(
        as_persona("admin_a"), other, a.therapist, a.service, start + timedelta(minutes=30)
    )
    assert response.status_code == 200
    assert errors(response) == [slot_taken(a.therapist)]
    assert "Constraint" not in response.content.decode()
    assert not Session.objects.filter(runner=other).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_admin_bookings_one_wins_the_constraint_refuses_the_rest(world, monkeypatch):
    """Lock off, and every admin request passes the validator before any inserts: the
    exclusion constraint decides, and its refusal is a form error, never a 500."""
    a = world.a
    start = next_weekday_at(9)
    threads = 4
    runners = [RunnerFactory(clinic=a.clinic) for _ in range(threads)]
    monkeypatch.setattr(
        services,
        "lock_rows",
        lambda ids, runner_id: list(type(a.therapist).objects.filter(pk__in=ids)),
    )
    barrier = threading.Barrier(threads)
    original, seen = services._check, threading.local()

    def check_then_wait(**kwargs):
        found = original(**kwargs)
        seen.calls = getattr(seen, "calls", 0) + 1
        if seen.calls == 2:  # the service's own check (the form's was the first)
            barrier.wait(timeout=30)
        return found

    monkeypatch.setattr(services, "_check", check_then_wait)
    clients = []
    for _ in range(threads):
        client = Client(raise_request_exception=False)
        client.force_login(a.admin)
        clients.append(client)
    results: list = [None] * threads

    def post(i):
        try:
            results[i] = add(clients[i], runners[i], a.therapist, a.service, start)
        finally:
            connection.close()

    workers = [threading.Thread(target=post, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    codes = sorted(r.status_code for r in results)
    assert codes == [200] * (threads - 1) + [302]
    expected = slot_taken(a.therapist)
    for response in results:
        if response.status_code == 200:
            assert expected in response.content.decode()
    assert Session.objects.filter(therapist=a.therapist, start=start).count() == 1


def change(client, session, **fields):
    # A clinic's admin types the clinic's wall-clock time (clinic.admin_site).
    start = fields.pop("start", session.start).astimezone(session.clinic.tz)
    data = {
        "therapist": session.therapist_id,
        "start_0": start.strftime("%Y-%m-%d"),
        "start_1": start.strftime("%H:%M:%S"),
        "status": session.status,
        "areas_treated": json.dumps(session.areas_treated),
        # The page's hidden copy of a field whose default is callable (Django compares it).
        "initial-areas_treated": json.dumps(session.areas_treated),
        "mobilisation_done": "unknown",
        "therapist_note": "",
        "override_reason": "",
        **fields,
    }
    return client.post(reverse("admin:booking_session_change", args=[session.pk]), data)


def test_moving_a_session_reschedules_it(as_persona, world):
    a = world.a
    session = SessionFactory(
        runner=a.runner, therapist=a.therapist, service=a.service, start=next_weekday_at(9)
    )
    later = session.start + timedelta(hours=2)
    response = change(as_persona("admin_a"), session, start=later)
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.start == later and session.end == later + a.service.duration
    moved = session.events.get(kind=SessionEvent.Kind.RESCHEDULED)
    assert moved.by == a.admin and moved.new_start == later
    assert session.reminders.filter(kind=Reminder.Kind.RESCHEDULE).exists()


def test_moving_onto_a_taken_time_is_refused(as_persona, world):
    a = world.a
    start = next_weekday_at(9)
    SessionFactory(runner=a.runner, therapist=a.therapist, service=a.service, start=start)
    mine = SessionFactory(
        runner=RunnerFactory(clinic=a.clinic),
        therapist=a.therapist,
        service=a.service,
        start=start + timedelta(hours=2),
    )
    response = change(as_persona("admin_a"), mine, start=start)
    assert response.status_code == 200
    assert errors(response)[0] == slot_taken(a.therapist)
    mine.refresh_from_db()
    assert mine.start == start + timedelta(hours=2)


def test_cancelling_goes_through_the_cancel_service(as_persona, world):
    a = world.a
    response = change(as_persona("admin_a"), a.session, status="cancelled")
    assert response.status_code == 302
    a.session.refresh_from_db()
    assert a.session.status == Session.Status.CANCELLED and a.session.cancelled_at
    assert a.session.events.filter(kind=SessionEvent.Kind.CANCELLED, by=a.admin).exists()
    assert a.session.reminders.filter(kind=Reminder.Kind.CANCELLATION).exists()


def test_attendance_and_record_go_through_the_attendance_service(as_persona, world):
    a = world.a
    session = SessionFactory(
        runner=a.runner,
        therapist=a.therapist,
        service=a.service,
        start=next_weekday_at(9) - timedelta(days=14),
    )
    client = as_persona("admin_a")
    response = change(client, session, status="attended", areas_treated='{"calves": "left"}')
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.status == Session.Status.ATTENDED and session.areas_treated == {"calves": "left"}
    kinds = set(session.events.values_list("kind", flat=True))
    assert kinds == {SessionEvent.Kind.ATTENDED, SessionEvent.Kind.RECORD}
    # The service's rules hold: a mark is corrected on the session's day only.
    session.refresh_from_db()
    response = change(client, session, status="no_show")
    assert response.status_code == 200
    assert errors(response) == ["A mark can only be corrected on the day of the session."]
    session.refresh_from_db()
    assert session.status == Session.Status.ATTENDED


def test_a_session_cannot_be_deleted_in_the_admin(as_persona, world):
    session = world.a.session
    for persona in ("admin_a", "superuser"):
        client = as_persona(persona)
        address = reverse("admin:booking_session_delete", args=[session.pk])
        assert client.post(address, {"post": "yes"}).status_code == 403
    assert Session.objects.filter(pk=session.pk).exists()


# Runners and races: the runners' services.


def test_the_superuser_edits_races_and_profiles_through_the_runners_services(as_persona, world):
    client = as_persona("superuser")
    runner = world.a.runner
    start = next_weekday_at(8) + timedelta(days=30)
    race = {
        "runner": runner.pk,
        "name": "  Quokka half  ",
        "start_0": start.strftime("%Y-%m-%d"),
        "start_1": start.strftime("%H:%M:%S"),
        "finish_0": start.strftime("%Y-%m-%d"),
        "finish_1": (start + timedelta(hours=2)).strftime("%H:%M:%S"),
        "distance_km": "21.1",
        "priority": "A",
        "location": "",
    }
    response = client.post(reverse("admin:runners_race_add"), race)
    assert response.status_code == 302
    created = runner.races.get(name="Quokka half")
    response = client.post(
        reverse("admin:runners_race_change", args=[created.pk]), race | {"priority": "C"}
    )
    assert response.status_code == 302
    created.refresh_from_db()
    assert created.priority == "C" and created.runner == runner
    profile = {
        "phone": "600000000",
        "timezone": "Europe/Madrid",
        "cadence": "monthly",
        "reminders_opt_in": "on",
        "clinic": world.a.clinic.pk,
        "preferred_therapist": world.a.therapist.pk,
        "health_notes": runner.health_notes,
        "discomfort_areas": "[]",
        "initial-discomfort_areas": "[]",
        "races-TOTAL_FORMS": "1",
        "races-INITIAL_FORMS": "1",
        "races-MIN_NUM_FORMS": "0",
        "races-MAX_NUM_FORMS": "0",
        "races-0-id": world.a.race.pk,
        "races-0-runner": runner.pk,
    }
    response = client.post(reverse("admin:runners_runner_change", args=[runner.pk]), profile)
    assert response.status_code == 302
    runner.refresh_from_db()
    assert runner.cadence == "monthly" and runner.phone == "600000000"
