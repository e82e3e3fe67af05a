"""booking.engine.cadence: one definition of "due" for the reminders, the ideal marks and
the adherence report."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from booking.engine import cadence
from runners.models import CADENCE_DAYS

MADRID = ZoneInfo("Europe/Madrid")


@pytest.mark.parametrize("days", sorted(set(CADENCE_DAYS.values())))
def test_the_query_threshold_and_is_due_agree_on_every_day(days):
    today = date(2026, 11, 26)
    threshold = cadence.counting_since(today, days)
    until = cadence.counting_until(today, days)
    for back in range(-3 * days, 3 * days):
        last_day = today - timedelta(days=back)
        # what the set-based scan asks: nothing counting in [threshold, until)
        nothing_within = not (threshold <= last_day < until)
        assert cadence.is_due(last_day=last_day, today=today, days=days) is nothing_within
    assert cadence.is_due(last_day=None, today=today, days=days)


def test_only_a_session_within_the_cadence_keeps_the_reminder_away():
    today = date(2026, 11, 26)
    # Booked 13 days ahead on a fortnightly cadence: not due; 14 or 60 days ahead: due.
    assert not cadence.is_due(last_day=today + timedelta(days=13), today=today, days=14)
    assert cadence.is_due(last_day=today + timedelta(days=14), today=today, days=14)
    assert cadence.is_due(last_day=today + timedelta(days=60), today=today, days=14)


def test_due_exactly_a_cadence_of_local_days_after_the_last_session():
    assert cadence.due_day(date(2026, 11, 12), 14) == date(2026, 11, 26)
    assert cadence.is_due(last_day=date(2026, 11, 12), today=date(2026, 11, 26), days=14)
    assert not cadence.is_due(last_day=date(2026, 11, 13), today=date(2026, 11, 26), days=14)


def _at(day, hh=10):
    return datetime.combine(day, time(hh), tzinfo=MADRID)


def test_the_ideal_window_opens_two_days_before_the_due_day_for_a_week():
    last = _at(date(2026, 11, 23))
    now = _at(date(2026, 11, 25), 8)

    def ideal(day, hh=10):
        return cadence.is_ideal(
            _at(day, hh), cadence_days=14, runner_sessions=[last], now=now, tz=MADRID
        )

    assert not ideal(date(2026, 12, 4), 23)
    assert ideal(date(2026, 12, 5), 0)  # due 7 Dec, two days early
    assert ideal(date(2026, 12, 11), 23)
    assert not ideal(date(2026, 12, 12), 0)
    assert not cadence.is_ideal(
        _at(date(2026, 12, 6)), cadence_days=None, runner_sessions=[last], now=now, tz=MADRID
    )


def test_the_ideal_window_counts_local_days_across_the_dst_change():
    # Last session Saturday 17 Oct 2026, 23:30 in Madrid (21:30 UTC); clocks go back on
    # 25 Oct. The window opens at local midnight of 29 Oct (due 31 Oct less two days).
    last = datetime(2026, 10, 17, 21, 30, tzinfo=UTC)
    now = datetime(2026, 10, 20, tzinfo=UTC)
    opens = datetime(2026, 10, 29, tzinfo=MADRID)
    args = {"cadence_days": 14, "runner_sessions": [last], "now": now, "tz": MADRID}
    assert cadence.is_ideal(opens, **args)
    assert not cadence.is_ideal(opens - timedelta(minutes=1), **args)


def test_a_session_booked_soon_after_makes_a_slot_not_ideal():
    now = _at(date(2026, 11, 25), 8)
    following = _at(date(2026, 12, 1))
    assert not cadence.is_ideal(
        _at(date(2026, 11, 26)), cadence_days=14, runner_sessions=[following], now=now, tz=MADRID
    )
    assert cadence.is_ideal(
        _at(date(2026, 11, 26)), cadence_days=5, runner_sessions=[following], now=now, tz=MADRID
    )
