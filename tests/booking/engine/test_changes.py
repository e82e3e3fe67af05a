"""Cancel (in time / late at the boundary), reschedule (re-validated, history kept) and
the recurring plan."""

from datetime import UTC, date, datetime, timedelta

import pytest

from booking.engine import series, services
from booking.engine.codes import Code
from booking.engine.exceptions import BookingError
from booking.models import Session
from booking.reminders import tasks
from devtools.factories import RaceFactory, SessionFactory, TherapistFactory
from tests.booking.engine.conftest import MADRID, NOW, local

pytestmark = pytest.mark.django_db

WED_10 = local(2026, 12, 2, 10)


@pytest.fixture
def booked(alice, service, therapist):
    return services.session_book(
        runner=alice, service=service, therapist=therapist, start=WED_10, by=alice.user, now=NOW
    )


def test_cancel_exactly_at_the_window_is_in_time(booked, alice):
    at = booked.start - timedelta(hours=24)
    assert services.cancellation_outcome(booked, now=at) == Session.Status.CANCELLED
    session = services.session_cancel(session=booked, by=alice.user, now=at)
    assert session.status == Session.Status.CANCELLED and session.cancelled_at == at
    event = session.events.get(kind="cancelled")
    assert (event.from_status, event.to_status) == ("booked", "cancelled")


def test_cancel_a_minute_later_is_late(booked, alice):
    at = booked.start - timedelta(hours=24) + timedelta(minutes=1)
    assert services.cancellation_outcome(booked, now=at) == Session.Status.LATE_CANCELLED
    session = services.session_cancel(session=booked, by=alice.user, now=at)
    assert session.status == Session.Status.LATE_CANCELLED
    assert session.events.filter(kind="late_cancelled").exists()


def test_clinic_cancelling_is_never_late(booked, therapist):
    at = booked.start - timedelta(hours=1)
    session = services.session_cancel(session=booked, by=therapist.user, now=at)
    assert session.status == Session.Status.CANCELLED


def test_cancelled_session_is_not_cancellable_again(booked, alice):
    services.session_cancel(session=booked, by=alice.user, now=NOW)
    with pytest.raises(BookingError) as info:
        services.session_cancel(session=booked, by=alice.user, now=NOW)
    assert info.value.code == Code.NOT_CANCELLABLE


def test_past_or_attended_sessions_are_not_cancellable(booked, alice):
    with pytest.raises(BookingError) as info:
        services.session_cancel(session=booked, by=alice.user, now=booked.start)
    assert info.value.code == Code.NOT_CANCELLABLE
    Session.objects.filter(pk=booked.pk).update(status=Session.Status.ATTENDED)
    with pytest.raises(BookingError):
        services.session_cancel(session=booked, by=alice.user, now=NOW)


def test_cancel_frees_the_slot_and_mails_on_commit(
    booked, alice, bob, service, therapist, django_capture_on_commit_callbacks, monkeypatch
):
    sent = []

    monkeypatch.setattr(tasks.deliver_reminders, "delay", lambda ids: sent.extend(ids))
    with django_capture_on_commit_callbacks(execute=True):
        services.session_cancel(session=booked, by=alice.user, now=NOW)
    assert sent == list(booked.reminders.filter(kind="cancellation").values_list("pk", flat=True))
    assert len(sent) == 1
    assert services.session_book(
        runner=bob, service=service, therapist=therapist, start=WED_10, by=bob.user, now=NOW
    )


def test_reschedule_moves_the_same_row_and_keeps_history(booked, alice):
    new_start = local(2026, 12, 3, 16)
    moved = services.session_reschedule(session=booked, start=new_start, by=alice.user, now=NOW)
    assert moved.pk == booked.pk
    assert (moved.start, moved.end) == (new_start, new_start + timedelta(hours=1))
    event = moved.events.get(kind="rescheduled")
    assert (event.old_start, event.new_start) == (WED_10, new_start)
    assert booked.start == new_start  # the caller's object is refreshed too


def test_reschedule_within_its_own_time_does_not_conflict_with_itself(booked, alice):
    moved = services.session_reschedule(
        session=booked, start=WED_10 + timedelta(minutes=30), by=alice.user, now=NOW
    )
    assert moved.start == WED_10 + timedelta(minutes=30)


