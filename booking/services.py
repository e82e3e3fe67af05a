"""Writes: book, cancel, reschedule, series. One transaction each; tasks enqueued on commit.

INTERFACE (implemented by the booking-engine work; other parts code against it).
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from clinic.models import Service, Therapist, User
from runners.models import Runner

from .exceptions import BookingError
from .models import Session


def session_book(
    *,
    runner: Runner,
    service: Service,
    therapist: Therapist,
    start: datetime,
    by: User,
    discomfort_areas: Sequence[str] = (),
    runner_note: str = "",
    idempotency_key: str | None = None,
    override_reason: str = "",
    now: datetime | None = None,
) -> Session:
    """Validate and book, or raise BookingError (with suggestions). override_reason (staff
    only) lets a race rule pass and is kept on the session."""
    raise NotImplementedError


def cancellation_outcome(session: Session, *, now: datetime | None = None) -> str:
    """Session.Status.CANCELLED if cancelled now is in time, else LATE_CANCELLED."""
    raise NotImplementedError


def session_cancel(*, session: Session, by: User, now: datetime | None = None) -> Session:
    raise NotImplementedError


def session_reschedule(
    *,
    session: Session,
    start: datetime,
    by: User,
    therapist: Therapist | None = None,
    now: datetime | None = None,
) -> Session:
    raise NotImplementedError


@dataclass
class SeriesOccurrence:
    start: datetime
    session: Session | None = None
    error: BookingError | None = None


@dataclass
class SeriesResult:
    occurrences: list[SeriesOccurrence] = field(default_factory=list)


def series_book(
    *,
    runner: Runner,
    service: Service,
    therapist: Therapist,
    first_start: datetime,
    every_days: int,
    count: int,
    by: User,
    now: datetime | None = None,
) -> SeriesResult:
    """Book up to 6 occurrences every 14 or 30 days; each validated on its own; the result
    says which passed and why the others did not."""
    raise NotImplementedError
