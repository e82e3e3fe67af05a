"""clinic.policy: the one answer to "when does a race forbid a massage"."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

from clinic.policy import Policy

START = datetime(2026, 3, 15, 8, 30, tzinfo=UTC)


@dataclass(frozen=True)
class Race:
    start: datetime
    finish: datetime
    distance_km: Decimal | None = None
    priority: str = "B"


def policy(*rules):
    clinic = SimpleNamespace(
        timezone="Europe/Madrid",
        min_notice_minutes=60,
        max_days_ahead=60,
        buffer_minutes=0,
        slot_step_minutes=15,
        after_race_hours=24,
        before_race_hours=48,
    )
    return Policy.from_clinic(
        clinic,
        [
            SimpleNamespace(after_race_hours=a, before_race_hours=b, min_distance_km=km, priority=p)
            for a, b, km, p in rules
        ],
    )


def test_the_clinic_default_window_before_the_start_and_after_the_finish():
    window = policy().forbidden_window(Race(START, START + timedelta(hours=2)))
    assert (window.before_hours, window.after_hours) == (48, 24)
    assert window.starts == START - timedelta(hours=48)
    assert window.race_start == START
    assert window.ends == START + timedelta(hours=26)


def test_matching_rules_widen_the_window_the_longest_wins():
    p = policy((72, 48, Decimal("42"), ""), (24, 96, None, "A"))
    marathon = Race(START, START + timedelta(hours=4), Decimal("42.2"), "B")
    w = p.forbidden_window(marathon)
    assert (w.before_hours, w.after_hours) == (48, 72)
    a_marathon = Race(START, START + timedelta(hours=4), Decimal("42.2"), "A")
    w = p.forbidden_window(a_marathon)
    assert (w.before_hours, w.after_hours) == (96, 72)
    # A 10K of priority B matches no rule; an unknown distance never matches a distance rule.
    assert p.forbidden_window(Race(START, START + timedelta(hours=1), Decimal("10"))) == (
        policy().forbidden_window(Race(START, START + timedelta(hours=1)))
    )
    assert p.forbidden_window(Race(START, START + timedelta(hours=1))).after_hours == 24
