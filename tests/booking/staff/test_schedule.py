"""Working hours from a date, time off, and the booked sessions left in the way."""

from datetime import date, time

import pytest

from booking.staff.selectors import sessions_in_the_way
from clinic import services as schedule
from clinic.models import TimeOff, WorkingHours
from clinic.services import Interval, ScheduleError
from tests.booking.staff.conftest import at

pytestmark = pytest.mark.django_db

NOW = at(2026, 11, 16, 8)  # Monday


def test_overlapping_intervals_are_refused_with_a_clear_message(therapist):
    with pytest.raises(ScheduleError) as err:
        schedule.working_hours_replace(
            therapist=therapist,
            intervals=[Interval(0, time(9), time(14)), Interval(0, time(13), time(18))],
            valid_from=date(2026, 12, 1),
        )
    assert err.value.code == "hours_overlap"
    assert "Monday" in err.value.detail and "09:00–14:00" in err.value.detail
    # Refused: nothing changed.
    assert WorkingHours.objects.filter(therapist=therapist, valid_until__isnull=False).count() == 0


def test_end_before_start_is_refused(therapist):
    with pytest.raises(ScheduleError) as err:
        schedule.working_hours_replace(
            therapist=therapist,
            intervals=[Interval(2, time(18), time(9))],
            valid_from=date(2026, 12, 1),
        )
    assert err.value.code == "hours_end_before_start"


def test_touching_intervals_are_fine(therapist):
    rows = schedule.working_hours_replace(
        therapist=therapist,
        intervals=[Interval(0, time(9), time(14)), Interval(0, time(14), time(15))],
        valid_from=date(2026, 12, 1),
    )
    assert len(rows) == 2


def test_new_hours_apply_from_the_date_and_the_old_ones_explain_the_past(therapist):
    schedule.working_hours_replace(
        therapist=therapist,
        intervals=[Interval(1, time(8), time(12))],
        valid_from=date(2026, 12, 1),
    )
    before = schedule.hours_on(therapist=therapist, on=date(2026, 11, 30))
    after = schedule.hours_on(therapist=therapist, on=date(2026, 12, 1))
    assert len(before) == 10  # factory hours Mon-Fri, two intervals
    assert [(r.weekday, r.start_time, r.end_time) for r in after] == [(1, time(8), time(12))]
    # A second change from an earlier date replaces the later plan.
    schedule.working_hours_replace(
        therapist=therapist,
        intervals=[Interval(2, time(10), time(11))],
        valid_from=date(2026, 11, 20),
    )
    assert [r.weekday for r in schedule.hours_on(therapist=therapist, on=date(2026, 12, 5))] == [2]
    assert len(schedule.hours_on(therapist=therapist, on=date(2026, 11, 19))) == 10


@pytest.mark.clock(NOW)
def test_sessions_outside_new_hours_are_listed_not_dropped(therapist, make_session):
    tuesday_morning = make_session(at(2026, 12, 1, 10))  # Tue 10:00
    tuesday_evening = make_session(at(2026, 12, 1, 17))  # Tue 17:00
    before_change = make_session(at(2026, 11, 24, 17))  # before valid_from
    schedule.working_hours_replace(
        therapist=therapist,
        intervals=[Interval(1, time(8), time(12))],
        valid_from=date(2026, 12, 1),
    )
    found = sessions_in_the_way(therapist=therapist, since=at(2026, 12, 1, 0))
    assert [w.session.pk for w in found] == [tuesday_evening.pk]
    assert found[0].reason == "outside_hours"
    # Without `since`: from now; the old hours still cover the earlier session.
    assert {w.session.pk for w in sessions_in_the_way(therapist=therapist)} == {tuesday_evening.pk}
    for s in (tuesday_morning, tuesday_evening, before_change):
        s.refresh_from_db()
        assert s.status == "booked"


@pytest.mark.clock(NOW)
def test_time_off_lists_sessions_in_the_way(therapist, make_session):
    inside = make_session(at(2026, 11, 18, 10))
    outside = make_session(at(2026, 11, 19, 10))
    off = schedule.time_off_add(
        therapist=therapist, start=at(2026, 11, 18, 0), end=at(2026, 11, 19, 0), reason="Course"
    )
    found = sessions_in_the_way(therapist=therapist)
    assert [(w.session.pk, w.reason, w.time_off.pk) for w in found] == [
        (inside.pk, "time_off", off.pk)
    ]
    assert outside.pk not in [w.session.pk for w in found]
    schedule.time_off_remove(time_off=off)
    assert sessions_in_the_way(therapist=therapist) == []


def test_time_off_must_end_after_it_starts_and_not_overlap(therapist):
    with pytest.raises(ScheduleError) as err:
        schedule.time_off_add(
            therapist=therapist, start=at(2026, 11, 18, 12), end=at(2026, 11, 18, 9)
        )
    assert err.value.code == "time_off_end_before_start"
    schedule.time_off_add(therapist=therapist, start=at(2026, 11, 18, 9), end=at(2026, 11, 18, 12))
    with pytest.raises(ScheduleError) as err:
        schedule.time_off_add(
            therapist=therapist, start=at(2026, 11, 18, 11), end=at(2026, 11, 18, 13)
        )
    assert err.value.code == "time_off_overlap"
    assert TimeOff.objects.count() == 1


@pytest.mark.clock(at(2026, 3, 20, 8))
def test_hours_are_clinic_local_across_dst(therapist, make_session):
    # 29 March 2026: Madrid moves to summer time. 09:00 local is 07:00 UTC after, 08:00 before.
    before = make_session(at(2026, 3, 27, 9))  # Friday, CET
    after = make_session(at(2026, 3, 30, 9))  # Monday, CEST
    assert sessions_in_the_way(therapist=therapist) == []
    schedule.working_hours_replace(
        therapist=therapist,
        intervals=[Interval(d, time(10), time(14)) for d in range(5)],
        valid_from=date(2026, 3, 21),
    )
    assert {w.session.pk for w in sessions_in_the_way(therapist=therapist)} == {before.pk, after.pk}
