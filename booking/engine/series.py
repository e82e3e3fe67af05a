"""A recurring plan ("Book my plan"): the same local time every 14 or 30 days (the
runner's cadence), each occurrence validated and booked by `session_book` on its own (or
all or nothing). The plan's constants live here; the API and the pages read them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo

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
from runners.models import CADENCE_DAYS, Runner

# The one home of the plan's figures: the spacings are the cadences' (14 and 30 days).
MAX_SERIES = 6
MIN_PLAN_ON_PAGE = 2  # the page's "Book my plan" offers 2..MAX_SERIES (one is "Just this one")
DEFAULT_PLAN_COUNT = 3
SERIES_EVERY_DAYS = tuple(sorted(CADENCE_DAYS.values()))


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


def series_starts(first_start: datetime, every_days: int, count: int, tz: tzinfo) -> list[datetime]:
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
    discomfort_areas: Sequence[str] = (),
    runner_note: str = "",
) -> SeriesResult:
    """Book up to 6 occurrences every 14 or 30 days; each validated on its own; the result
    says which passed and why the others did not. With `all_or_nothing`, one refusal
    books none of them (the result still says why). The areas of discomfort and the note
    go on every session of the plan."""
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
    areas = list(discomfort_areas or [])
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
                # Only when given: keys sent before plans carried them keep their answer.
                **({"discomfort_areas": sorted(set(areas))} if areas else {}),
                **({"runner_note": runner_note} if runner_note else {}),
            }
        )
    tz = Policy.from_clinic(therapist.clinic).tz
    return book_occurrences(
        runner=runner,
        items=[(service, therapist, s) for s in series_starts(first_start, every_days, count, tz)],
        by=by,
        now=now,
        all_or_nothing=all_or_nothing,
        idempotency_key=idempotency_key,
        fingerprint=fingerprint,
        discomfort_areas=areas,
        runner_note=runner_note,
    )


def book_occurrences(
    *,
    runner: Runner,
    items: Sequence[tuple[Service, Therapist, datetime]],
    by: User,
    now: datetime,
    all_or_nothing: bool = False,
    idempotency_key: str | None = None,
    fingerprint: str | None = None,
    discomfort_areas: Sequence[str] = (),
    runner_note: str = "",
) -> SeriesResult:
    """Book several sessions, each through `session_book` on its own (a series, or the
    season plan's chosen proposals): the result says which passed and why the others did
    not. Each is booked under "key#n" with the `fingerprint` of the whole request, so the
    key sent again with another request is refused before anything is booked."""
    areas = list(discomfort_areas or [])
    if idempotency_key and fingerprint:
        keys = [f"{idempotency_key}#{i}" for i in range(len(items))]
        for earlier in Session.objects.filter(runner=runner, idempotency_key__in=keys):
            answered_before(earlier, fingerprint)
    result = SeriesResult(occurrences=[SeriesOccurrence(start=start) for _s, _t, start in items])

    def book_each() -> None:
        for i, (occ, (service, therapist, _start)) in enumerate(
            zip(result.occurrences, items, strict=True)
        ):
            try:
                occ.session = session_book(
                    runner=runner,
                    service=service,
                    therapist=therapist,
                    start=occ.start,
                    by=by,
                    now=now,
                    discomfort_areas=areas,
                    runner_note=runner_note,
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
