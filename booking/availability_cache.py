"""Cached availability for anonymous lookups: `selectors.availability` with a per-day cache.

The evening a race opens registrations most requests are anonymous visitors paging
through days; their answer depends only on the service, the day, the therapist(s) and
the clock. Each clinic-local day is cached under a key holding the version of every
therapist it shows (clinic/cache.py); any booking, cancellation, time off, hours or policy
change of a therapist bumps that version (clinic/cache_signals.py), so a changed day is
recomputed on the next request. The clock is applied on read: slots that have come inside
the minimum notice since the day was cached are dropped.

Requests with a runner (race windows, ideal slots) or an explicit `now` are not cached.
A cache miss costs what the selector costs; with Redis down every request is a miss.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from clinic.cache import AVAILABILITY_TTL, clinic_therapist_ids, therapist_versions
from clinic.models import Service, Therapist
from runners.models import Runner

from . import selectors
from .selectors import Availability, Slot


def _day_keys(
    *, service: Service, therapist: Therapist | None, days: list[date], versions: dict[int, int]
) -> dict[date, str]:
    stamp = ",".join(f"{t}.{v}" for t, v in sorted(versions.items()))
    digest = hashlib.blake2b(stamp.encode(), digest_size=12).hexdigest()
    who = therapist.pk if therapist is not None else "all"
    return {day: f"avail:{service.pk}:{who}:{day.isoformat()}:{digest}" for day in days}


def availability(
    *,
    service: Service,
    start_date: date,
    end_date: date,
    therapist: Therapist | None = None,
    runner: Runner | None = None,
    now: datetime | None = None,
    exclude_session_id: int | None = None,
) -> Availability:
    """Same arguments and answer as `booking.selectors.availability`."""
    if (
        runner is not None
        or now is not None
        or exclude_session_id is not None
        or not getattr(settings, "AVAILABILITY_CACHE", True)
        or end_date < start_date
    ):
        return selectors.availability(
            service=service,
            start_date=start_date,
            end_date=end_date,
            therapist=therapist,
            runner=runner,
            now=now,
            exclude_session_id=exclude_session_id,
        )
    now = timezone.now()
    clinic = service.clinic
    therapist_ids = [therapist.pk] if therapist is not None else clinic_therapist_ids(clinic.pk)
    days = [start_date + timedelta(days=i) for i in range((end_date - start_date).days + 1)]
    keys = _day_keys(
        service=service, therapist=therapist, days=days, versions=therapist_versions(therapist_ids)
    )
    found = cache.get_many(list(keys.values()))
    per_day: dict[date, list[Slot]] = {d: found[k] for d, k in keys.items() if k in found}
    missing = [d for d in days if d not in per_day]
    if missing:
        fresh = selectors.availability(
            service=service,
            start_date=missing[0],
            end_date=missing[-1],
            therapist=therapist,
            now=now,
        )
        computed: dict[date, list[Slot]] = {d: [] for d in days if missing[0] <= d <= missing[-1]}
        for slot in fresh.slots:
            computed.setdefault(slot.start.astimezone(clinic.tz).date(), []).append(slot)
        cache.set_many(
            {keys[d]: slots for d, slots in computed.items() if d in keys}, AVAILABILITY_TTL
        )
        per_day.update(computed)
    first_bookable = now + clinic.min_notice
    slots = [s for d in days for s in per_day.get(d, ()) if s.start >= first_bookable]
    return Availability(slots=slots)
