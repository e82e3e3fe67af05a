"""A recurring plan: the same local time every 14 or 30 days, each occurrence validated
and booked by `session_book` on its own (or all or nothing)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from booking.engine.codes import Code
from booking.engine.exceptions import BookingError, IdempotencyKeyReused
from booking.engine.idempotency import answered_before, request_fingerprint, utc_iso
from booking.engine.services import require_aware, session_book
from booking.models import Session
from clinic.models import Service, Therapist, User
from clinic.policy import Policy
from runners.models import Runner

MAX_SERIES = 6
SERIES_EVERY_DAYS = (14, 30)


@dataclass
class SeriesOccurrence:
    start: datetime
    session: Session | None = None
    error: BookingError | None = None

    @property
    def booked(self) -> bool:
        return self.session is not None


@dataclass
class SeriesResult:
    occurrences: list[SeriesOccurrence] = field(default_factory=list)

    @property
    def booked(self) -> list[Session]:
        return [o.session for o in self.occurrences if o.session is not None]

    @property
    def refused(self) -> list[SeriesOccurrence]:
        return [o for o in self.occurrences if o.error is not None]


def series_starts(first_start: datetime, every_days: int, count: int, tz) -> list[datetime]:
    """Same local wall time every `every_days` days (09:00 stays 09:00 across DST)."""
    local = first_start.astimezone(tz)
    naive = local.replace(tzinfo=None)
    return [
        (naive + timedelta(days=every_days * i)).replace(tzinfo=tz).astimezone(first_start.tzinfo)
        for i in range(count)
    ]


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
    all_or_nothing: bool = False,
    idempotency_key: str | None = None,
) -> SeriesResult:
    """Book up to 6 occurrences every 14 or 30 days; each validated on its own; the result
    says which passed and why the others did not. With `all_or_nothing`, one refusal
    books none of them (the result still says why)."""
    now = now or timezone.now()
    require_aware(first_start)
    if every_days not in SERIES_EVERY_DAYS:
        raise BookingError(
            Code.INVALID, _("A plan repeats every 14 or every 30 days."), extra={"field": "every"}
        )
    if not 1 <= count <= MAX_SERIES:
        raise BookingError(
            Code.INVALID,
            _("A plan has from 1 to %(max)s sessions.") % {"max": MAX_SERIES},
            extra={"field": "count"},
        )
    fingerprint = None
    if idempotency_key:
        # Each occurrence is booked under "key#n" with the fingerprint of the whole plan, so
        # the key sent again with another plan (count, dates, all_or_nothing) is refused
        # before anything is booked.
        fingerprint = request_fingerprint(
            {
                "series": True,
                "service": service.pk,
                "therapist": therapist.pk,
                "first_start": utc_iso(first_start),
                "every_days": every_days,
                "count": count,
                "all_or_nothing": all_or_nothing,
            }
        )
        keys = [f"{idempotency_key}#{i}" for i in range(MAX_SERIES)]
        for earlier in Session.objects.filter(runner=runner, idempotency_key__in=keys):
            answered_before(earlier, fingerprint)
    tz = Policy.from_clinic(therapist.clinic).tz
    result = SeriesResult(
        occurrences=[
            SeriesOccurrence(start=s) for s in series_starts(first_start, every_days, count, tz)
        ]
    )

    def book_each() -> None:
        for i, occ in enumerate(result.occurrences):
            try:
                occ.session = session_book(
                    runner=runner,
                    service=service,
                    therapist=therapist,
                    start=occ.start,
                    by=by,
                    now=now,
                    idempotency_key=f"{idempotency_key}#{i}" if idempotency_key else None,
                    idempotency_fingerprint=fingerprint,
                )
            except IdempotencyKeyReused:
                raise
            except BookingError as exc:
                occ.error = exc

    if not all_or_nothing:
        book_each()
        return result
    with transaction.atomic():
        book_each()
        if result.refused:
            transaction.set_rollback(True)
    if result.refused:
        for occ in result.occurrences:
            occ.session = None
    return result
