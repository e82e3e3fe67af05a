"""The booking path's query budget (issue 18): one booking through the service in 7
statements (9 when there are race rules and races to read), end to end over HTTP (token,
JSON) in at most 10, with the locks, the re-check under them, the history and the queued
e-mail kept."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from booking.engine import services
from booking.engine.exceptions import IdempotencyKeyReused
from booking.models import Reminder, Session, SessionEvent
from clinic.models import RaceWindow, Service, Therapist
from clinic.tokens import token_create
from devtools.factories import RaceFactory
from tests.support.api_fixtures import NOW, local

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

WED_10 = local(2026, 12, 2, 10)  # Wednesday 10:00 in Madrid


def sent(ctx) -> list[str]:
    """The statements production sends. In a test the booking's transaction is a
    savepoint inside the test's own; as the outermost one it sends no SAVEPOINT/RELEASE
    (BEGIN and COMMIT are not statements Django captures either)."""
    return [
        q["sql"]
        for q in ctx.captured_queries
        if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))
    ]


def token_client(user) -> APIClient:
    """A client signed in with an API token that has been used this minute (its
    last use is recorded at most once a minute: clinic.tokens.token_touch)."""
    _token, key = token_create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/sessions/").status_code == 200
    return client


def _sql_kinds(statements):
    return [s.split()[0] for s in statements]


@pytest.mark.parametrize("with_races", [False, True])
def test_session_book_statements(
    alice, service, therapist, django_capture_on_commit_callbacks, with_races
):
    if with_races:
        RaceWindow.objects.create(clinic=service.clinic, rest_days_before=2)
        RaceFactory(runner=alice, start=local(2026, 12, 20, 9), finish=local(2026, 12, 20, 12))
    # As the API hands them over: the rows without their clinic.
    fresh_service = Service.objects.select_related("clinic").get(pk=service.pk)
    fresh_therapist = Therapist.objects.get(pk=therapist.pk)
    with CaptureQueriesContext(connection) as ctx, django_capture_on_commit_callbacks() as queued:
        session = services.session_book(
            runner=alice,
            service=fresh_service,
            therapist=fresh_therapist,
            start=WED_10,
            by=alice.user,
            idempotency_key="one-booking",
            now=NOW,
        )
    statements = sent(ctx)
    # The lock (runner, then therapist with its clinic), hours, time off + sessions,
    # [race windows, races], the session, its history, its e-mail's row, and the runner's
    # waitlist entries for that day left (booking.engine.waitlist).
    assert len(statements) == (9 if with_races else 7), "\n".join(statements)
    assert "FOR UPDATE" in statements[0] and "lock_timeout" in statements[0]
    assert _sql_kinds(statements).count("INSERT") == 3
    assert SessionEvent.objects.get(session=session).kind == SessionEvent.Kind.BOOKED
    assert Reminder.objects.get(session=session).kind == Reminder.Kind.CONFIRMATION
    assert len(queued) == 2  # the e-mail handed to the worker, the cache dropped


def test_a_booking_over_http_in_at_most_10_statements(
    alice, service, therapist, django_capture_on_commit_callbacks
):
    client = token_client(alice.user)
    payload = {"service": service.pk, "therapist": therapist.pk, "start": WED_10.isoformat()}
    with CaptureQueriesContext(connection) as ctx, django_capture_on_commit_callbacks() as queued:
        r = client.post("/api/v1/sessions/", payload, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert r.status_code == 201, r.content
    statements = sent(ctx)
    # Token with its user and runner, service, therapist, then the service's six.
    assert len(statements) <= 10, "\n".join(statements)
    body = r.json()
    session = Session.objects.get(pk=body["id"])
    assert session.runner == alice and session.start == WED_10
    assert body["start"] == "2026-12-02T10:00:00+01:00"
    assert body["clinic"]["timezone"] == "Europe/Madrid"
    assert body["runner"] == {"id": alice.pk, "name": "Alice Runner"}
    assert body["race_conflicts"] == [] and body["cancel_outcome"] == "cancelled"
    assert Reminder.objects.filter(session=session, kind=Reminder.Kind.CONFIRMATION).exists()
    assert len(queued) == 2

    # The same request again: the same session, in a few more statements (refusal path).
    again = client.post("/api/v1/sessions/", payload, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert again.status_code == 201 and again.json()["id"] == session.pk
    assert again.headers["Idempotent-Replayed"] == "true"
    assert Session.objects.filter(runner=alice).count() == 1


def test_a_retry_after_its_session_was_cancelled_is_still_a_replay(alice, service, therapist):
    """The key is looked up on refusals, and on the unique key's violation when the
    earlier session no longer holds the time."""
    first = services.session_book(
        runner=alice,
        service=service,
        therapist=therapist,
        start=WED_10,
        by=alice.user,
        idempotency_key="k-2",
        now=NOW,
    )
    services.session_cancel(session=first, by=alice.user, now=NOW)
    again = services.session_book(
        runner=alice,
        service=service,
        therapist=therapist,
        start=WED_10,
        by=alice.user,
        idempotency_key="k-2",
        now=NOW,
    )
    assert again.pk == first.pk and again.replayed
    assert Session.objects.filter(runner=alice).count() == 1


def test_a_booking_the_next_day_is_not_a_replay(alice, service, therapist):
    services.session_book(
        runner=alice,
        service=service,
        therapist=therapist,
        start=WED_10,
        by=alice.user,
        idempotency_key="k-3",
        now=NOW,
    )
    with pytest.raises(IdempotencyKeyReused):
        services.session_book(
            runner=alice,
            service=service,
            therapist=therapist,
            start=WED_10 + timedelta(days=1),
            by=alice.user,
            idempotency_key="k-3",
            now=NOW,
        )
