"""What a cadence reminder says about the runner's races: by when the last massage
before the next priority race should end, and when the first one after a race can be."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q

from clinic.models import Clinic, RacePriority
from clinic.policy import Policy
from runners.models import Race, Runner

# How far ahead a priority race makes the cadence reminder race-aware.
RACE_HORIZON = timedelta(days=60)


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
    policy = Policy.from_clinic(clinic, clinic.race_windows.all())
    longest_after, _before = policy.longest_race_windows
    races = Race.objects.filter(runner=runner).filter(
        Q(priority=RacePriority.A, start__gt=now, start__lte=now + RACE_HORIZON)
        | Q(finish__lte=now, finish__gt=now - longest_after)
    )
    advice = []
    next_priority_done = False
    for race in races.order_by("start"):
        window = policy.forbidden_window(race)  # the validator's own window
        first = window.ends
        if race.start > now:
            if next_priority_done:
                continue
            next_priority_done = True
            end_by = window.starts
            advice.append(
                RaceAdvice(race.name, race.start, end_by if end_by > now else None, first, True)
            )
        elif first > now:
            advice.append(RaceAdvice(race.name, race.start, None, first, False))
    return advice
