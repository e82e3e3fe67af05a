"""clinic.policy: the one answer to "when does a race forbid a massage", in days of the
race's own calendar (docs/race-rules.md), at its edges in the clinic's and the race's
zones, across DST weekends, for multi-day races."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from clinic.policy import DEFAULT_RACE_RULES, Policy

MADRID = ZoneInfo("Europe/Madrid")
NEW_YORK = ZoneInfo("America/New_York")
START = datetime(2026, 3, 15, 8, 30, tzinfo=UTC)  # Sunday 15 March, 09:30 in Madrid


@dataclass(frozen=True)
class Race:
    start: datetime
    finish: datetime
    distance_km: Decimal | None = None
    priority: str = "B"
    timezone: str = ""


def policy(*rules, rest_days=1, after_hours=6, days_after=0):
    clinic = SimpleNamespace(
        timezone="Europe/Madrid",
        min_notice_minutes=60,
        max_days_ahead=60,
        buffer_minutes=0,
        slot_step_minutes=15,
        after_race_hours=after_hours,
        rest_days_before_race=rest_days,
        days_after_race=days_after,
        min_days_between_sessions=7,
        after_training_hours=6,
        demanding_rpe=7,
        demanding_ratio_percent=150,
        demanding_minutes=90,
        demanding_km=18,
    )
    return Policy.from_clinic(
        clinic,
        [
            SimpleNamespace(
                rest_days_before=r, days_after=d, after_race_hours=h, min_distance_km=km, priority=p
            )
            for r, d, h, km, p in rules
        ],
    )


def madrid(*args):
    return datetime(*args, tzinfo=MADRID).astimezone(UTC)


def test_the_clinic_default_one_rest_day_before_and_hours_after():
    window = policy().forbidden_window(Race(START, START + timedelta(hours=2)))
    assert (window.rest_days_before, window.after_hours, window.days_after) == (1, 6, 0)
    # Sunday race: Saturday is the rest day, from its first minute; Friday is the last day.
    assert window.starts == madrid(2026, 3, 14, 0, 0)
    assert window.last_day == date(2026, 3, 13)
    assert window.race_start == START
    assert window.ends == START + timedelta(hours=8)
    # The day after the finish is the one the articles recommend.
    assert window.ideal_day == date(2026, 3, 16)


def test_the_articles_pattern_friday_evening_is_fine_saturday_is_not():
    window = policy().forbidden_window(Race(START, START + timedelta(hours=2)))
    friday_late = madrid(2026, 3, 13, 23, 0)
    assert friday_late + timedelta(hours=1) <= window.starts  # ends at midnight: fine
    assert madrid(2026, 3, 14, 7, 0) >= window.starts  # Saturday morning: in the window


def test_days_after_open_from_local_midnight_and_the_hours_still_hold():
    late_finish = Race(madrid(2026, 3, 15, 21, 0), madrid(2026, 3, 15, 23, 30))
    window = policy(days_after=1).forbidden_window(late_finish)
    # The next day would be 00:00, but 6 h after a 23:30 finish is later: 05:30.
    assert window.ends == madrid(2026, 3, 16, 5, 30)
    early = policy(days_after=1).forbidden_window(Race(START, START + timedelta(hours=2)))
    assert early.ends == madrid(2026, 3, 16, 0, 0)


def test_the_most_specific_rule_wins_and_may_narrow_the_default():
    p = policy(
        (4, 3, 6, Decimal("42"), ""),
        (2, 2, 6, Decimal("21"), ""),
        (2, 2, 6, None, "A"),
        (0, 0, 3, None, "C"),
        (2, 1, 6, Decimal("42"), "C"),
    )
    marathon = Race(START, START + timedelta(hours=4), Decimal("42.195"), "A")
    assert p.forbidden_window(marathon).rest_days_before == 4  # distance beats priority
    half = Race(START, START + timedelta(hours=2), Decimal("21.098"), "B")
    assert (p.forbidden_window(half).rest_days_before, p.forbidden_window(half).days_after) == (
        2,
        2,
    )
    c_10k = Race(START, START + timedelta(hours=1), Decimal("10"), "C")
    narrow = p.forbidden_window(c_10k)
    # Narrower than the default: no rest day, 3 h after.
    assert (narrow.rest_days_before, narrow.after_hours) == (0, 3)
    assert narrow.starts == madrid(2026, 3, 15, 0, 0)  # never on race day itself
    c_marathon = Race(START, START + timedelta(hours=4), Decimal("42.195"), "C")
    assert p.forbidden_window(c_marathon).rest_days_before == 2  # both conditions
    # No rule matches a B 10K: the clinic default.
    b_10k = Race(START, START + timedelta(hours=1), Decimal("10"))
    assert p.forbidden_window(b_10k) == policy().forbidden_window(b_10k)


def test_the_seeded_starting_points():
    p = policy(*((r, d, h, km, pr) for km, pr, r, d, h in DEFAULT_RACE_RULES))

    def figures(km, priority="B"):
        w = p.forbidden_window(Race(START, START + timedelta(hours=2), Decimal(km), priority))
        return w.rest_days_before, w.days_after

    assert figures("3") == (1, 0)  # under 5 km: the clinic default
    assert figures("5") == figures("10") == (1, 1)
    assert figures("21.098") == (2, 2)
    assert figures("42.195") == (4, 3)
    assert figures("100") == (5, 5)
    assert figures("21.098", "C") == (1, 1)  # C races lighter
    assert figures("42.195", "C") == (2, 2)


def test_a_sunday_race_in_new_york_counts_new_yorks_days():
    # Sunday 1 Nov 2026, 09:10 in New York (the marathon), 15:10 in Madrid.
    start = datetime(2026, 11, 1, 9, 10, tzinfo=NEW_YORK)
    race = Race(start, start + timedelta(hours=5), Decimal("42.195"), "A", "America/New_York")
    window = policy().forbidden_window(race)
    # The rest day is New York's Saturday: from its midnight, 05:00 in Madrid (CET).
    assert window.starts == datetime(2026, 10, 31, 0, 0, tzinfo=NEW_YORK)
    assert window.starts.astimezone(MADRID).hour == 5
    assert window.last_day == date(2026, 10, 30)
    # The same race without its zone would count Madrid's days.
    madrid_days = policy().forbidden_window(Race(start, start + timedelta(hours=5)))
    assert madrid_days.starts == madrid(2026, 10, 31, 0, 0)


@pytest.mark.parametrize(
    "race_day",
    [date(2026, 3, 29), date(2026, 10, 25)],  # the Sundays the clocks change in Madrid
)
def test_dst_weekends_midnights_are_local(race_day):
    start = datetime.combine(race_day, datetime.min.time().replace(hour=9), tzinfo=MADRID)
    race = Race(start.astimezone(UTC), start.astimezone(UTC) + timedelta(hours=2))
    window = policy(days_after=1).forbidden_window(race)
    assert window.starts.astimezone(MADRID).replace(tzinfo=None) == datetime.combine(
        race_day - timedelta(days=1), datetime.min.time()
    )
    assert window.ends.astimezone(MADRID).replace(tzinfo=None) == datetime.combine(
        race_day + timedelta(days=1), datetime.min.time()
    )


def test_a_three_day_stage_race_blocks_every_day_between():
    start = madrid(2026, 4, 10, 9, 0)  # Friday
    finish = madrid(2026, 4, 12, 18, 0)  # Sunday
    window = policy(days_after=1).forbidden_window(Race(start, finish, Decimal("120")))
    assert window.race_days == (date(2026, 4, 10), date(2026, 4, 12))
    assert window.starts == madrid(2026, 4, 9, 0, 0)  # Thursday is the rest day
    assert window.ends == madrid(2026, 4, 13, 0, 0)  # from Monday
    assert window.ideal_day == date(2026, 4, 13)


def test_the_load_bounds_cover_every_window():
    p = policy((5, 5, 6, Decimal("50"), ""))
    after, before = p.longest_race_windows
    race = Race(START, START + timedelta(hours=10), Decimal("100"))
    window = p.forbidden_window(race)
    assert race.start - window.starts <= before
    assert window.ends - race.finish <= after


def test_each_service_kind_has_its_own_window():
    p = policy((4, 3, 6, Decimal("42"), ""))
    marathon = Race(START, START + timedelta(hours=4), Decimal("42.195"), "A")
    unloading = p.for_service("unloading").forbidden_window(marathon)
    assert (unloading.rest_days_before, unloading.days_after) == (4, 3)
    recovery = p.for_service("recovery").forbidden_window(marathon)
    # Right up to the start before it; after it only the clinic's hours.
    assert recovery.starts == START and recovery.ends == START + timedelta(hours=10)
    activation = p.for_service("activation").forbidden_window(marathon)
    assert activation.starts == madrid(2026, 3, 15, 0, 0)  # the day before is fine
    assert activation.days_after == 3
