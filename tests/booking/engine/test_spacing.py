"""Spacing (issue 14): one unloading massage a day (`same_day`, staff may override with a
reason), a warning under the clinic's spacing (`too_soon_after_previous`, booked anyway),
and runners book on the slot grid only (`off_grid`; staff may book off it). Missed and
cancelled sessions never count."""

from datetime import timedelta

import pytest

from booking.engine import services
from booking.engine.codes import Code
from booking.models import Session
from devtools.factories import SessionFactory
from tests.booking.engine.conftest import NOW, local
from tests.booking.engine.test_refusals import book, refused

pytestmark = pytest.mark.django_db


def test_a_second_massage_on_the_same_local_day_is_refused(alice, service, therapist):
    book(alice, service, therapist, local(2026, 12, 2, 10))
    error = refused(Code.SAME_DAY, alice, service, therapist, local(2026, 12, 2, 17))
    assert "Wednesday 2 December" in error.detail and error.status_code == 400
    # Local days: 23:00 UTC on Wednesday is already Thursday in Madrid.
    assert book(alice, service, therapist, local(2026, 12, 3, 9))


def test_staff_may_book_a_second_one_with_a_reason(alice, service, therapist):
    book(alice, service, therapist, local(2026, 12, 2, 10))
    refused(Code.SAME_DAY, alice, service, therapist, local(2026, 12, 2, 17), by=therapist.user)
    session = book(
        alice,
        service,
        therapist,
        local(2026, 12, 2, 17),
        by=therapist.user,
        override_reason="Short back session after the legs",
    )
    assert session.events.get(kind="override").data["rules"] == [Code.SAME_DAY]


@pytest.mark.parametrize("status", [Session.Status.CANCELLED, Session.Status.NO_SHOW])
def test_cancelled_and_missed_sessions_do_not_count(alice, service, therapist, status):
    SessionFactory(
        runner=alice, therapist=therapist, service=service, start=local(2026, 12, 2, 10)
    ).__class__.objects.filter(runner=alice).update(status=status)
    session = book(alice, service, therapist, local(2026, 12, 2, 17))
    assert session.warnings == []


def test_under_seven_days_is_booked_with_a_warning(alice, service, therapist):
    first = book(alice, service, therapist, local(2026, 12, 2, 10))
    assert first.warnings == []
    second = book(alice, service, therapist, local(2026, 12, 8, 10))  # 6 days later
    assert [w["code"] for w in second.warnings] == [Code.TOO_SOON_AFTER_PREVIOUS]
    assert "Wednesday 2 December" in second.warnings[0]["detail"]
    assert "7 days" in second.warnings[0]["detail"]
    # 7 days after that one: nothing to say.
    assert book(alice, service, therapist, local(2026, 12, 15, 10)).warnings == []


def test_exactly_the_spacing_apart_says_nothing(alice, service, therapist, clinic):
    book(alice, service, therapist, local(2026, 12, 2, 10))
    assert book(alice, service, therapist, local(2026, 12, 9, 10)).warnings == []
    # An earlier booking before an existing one is warned too (two sessions 3 days apart).
    assert [w["code"] for w in book(alice, service, therapist, local(2026, 12, 14, 10)).warnings]
    clinic.min_days_between_sessions = 3
    clinic.save(update_fields=["min_days_between_sessions"])
    assert (
        services.session_warnings(
            runner=alice,
            service=service,
            therapist=therapist,
            start=local(2026, 12, 17, 10),
            now=NOW,
        )
        == []
    )


@pytest.mark.parametrize("offset", [timedelta(minutes=7), timedelta(seconds=33, microseconds=123)])
def test_runners_book_on_the_slot_grid_only(alice, service, therapist, offset):
    error = refused(Code.OFF_GRID, alice, service, therapist, local(2026, 12, 2, 10) + offset)
    assert "15 minutes" in error.detail
    assert error.suggestions


def test_staff_may_book_off_the_grid(alice, service, therapist):
    session = book(alice, service, therapist, local(2026, 12, 2, 10, 7), by=therapist.user)
    assert session.start == local(2026, 12, 2, 10, 7)


def test_suggestions_spread_over_days_and_name_the_refused_time(alice, service, therapist):
    from devtools.factories import RaceFactory
    from tests.booking.engine.conftest import MADRID

    RaceFactory(runner=alice, start=local(2026, 12, 7, 9), finish=local(2026, 12, 7, 10))
    asked = local(2026, 12, 7, 15, 45)
    error = refused(Code.TOO_SOON_AFTER_RACE, alice, service, therapist, asked)
    days = [s.start.astimezone(MADRID).date() for s in error.suggestions]
    assert len(days) == 3 and len(set(days)) == 3, days
    assert error.asked == asked
