"""Reads: availability, suggestions, sessions scoped to the requester.

INTERFACE (implemented by the booking-engine work; other parts code against it).
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import QuerySet

from clinic.models import Service, Therapist
from runners.models import Runner

from .models import Session


@dataclass(frozen=True)
class Slot:
    start: datetime  # aware, UTC
    end: datetime
    therapist_id: int
    ideal: bool = False


@dataclass(frozen=True)
class BlockedWindow:
    """A stretch of time a runner's race blocks, with the rule and the sentence."""

    start: datetime
    end: datetime
    race_id: int
    race_name: str
    code: str  # too_soon_after_race | too_close_before_race
    detail: str


@dataclass
class Availability:
    slots: list[Slot] = field(default_factory=list)
    blocked: list[BlockedWindow] = field(default_factory=list)


def availability(
    *,
    service: Service,
    start_date: date,
    end_date: date,
    therapist: Therapist | None = None,
    runner: Runner | None = None,
    now: datetime | None = None,
) -> Availability:
    """Every bookable start per therapist for the service's clinic, from start_date to
    end_date inclusive (clinic-local dates). With a runner: race-blocked slots are left
    out and listed in `blocked`, and slots in the runner's recommended window are ideal.
    A fixed number of queries whatever the range."""
    raise NotImplementedError


def suggest_slots(
    *,
    runner: Runner | None,
    service: Service,
    around: datetime,
    therapist: Therapist | None = None,
    limit: int = 3,
    now: datetime | None = None,
) -> list[Slot]:
    """Up to `limit` slots that pass the validator, nearest to `around` first (preferred
    therapist first when given)."""
    raise NotImplementedError


def sessions_for(user) -> QuerySet[Session]:
    """A runner: their own; a therapist: their clinic's; a clinic admin: their clinic's;
    a superuser: all; anyone else: none."""
    raise NotImplementedError
