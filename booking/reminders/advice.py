"""What a cadence reminder says about the runner's races: by when the last massage
before the next priority race should end, and when the first one after a race can be."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import Q

from clinic.models import Clinic, RacePriority, RaceWindow
from runners.models import Race, Runner

# How far ahead a priority race makes the cadence reminder race-aware.
RACE_HORIZON = timedelta(days=60)


def race_window_hours(race: Race, clinic: Clinic, rules: Iterable[RaceWindow]) -> tuple[int, int]:
    """(hours after, hours before) for a race: the largest of the clinic default and every
    rule that matches the race (as the validator does)."""
    after, before = clinic.after_race_hours, clinic.before_race_hours
    distance = Decimal(race.distance_km) if race.distance_km is not None else None
    for rule in rules:
        if rule.min_distance_km is not None and (
            distance is None or distance < rule.min_distance_km
        ):
            continue
        if rule.priority and rule.priority != race.priority:
            continue
        after = max(after, rule.after_race_hours)
        before = max(before, rule.before_race_hours)
    return after, before


@dataclass(frozen=True)
class RaceAdvice:
    race_name: str
    race_start: datetime
    last_session_end_by: datetime | None  # None when it is already too late before it
    first_session_from: datetime
    upcoming: bool  # False: a race that has just been run


def race_advice(runner: Runner, clinic: Clinic, *, now: datetime) -> list[RaceAdvice]:
    """What a cadence reminder says about races: for the next priority (A) race, by when
    the last session should end and when the first one after it can be; for a race just
    run whose "after" window is still open, when the first one can be. Two queries."""
    rules = list(clinic.race_windows.all())
    longest_after = max([clinic.after_race_hours, *(r.after_race_hours for r in rules)])
    races = Race.objects.filter(runner=runner).filter(
        Q(priority=RacePriority.A, start__gt=now, start__lte=now + RACE_HORIZON)
        | Q(finish__lte=now, finish__gt=now - timedelta(hours=longest_after))
    )
    advice = []
    next_priority_done = False
    for race in races.order_by("start"):
        after, before = race_window_hours(race, clinic, rules)
        first = race.finish + timedelta(hours=after)
        if race.start > now:
            if next_priority_done:
                continue
            next_priority_done = True
            end_by = race.start - timedelta(hours=before)
            advice.append(
                RaceAdvice(race.name, race.start, end_by if end_by > now else None, first, True)
            )
        elif first > now:
            advice.append(RaceAdvice(race.name, race.start, None, first, False))
    return advice
