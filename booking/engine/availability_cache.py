"""Cached availability for anonymous lookups: `selectors.availability` with a cache per
therapist and week.

The evening a race opens registrations most requests are anonymous visitors paging
through days and weeks; their answer depends only on the service, the days, the
therapists and the clock. The free starts of each (service, therapist, clinic-local week)
are cached under a key holding that therapist's *version* (clinic/cache.py). Any booking,
cancellation, time off, hours or policy change of a therapist bumps their version
(the services call clinic.cache.availability_changed): only that therapist's weeks are recomputed on the next request,
the rest of the clinic's calendar stays cached. (A key per clinic and day would be dropped
by every booking with any of the clinic's therapists, several times a second on a busy
evening.)

A lookup reads every entry it needs in one MGET, then computes the therapists it lacks in
one call to the selector (its two queries) over the weeks they lack. The clock is applied
on read: slots that have come inside the minimum notice since a week was cached are
dropped. Weeks reaching past the booking horizon (`max_days_ahead`) are not cached, since
they gain slots as time passes.

Requests with a runner (race windows, ideal slots) or an explicit `now` are not cached.
A miss costs what the selector costs plus one MGET; with Redis down every request is a
miss. `python manage.py bench_availability_cache` measures the gain.

On top, the API's answer itself (`availability_json`): the JSON body of one lookup
(service, therapist or whole clinic, days), ready to send, stored with the versions of
the therapists it was built from and each slot's start and byte offset. A hit is one
MGET (entry and current versions together; for a whole clinic one GET of its therapist
ids first), a comparison of versions, and at most one slice to drop the slots that have
come inside the minimum notice since: no slot objects, no JSON encoding.
"""

from __future__ import annotations

import hashlib
import json
from array import array
from bisect import bisect_left
from datetime import UTC, date, datetime, timedelta, tzinfo

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from booking.engine import availability as engine_availability
from booking.engine.availability import Availability, Slot, _slot
from clinic import timeutils
from clinic.cache import (
    AVAILABILITY_TTL,
    clinic_therapist_ids,
    therapist_versions,
    version_keys,
)
from clinic.models import Service, Therapist
from runners.models import Runner

# Free starts of one therapist in one clinic-local week (Monday to Sunday), as UTC epoch
# seconds: small to store, quick to load. A week rather than a day keeps a month of a
# whole clinic to about a hundred entries, and costs a miss little more than a day would.
Starts = tuple[int, ...]