def test_reschedule_to_another_therapist(booked, alice, clinic):
    other = TherapistFactory(clinic=clinic)
    moved = services.session_reschedule(
        session=booked, start=WED_10, therapist=other, by=alice.user, now=NOW
    )
    assert moved.therapist_id == other.pk
    assert moved.events.get(kind="rescheduled").data["new_therapist"] == other.pk


def test_reschedule_is_revalidated(booked, alice, bob, service, therapist):
    SessionFactory(runner=bob, therapist=therapist, service=service, start=local(2026, 12, 3, 10))
    with pytest.raises(BookingError) as info:
        services.session_reschedule(
            session=booked, start=local(2026, 12, 3, 10, 30), by=alice.user, now=NOW
        )
    assert info.value.code == Code.SLOT_TAKEN and info.value.suggestions
    RaceFactory(
        runner=alice, name="Media", start=local(2026, 12, 5, 9), finish=local(2026, 12, 5, 11)
    )
    with pytest.raises(BookingError) as info:
        services.session_reschedule(
            session=booked, start=local(2026, 12, 4, 10), by=alice.user, now=NOW
        )
    assert info.value.code == Code.TOO_CLOSE_BEFORE_RACE
    booked.refresh_from_db()
    assert booked.start == WED_10 and not booked.events.filter(kind="rescheduled").exists()


def test_cancelled_session_cannot_be_moved(booked, alice):
    services.session_cancel(session=booked, by=alice.user, now=NOW)
    with pytest.raises(BookingError) as info:
        services.session_reschedule(
            session=booked, start=local(2026, 12, 3, 10), by=alice.user, now=NOW
        )
    assert info.value.code == Code.NOT_RESCHEDULABLE


def test_staff_may_move_into_a_race_window_with_a_reason(booked, alice, therapist):
    RaceFactory(runner=alice, start=local(2026, 12, 5, 9), finish=local(2026, 12, 5, 11))
    moved = services.session_reschedule(
        session=booked,
        start=local(2026, 12, 4, 10),
        by=therapist.user,
        now=NOW,
        override_reason="Short, light session",
    )
    assert moved.race_override_reason == "Short, light session"
    assert moved.events.filter(kind="override").exists()


def alices_series(alice, service, therapist, **overrides):
    """Alice's plan with the therapist: from WED_10 every 14 days, 6 times, booked at NOW."""
    kwargs = {"first_start": WED_10, "every_days": 14, "count": 6, "now": NOW, **overrides}
    return series.series_book(
        runner=alice, service=service, therapist=therapist, by=alice.user, **kwargs
    )


def test_series_books_every_occurrence_that_passes(alice, service, therapist):
    RaceFactory(
        runner=alice, name="Maratón", start=local(2027, 1, 14, 9), finish=local(2027, 1, 14, 13)
    )
    result = alices_series(alice, service, therapist)
    assert len(result.occurrences) == 6
    # 2 Dec, 16 Dec, 30 Dec, 13 Jan (the rest day before the Thursday marathon), 27 Jan,
    # 10 Feb
    refused = [(o.start.astimezone(MADRID).date(), o.error.code) for o in result.refused]
    assert refused == [(date(2027, 1, 13), Code.TOO_CLOSE_BEFORE_RACE)]
    assert "Maratón" in result.refused[0].error.detail
    assert len(result.booked) == 5
    assert all(o.start.astimezone(MADRID).hour == 10 for o in result.occurrences)


def test_series_all_or_nothing_books_none_on_a_refusal(alice, service, therapist):
    RaceFactory(runner=alice, start=local(2027, 1, 14, 9), finish=local(2027, 1, 14, 13))
    result = alices_series(alice, service, therapist, all_or_nothing=True)
    assert len(result.refused) == 1 and result.booked == []
    assert not Session.objects.exists()


def test_series_keeps_local_time_across_dst(alice, service, therapist):
    first = datetime(2027, 3, 10, 9, tzinfo=MADRID).astimezone(UTC)  # before the change
    result = alices_series(
        alice,
        service,
        therapist,
        first_start=first,
        every_days=30,
        count=2,
        now=datetime(2027, 3, 1, tzinfo=UTC),
    )
    assert [o.start.astimezone(MADRID).hour for o in result.occurrences] == [9, 9]
    assert len(result.booked) == 2


@pytest.mark.parametrize(("every", "count"), [(7, 3), (14, 0), (14, 7), (30, 10)])
def test_series_limits(alice, service, therapist, every, count):
    with pytest.raises(BookingError) as info:
        alices_series(alice, service, therapist, every_days=every, count=count)
    assert info.value.code == Code.INVALID
