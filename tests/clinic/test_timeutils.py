"""clinic.timeutils: a clinic's local days as real instants, across DST."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from clinic.timeutils import local_date, local_day_bounds, local_midnight

MADRID = ZoneInfo("Europe/Madrid")


def test_the_local_day_of_an_instant_is_the_clinics_not_utcs():
    # 23:30 UTC on Saturday 28 March 2026 is already Sunday in Madrid.
    assert local_date(datetime(2026, 3, 28, 23, 30, tzinfo=UTC), MADRID) == date(2026, 3, 29)
    assert local_date(datetime(2026, 3, 28, 22, 59, tzinfo=UTC), MADRID) == date(2026, 3, 28)


def test_a_naive_instant_is_refused():
    with pytest.raises(ValueError):
        local_date(datetime(2026, 3, 28, 12, 0), MADRID)  # noqa: DTZ001


@pytest.mark.parametrize(
    ("day", "hours"),
    [(date(2026, 3, 29), 23), (date(2026, 10, 25), 25), (date(2026, 6, 1), 24)],
    ids=["spring-forward", "fall-back", "summer"],
)
def test_local_midnights_are_a_local_day_apart_in_real_hours(day, hours):
    start, end = local_midnight(day, MADRID), local_midnight(day + timedelta(days=1), MADRID)
    assert start.astimezone(MADRID).hour == 0
    assert end - start == timedelta(hours=hours)
    # The same day as the validator's bounds.
    assert local_day_bounds(MADRID, day, day) == (start, end)


def _rules(*spans, weekday=2, valid_from=None, valid_until=None):
    from clinic.timeutils import HoursRule

    return [
        HoursRule(weekday, time(a), time(b), valid_from=valid_from, valid_until=valid_until)
        for a, b in spans
    ]


def test_touching_hours_rows_are_one_stretch_a_session_may_span():
    from clinic.timeutils import within_working_hours

    wednesday = date(2026, 11, 18)
    hours = _rules((9, 14), (14, 20))
    start = datetime.combine(wednesday, time(13, 30), tzinfo=MADRID)
    assert within_working_hours(start, start + timedelta(hours=1), hours, MADRID)
    # With a real break in between it does not fit.
    broken = _rules((9, 14), (15, 20))
    assert not within_working_hours(start, start + timedelta(hours=1), broken, MADRID)


def test_hours_in_force_follow_the_valid_dates():
    from clinic.timeutils import hours_in_force

    old = _rules((9, 14), valid_until=date(2026, 11, 18))
    new = _rules((10, 12), (8, 9), valid_from=date(2026, 11, 18))
    assert hours_in_force(old + new, date(2026, 11, 11)) == old
    assert [h.start_time for h in hours_in_force(old + new, date(2026, 11, 18))] == [
        time(8),
        time(10),
    ]
    assert hours_in_force(old + new, date(2026, 11, 19)) == []  # a Thursday


def test_working_hours_are_local_wall_times_on_both_sides_of_dst():
    from clinic.timeutils import within_working_hours

    hours = _rules((9, 14), weekday=6)  # Sundays
    for day in (date(2026, 3, 29), date(2026, 10, 25), date(2026, 6, 7)):
        start = datetime.combine(day, time(9), tzinfo=MADRID).astimezone(UTC)
        assert within_working_hours(start, start + timedelta(hours=5), hours, MADRID)
        assert not within_working_hours(
            start - timedelta(minutes=1), start + timedelta(hours=1), hours, MADRID
        )


def test_the_week_plan_in_force_on_a_date_groups_each_weekdays_rows_in_order():
    from clinic.timeutils import HoursRule, week_plan

    change = date(2026, 12, 1)
    old = [
        HoursRule(0, time(15), time(20), valid_until=change),
        HoursRule(0, time(9), time(14), valid_until=change),
    ]
    new = [HoursRule(2, time(10), time(12), valid_from=change)]
    assert week_plan(old + new, date(2026, 11, 30)) == {0: [old[1], old[0]]}
    assert week_plan(old + new, change) == {2: new}
