"""Reads: availability and suggestions.

Availability loads everything it needs in a fixed number of queries (working hours with
their therapists, time off, the sessions that hold time, and for a runner the race
window rules and their races: booking.engine.context) and hands it to the pure rules in
`booking.engine.rules`.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from booking.engine import cadence, rules
from booking.engine.context import load_context
from booking.engine.exceptions import MESSAGES, format_params
from clinic import timeutils
from clinic.models import Service, Therapist
from clinic.policy import EffortKind, Policy
from runners.models import Runner


@dataclass(frozen=True)
class Slot:
    start: datetime  # aware, UTC
    end: datetime
    therapist_id: int
    ideal: bool = False


def _slot(start: datetime, end: datetime, therapist_id: int, ideal: bool) -> Slot:
    # A frozen dataclass's __init__ sets each field through object.__setattr__, three
    # times slower; a clinic's month is thousands of slots.
    slot = object.__new__(Slot)
    slot.__dict__.update(start=start, end=end, therapist_id=therapist_id, ideal=ideal)
    return slot


@dataclass(frozen=True)
class BlockedWindow:
    """A stretch of time a runner's race blocks, with the rule and the sentence."""

    start: datetime
    end: datetime
    race_id: int  # the race's, or the training's (effort)
    race_name: str
    code: str  # too_soon_after_race | too_close_before_race | too_soon_after_training
    detail: str
    effort: str = EffortKind.RACE


@dataclass
class Availability:
    slots: list[Slot] = field(default_factory=list)
    blocked: list[BlockedWindow] = field(default_factory=list)
    # Local dates someone works (not all time off): the others are closed, not full.
    open_days: set[date] = field(default_factory=set)


def _race_sentence(code: str, params: dict) -> str:
    return str(MESSAGES[code]) % format_params(params)


def availability(
    *,
    service: Service,
    start_date: date,
    end_date: date,
    therapist: Therapist | None = None,
    runner: Runner | None = None,
    now: datetime | None = None,
    exclude_session_id: int | None = None,
    therapist_ids: Collection[int] | None = None,
) -> Availability:
    """Every bookable start per therapist for the service's clinic, from start_date to
    end_date inclusive (clinic-local dates). With a runner: race-blocked slots are left
    out and listed in `blocked`, and slots in the runner's recommended window are ideal.
    A fixed number of queries whatever the range (two without a runner, four with one,
    one more when `service.clinic` is not loaded yet).

    `exclude_session_id`: a session being rescheduled does not block its own move.
    `therapist_ids` (instead of `therapist`): only these of the clinic's active therapists
    (the availability cache recomputes just the therapists whose days it lacks).
    """
    now = now or timezone.now()
    clinic = service.clinic
    if not service.active or end_date < start_date:
        return Availability()
    if therapist is not None and (
        rules.clinic_mismatch(service_clinic_id=clinic.pk, therapist_clinic_id=therapist.clinic_id)
        or not therapist.active
    ):
        return Availability()
    policy_tz = Policy.from_clinic(clinic).tz
    span_start, span_end = timeutils.local_day_bounds(policy_tz, start_date, end_date)
    # Nothing can be booked outside [now + notice, now + max days]: do not load it.
    first_bookable = now + timedelta(minutes=clinic.min_notice_minutes)
    last_bookable = now + timedelta(days=clinic.max_days_ahead)
    lookback = timedelta(days=runner.cadence_days or 0) if runner is not None else timedelta(0)
    ctx = load_context(
        clinic=clinic,
        therapist_ids=(
            [therapist.pk]
            if therapist is not None
            else (list(therapist_ids) if therapist_ids is not None else None)
        ),
        runner=runner,
        span_start=span_start,
        span_end=span_end,
        lookback=lookback,
    )
    ctx.policy = ctx.policy.for_service(service.kind)  # its own race rules
    result = Availability(
        open_days=rules.open_days(ctx.therapists.values(), ctx.policy.tz, start_date, end_date)
    )
    if ctx.runner is not None:
        for race, b_start, b_end, code, params in rules.blocked_windows(
            ctx.runner.races, ctx.policy, span_start, span_end
        ):
            result.blocked.append(
                BlockedWindow(
                    start=b_start,
                    end=b_end,
                    race_id=race.id,
                    race_name=race.name,
                    code=code,
                    detail=_race_sentence(code, params),
                    effort=race.kind,
                )
            )
    if span_end <= first_bookable or span_start > last_bookable:
        return result
    duration = service.duration
    cadence_days = runner.cadence_days if runner is not None else None
    found: list[tuple[datetime, int]] = []
    for info in ctx.therapists.values():
        found += (
            (start, info.id)
            for start in rules.free_starts(
                therapist=info,
                runner=ctx.runner,
                policy=ctx.policy,
                now=now,
                first=start_date,
                last=end_date,
                duration=duration,
                exclude_session_id=exclude_session_id,
            )
        )
    found.sort()  # plain tuples: no key function on the hot path
    if runner is None:
        slots = [_slot(start, start + duration, t_id, False) for start, t_id in found]
    else:
        sessions = ctx.runner_session_starts
        slots = [
            _slot(
                start,
                start + duration,
                t_id,
                cadence.is_ideal(
                    start,
                    cadence_days=cadence_days,
                    runner_sessions=sessions,
                    now=now,
                    tz=ctx.policy.tz,
                ),
            )
            for start, t_id in found
        ]
    result.slots = slots
    return result