def _key(service_id: int, therapist_id: int, version: int, monday: date) -> str:
    return f"avail:{service_id}:{therapist_id}.{version}:{monday.isoformat()}"


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def entry_keys(
    service_id: int, therapist_ids: list[int], start_date: date, end_date: date
) -> dict[tuple[int, date], str]:
    """The cache key of each (therapist, Monday) a lookup of these days needs, under each
    therapist's current version (one MGET)."""
    versions = therapist_versions(therapist_ids)
    first, last = _monday(start_date), _monday(end_date)
    mondays = [first + timedelta(weeks=i) for i in range((last - first).days // 7 + 1)]
    return {(t, m): _key(service_id, t, versions[t], m) for t in therapist_ids for m in mondays}


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
    """Same arguments and answer as `booking.engine.availability.availability`."""
    if (
        runner is not None
        or now is not None
        or exclude_session_id is not None
        or not getattr(settings, "AVAILABILITY_CACHE", True)
        or end_date < start_date
        or not service.active
    ):
        return engine_availability.availability(
            service=service,
            start_date=start_date,
            end_date=end_date,
            therapist=therapist,
            runner=runner,
            now=now,
            exclude_session_id=exclude_session_id,
        )
    # A therapist of another clinic, or inactive, has no hours for the selector to load:
    # their entries are empty, as the selector's answer is.
    clinic = service.clinic
    now = timezone.now()
    therapist_ids = [therapist.pk] if therapist is not None else clinic_therapist_ids(clinic.pk)
    keys = entry_keys(service.pk, therapist_ids, start_date, end_date)
    found: dict[str, Starts] = cache.get_many(list(keys.values())) if keys else {}
    weeks: dict[tuple[int, date], Starts] = {
        pair: found[k] for pair, k in keys.items() if k in found
    }
    missing = [pair for pair in keys if pair not in weeks]
    if missing:
        weeks.update(_compute(service, missing, now, keys))
    # The asked days only, and nothing inside the minimum notice as of now.
    span_start, span_end = timeutils.local_day_bounds(clinic.tz, start_date, end_date)
    lowest = max(int(span_start.timestamp()), int((now + clinic.min_notice).timestamp()))
    highest = int(span_end.timestamp())
    # The selector's order: by start, then therapist.
    found_starts = sorted(
        (ts, t) for (t, _m), starts in weeks.items() for ts in starts if lowest <= ts < highest
    )
    duration = service.duration
    slots = []
    for ts, t in found_starts:
        start = datetime.fromtimestamp(ts, UTC)
        slots.append(_slot(start, start + duration, t, False))
    return Availability(slots=slots)


def _compute(
    service: Service,
    missing: list[tuple[int, date]],
    now: datetime,
    keys: dict[tuple[int, date], str],
) -> dict[tuple[int, date], Starts]:
    """The missing (therapist, week) entries from the selector, in one call; stores the
    weeks that will not change by themselves."""
    clinic = service.clinic
    tz = clinic.tz
    therapist_ids = sorted({t for t, _m in missing})
    first = min(m for _t, m in missing)
    last = max(m for _t, m in missing) + timedelta(days=6)
    fresh = engine_availability.availability(
        service=service, start_date=first, end_date=last, therapist_ids=therapist_ids, now=now
    )
    computed: dict[tuple[int, date], list[int]] = {pair: [] for pair in missing}
    for slot in fresh.slots:
        pair = (slot.therapist_id, _monday(slot.start.astimezone(tz).date()))
        if pair in computed:
            computed[pair].append(int(slot.start.timestamp()))
    # A week that reaches past the booking horizon gains slots as the clock moves: not
    # stored. (Inside the minimum notice the clock only takes slots away: applied on read.)
    horizon = now + timedelta(days=clinic.max_days_ahead)
    storable = {
        keys[(t, m)]: tuple(starts)
        for (t, m), starts in computed.items()
        if timeutils.local_day_bounds(tz, m, m + timedelta(days=6))[1] <= horizon
    }
    if storable:
        cache.set_many(storable, AVAILABILITY_TTL)
    return {pair: tuple(starts) for pair, starts in computed.items()}


def _body_key(service_id: int, therapist_id: int | None, start_date: date, end_date: date) -> str:
    who = therapist_id if therapist_id is not None else "all"
    return f"avail:json:{service_id}:{who}:{start_date.isoformat()}:{end_date.isoformat()}"


def _stamp(versions: list[tuple[int, int | None]]) -> str:
    """The therapists and their versions an answer was built from, in 16 hex digits."""
    return hashlib.blake2b(repr(versions).encode(), digest_size=8).hexdigest()


def encode(timezone_name: str, tz: tzinfo, slots: list[Slot]) -> tuple[bytes, list[int]]:
    """The availability answer without a runner (nothing blocked, nothing ideal) as the
    API's JSON body, and the byte offset of each slot (one more: where the list ends).
    The one place that shapes an anonymous answer: the API sends these bytes."""
    formatted: dict[datetime, str] = {}

    def iso(moment: datetime) -> str:
        # A clinic's therapists share start times: format each moment once.
        text = formatted.get(moment)
        if text is None:
            text = formatted[moment] = moment.astimezone(tz).isoformat()
        return text

    head = b'{"timezone":' + json.dumps(timezone_name, ensure_ascii=False).encode() + b',"slots":['
    parts, offsets, at = [head], [], len(head)
    for i, slot in enumerate(slots):
        item = (
            ("," if i else "")
            + f'{{"start":"{iso(slot.start)}","end":"{iso(slot.end)}",'
            + f'"therapist":{slot.therapist_id},"ideal":{"true" if slot.ideal else "false"}}}'
        ).encode()
        offsets.append(at + (1 if i else 0))
        parts.append(item)
        at += len(item)
    offsets.append(at)
    parts.append(b'],"blocked":[]}')
    return b"".join(parts), offsets


def availability_json(
    *, service: Service, start_date: date, end_date: date, therapist: Therapist | None = None
) -> bytes:
    """`availability(...)` of an anonymous lookup as the API's JSON body (`encode`),
    from the stored answer when the therapists' versions still match."""
    clinic = service.clinic
    now = timezone.now()
    therapist_ids = [therapist.pk] if therapist is not None else clinic_therapist_ids(clinic.pk)
    key = _body_key(
        service.pk, therapist.pk if therapist is not None else None, start_date, end_date
    )
    enabled = getattr(settings, "AVAILABILITY_CACHE", True)
    vkeys = version_keys(therapist_ids)
    found = cache.get_many([key, *vkeys]) if enabled else {}
    stamp = _stamp([(t, found.get(k)) for t, k in zip(therapist_ids, vkeys, strict=True)])
    lowest = int((now + clinic.min_notice).timestamp())
    entry = found.get(key)
    if entry is not None and entry[0] == stamp:
        _stamp_, payload, starts, offsets = entry
        # Slots come inside the minimum notice as the clock moves: cut them off the front.
        first = bisect_left(array("q", starts), lowest)
        if first == 0:
            return payload
        offs = array("q", offsets)
        return payload[: offs[0]] + payload[offs[first] :]
    slots = availability(
        service=service, start_date=start_date, end_date=end_date, therapist=therapist
    ).slots
    payload, offsets = encode(clinic.timezone, clinic.tz, slots)
    _span_start, span_end = timeutils.local_day_bounds(clinic.tz, start_date, end_date)
    # As the weeks: an answer reaching past the booking horizon gains slots by itself.
    if enabled and span_end <= now + timedelta(days=clinic.max_days_ahead):
        starts = array("q", (int(s.start.timestamp()) for s in slots)).tobytes()
        cache.set(key, (stamp, payload, starts, array("q", offsets).tobytes()), AVAILABILITY_TTL)
    return payload
