"""Calendar invitations that update in place (issue 19): every e-mailed .ics is an iTIP
message (RFC 5546) read the same by two independent parsers (icalendar and vobject):
REQUEST / CANCEL, the clinic as ORGANIZER, the runner as ATTENDEE, one UID per session, a
SEQUENCE that grows by one on each change, DTSTAMP, UTC times. The page's download stays a
plain PUBLISH."""

from datetime import timedelta

import pytest
import time_machine

from booking.engine.services import session_book, session_cancel, session_reschedule
from booking.models import Session
from booking.reminders import delivery
from devtools.factories import SessionFactory
from tests.booking.reminders.conftest import madrid
from tests.support.ical import parse_both

pytestmark = pytest.mark.django_db

MONDAY = madrid(2026, 11, 23, 9)


def _invitations(message) -> list[tuple[str, bytes, str]]:
    return [a for a in message.attachments if a[2].startswith("text/calendar")]


@pytest.fixture
def clinic_email(clinic):
    clinic.email = "hola@fisiorunning.test"
    clinic.save(update_fields=["email"])
    return clinic.email


@pytest.mark.parametrize(
    ("kind", "status", "method", "event_status"),
    [
        ("confirmation", Session.Status.BOOKED, "REQUEST", "CONFIRMED"),
        ("reschedule", Session.Status.BOOKED, "REQUEST", "CONFIRMED"),
        ("cancellation", Session.Status.CANCELLED, "CANCEL", "CANCELLED"),
        ("cancellation", Session.Status.LATE_CANCELLED, "CANCEL", "CANCELLED"),
    ],
)
def test_every_session_email_carries_an_itip_message(
    alice, therapist, clinic_email, mailoutbox, kind, status, method, event_status
):
    session = SessionFactory(runner=alice, therapist=therapist, status=status)
    assert delivery.send_session_email(session.pk, kind) == delivery.SENT
    (message,) = mailoutbox
    (attachment,) = _invitations(message)
    name, content, mimetype = attachment
    assert mimetype == f"text/calendar; method={method}"
    fields = parse_both(content)
    assert fields["method"] == method
    assert fields["status"] == event_status
    assert fields["organizer"] == f"mailto:{clinic_email}"
    assert fields["attendee"] == "mailto:alice@runners.test"
    assert fields["uid"].startswith(f"session-{session.pk}@")
    assert fields["start"] == session.start.replace(microsecond=0)
    assert fields["sequence"] == 0
    assert "CN=" in str(content).replace("\r\n ", "")


def test_the_organizer_falls_back_to_the_sender_address(alice, therapist, mailoutbox, settings):
    settings.DEFAULT_FROM_EMAIL = "Fisio Running <citas@fisiorunning.test>"
    therapist.clinic.email = ""
    therapist.clinic.save(update_fields=["email"])
    session = SessionFactory(runner=alice, therapist=therapist)
    delivery.send_session_email(session.pk, "confirmation")
    (message,) = mailoutbox
    (attachment,) = _invitations(message)
    assert parse_both(attachment[1])["organizer"] == "mailto:citas@fisiorunning.test"


def test_moved_twice_then_cancelled_is_one_event_with_sequence_0_1_2_3(
    alice, therapist, service, clinic_email, mailoutbox
):
    by = alice.user
    with time_machine.travel(MONDAY, tick=False):
        session = session_book(
            runner=alice,
            service=service,
            therapist=therapist,
            start=madrid(2026, 11, 25, 10),
            by=by,
        )
        assert delivery.send_session_email(session.pk, "confirmation") == delivery.SENT
        for day in (26, 27):
            session_reschedule(session=session, start=madrid(2026, 11, day, 10), by=by)
            assert delivery.send_session_email(session.pk, "reschedule") == delivery.SENT
        session_cancel(session=session, by=by)
        assert delivery.send_session_email(session.pk, "cancellation") == delivery.SENT
    assert len(mailoutbox) == 4
    parsed = [parse_both(_invitations(m)[0][1]) for m in mailoutbox]
    assert len({p["uid"] for p in parsed}) == 1
    assert [p["sequence"] for p in parsed] == [0, 1, 2, 3]
    assert [p["method"] for p in parsed] == ["REQUEST", "REQUEST", "REQUEST", "CANCEL"]
    assert [p["start"] for p in parsed] == [
        madrid(2026, 11, 25, 10),
        madrid(2026, 11, 26, 10),
        madrid(2026, 11, 27, 10),
        madrid(2026, 11, 27, 10),
    ]
    session.refresh_from_db()
    assert session.calendar_sequence == 3


def test_upcoming_sessions_carry_on_from_the_timestamp_sequence_they_were_sent_with(
    alice, therapist
):
    """Before issue 19 the SEQUENCE was the Unix time of the last change: calendars
    holding those events must still take the next update (migration 0003)."""
    import importlib

    from django.apps import apps
    from django.utils import timezone

    migration = importlib.import_module("booking.migrations.0003_session_calendar_sequence")
    upcoming = SessionFactory(
        runner=alice, therapist=therapist, start=timezone.now() + timedelta(days=3)
    )
    past = SessionFactory(
        runner=alice, therapist=therapist, start=timezone.now() - timedelta(days=3)
    )
    migration.carry_on_from_the_old_sequence(apps, None)
    upcoming.refresh_from_db()
    past.refresh_from_db()
    assert upcoming.calendar_sequence == int(upcoming.updated_at.timestamp())
    assert past.calendar_sequence == 0
    before = upcoming.calendar_sequence
    session_cancel(session=upcoming, by=alice.user)
    upcoming.refresh_from_db()
    assert upcoming.calendar_sequence == before + 1