def on_different_days(ordered: list[Slot], limit: int, tz: ZoneInfo) -> list[Slot]:
    """Up to `limit` slots from `ordered`, the first of each local day first (three
    choices a quarter hour apart on one day are one choice), then the next ones in order."""
    chosen: list[Slot] = []
    days: set[date] = set()
    for slot in ordered:
        if len(chosen) >= limit:
            break
        day = timeutils.local_date(slot.start, tz)
        if day not in days:
            days.add(day)
            chosen.append(slot)
    if len(chosen) < limit:
        taken = {id(s) for s in chosen}
        chosen += [s for s in ordered if id(s) not in taken][: limit - len(chosen)]
    return chosen


def suggest_slots(
    *,
    runner: Runner | None,
    service: Service,
    around: datetime,
    therapist: Therapist | None = None,
    limit: int = 3,
    now: datetime | None = None,
    exclude_session_id: int | None = None,
) -> list[Slot]:
    """Up to `limit` slots that pass the validator, nearest to `around` first (preferred
    therapist first when given), on different days when there are any. Looks a few days
    either side, then further."""
    now = now or timezone.now()
    clinic = service.clinic
    tz = Policy.from_clinic(clinic).tz
    last_day = timeutils.local_date(now + timedelta(days=clinic.max_days_ahead), tz)
    # Too far ahead: the nearest that pass are the last bookable days.
    centre = min(timeutils.local_date(max(around, now), tz), last_day)
    today = timeutils.local_date(now, tz)
    for radius in (3, 14, clinic.max_days_ahead):
        first = max(today, centre - timedelta(days=radius))
        last = min(last_day, centre + timedelta(days=radius))
        if last < first:
            return []
        slots = availability(
            service=service,
            start_date=first,
            end_date=last,
            runner=runner,
            now=now,
            exclude_session_id=exclude_session_id,
        ).slots
        if therapist is not None:
            preferred = [s for s in slots if s.therapist_id == therapist.pk]
            others = [s for s in slots if s.therapist_id != therapist.pk]
            preferred.sort(key=lambda s: abs(s.start - around))
            others.sort(key=lambda s: abs(s.start - around))
            ordered = preferred + others
        else:
            ordered = sorted(slots, key=lambda s: (abs(s.start - around), s.therapist_id))
        found = on_different_days(ordered, limit, tz)
        if len(found) >= limit or (first <= today and last >= last_day):
            return found
    return found
