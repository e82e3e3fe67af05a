"""Reads: availability, suggestions, sessions scoped to the requester.

Availability loads everything it needs in a fixed number of queries (working hours with
their therapists, time off, the sessions that hold time, and for a runner the race
window rules and their races) and hands it to the pure rules in `booking.rules`.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from django.db.models import CharField, F, IntegerField, Q, QuerySet, Value
from django.utils import timezone

from clinic.models import Clinic, RaceWindow, Service, Therapist, TimeOff, WorkingHours
from runners.models import Race, Runner

from . import rules
from .exceptions import MESSAGES
from .models import Session


@dataclass(frozen=True)
class Slot:
    start: datetime  # aware, UTC
    end: datetime
    therapist_id: int
    ideal: bool = False

    def as_dict(self) -> dict:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "therapist": self.therapist_id,
            "ideal": self.ideal,
        }


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
    race_id: int
    race_name: str
    code: str  # too_soon_after_race | too_close_before_race
    detail: str


@dataclass
class Availability:
    slots: list[Slot] = field(default_factory=list)
    blocked: list[BlockedWindow] = field(default_factory=list)


@dataclass
class Context:
    """What the rules need for one clinic, some therapists and maybe a runner, over a
    stretch of time."""

    clinic: Clinic
    policy: rules.Policy
    therapists: dict[int, rules.TherapistInfo]
    runner: rules.RunnerInfo | None
    runner_session_starts: list[datetime] = field(default_factory=list)


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo is UTC else moment.astimezone(UTC)


def load_context(
    *,
    clinic: Clinic,
    therapist_ids: list[int] | None,
    runner: Runner | None,
    span_start: datetime,
    span_end: datetime,
    therapists: list[Therapist] | None = None,
    lookback: timedelta = timedelta(0),
) -> Context:
    """Set-based, whatever the span and the number of therapists: the hours (with the
    therapists' names), then time off and sessions (the therapists' and the runner's) in
    one UNION ALL, and for a runner the race window rules and the races: two queries
    without a runner, four with one.

    `therapists` (already fetched, e.g. locked rows) saves the therapist query: their
    hours are then read on their own.
    """
    infos: dict[int, rules.TherapistInfo] = {}
    fields = ["therapist_id", "weekday", "start_time", "end_time", "valid_from", "valid_until"]
    if therapists is not None:
        for t in therapists:
            infos[t.pk] = rules.TherapistInfo(id=t.pk, name=t.display_name, active=t.active)
        rows = WorkingHours.objects.filter(therapist_id__in=list(infos)).values_list(*fields)
    else:
        # Plain rows, not model instances: this is the hot path of every availability call.
        hours_qs = WorkingHours.objects.filter(therapist__clinic=clinic, therapist__active=True)
        if therapist_ids is not None:
            hours_qs = hours_qs.filter(therapist_id__in=therapist_ids)
        rows = hours_qs.values_list(*fields, "therapist__display_name")
    for t_id, weekday, h_start, h_end, valid_from, valid_until, *name in rows.order_by(
        "therapist_id", "weekday", "start_time"
    ):
        info = infos.get(t_id)
        if info is None:
            info = infos[t_id] = rules.TherapistInfo(id=t_id, name=name[0], active=True)
        info.hours.append(rules.HoursRule(weekday, h_start, h_end, valid_from, valid_until))
    policy_windows: list[RaceWindow] = []
    if runner is not None:
        policy_windows = list(RaceWindow.objects.filter(clinic=clinic))
    policy = rules.Policy.from_clinic(clinic, policy_windows)

    # Time off and the sessions that hold time (the therapists', widened by the buffer,
    # and the runner's anywhere) in one round trip: a UNION ALL of plain rows.
    buffer = policy.buffer
    if therapists is not None:
        mine = Q(therapist_id__in=[t.pk for t in therapists])
        off_filter = mine
    elif therapist_ids is not None:
        mine = off_filter = Q(therapist_id__in=therapist_ids)
    else:
        # Through the therapist, not Session.clinic: a therapist's time is theirs even
        # for a session booked when they worked elsewhere.
        mine = off_filter = Q(therapist__clinic_id=clinic.pk)
    cond = mine & Q(start__lt=span_end + buffer, end__gt=span_start - buffer)
    runner_info = None
    if runner is not None:
        runner_info = rules.RunnerInfo(id=runner.pk)
        cond |= Q(runner_id=runner.pk, start__lt=span_end, end__gt=span_start - lookback)
    columns = ("k", "pk", "t", "r", "a", "b")
    off_rows = (
        TimeOff.objects.filter(off_filter, start__lt=span_end, end__gt=span_start)
        .annotate(
            k=Value("off", output_field=CharField()),
            t=F("therapist_id"),
            r=Value(None, output_field=IntegerField()),
            a=F("start"),
            b=F("end"),
        )
        .order_by()  # a compound statement takes no ORDER BY in its parts (SQLite)
        .values_list(*columns)
    )
    session_rows = (
        Session.objects.filter(cond, status__in=Session.ACTIVE_STATUSES)
        .annotate(
            k=Value("session", output_field=CharField()),
            t=F("therapist_id"),
            r=F("runner_id"),
            a=F("start"),
            b=F("end"),
        )
        .order_by()  # a compound statement takes no ORDER BY in its parts (SQLite)
        .values_list(*columns)
    )
    starts: list[datetime] = []
    for kind, pk, t_id, r_id, a, b in off_rows.union(session_rows, all=True):
        a, b = _utc(a), _utc(b)
        info = infos.get(t_id)
        if kind == "off":
            if info is not None:
                info.time_off.append((a, b))
            continue
        busy = rules.Busy(a, b, pk)
        if info is not None and a < span_end + buffer and b > span_start - buffer:
            info.busy.append(busy)
        if runner_info is not None and r_id == runner.pk:
            starts.append(a)
            if a < span_end and b > span_start:
                runner_info.busy.append(busy)
    if runner_info is not None:
        after, before = policy.longest_race_windows
        for race in Race.objects.filter(
            runner=runner, start__lt=span_end + before, finish__gt=span_start - after
        ):
            runner_info.races.append(
                rules.RaceInfo(
                    id=race.pk,
                    name=race.name,
                    start=_utc(race.start),
                    finish=_utc(race.finish),
                    distance_km=race.distance_km,
                    priority=race.priority,
                )
            )
    return Context(
        clinic=clinic,
        policy=policy,
        therapists=infos,
        runner=runner_info,
        runner_session_starts=sorted(starts),
    )


def _race_sentence(code: str, race_name: str, hours: int) -> str:
    return str(MESSAGES[code]) % {"race": race_name, "hours": hours}


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
    if therapist is not None and (therapist.clinic_id != clinic.pk or not therapist.active):
        return Availability()
    policy_tz = rules.Policy.from_clinic(clinic).tz
    span_start, span_end = rules.local_day_bounds(policy_tz, start_date, end_date)
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
    result = Availability()
    if ctx.runner is not None:
        for race, b_start, b_end, code, hours in rules.blocked_windows(
            ctx.runner.races, ctx.policy, span_start, span_end
        ):
            result.blocked.append(
                BlockedWindow(
                    start=b_start,
                    end=b_end,
                    race_id=race.id,
                    race_name=race.name,
                    code=code,
                    detail=_race_sentence(code, race.name, hours),
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
                rules.is_ideal(start, cadence_days=cadence_days, runner_sessions=sessions, now=now),
            )
            for start, t_id in found
        ]
    result.slots = slots
    return result


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
    therapist first when given). Looks a few days either side, then further."""
    now = now or timezone.now()
    clinic = service.clinic
    tz = rules.Policy.from_clinic(clinic).tz
    last_day = (now + timedelta(days=clinic.max_days_ahead)).astimezone(tz).date()
    # Too far ahead: the nearest that pass are the last bookable days.
    centre = min(max(around, now).astimezone(tz).date(), last_day)
    today = now.astimezone(tz).date()
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
            found = (preferred + others)[:limit]
        else:
            found = sorted(slots, key=lambda s: (abs(s.start - around), s.therapist_id))[:limit]
        if len(found) >= limit or (first <= today and last >= last_day):
            return found
    return found


def sessions_for(user) -> QuerySet[Session]:
    """A runner: their own; a therapist: their clinic's; a clinic admin: their clinic's;
    a superuser: all; anyone else: none."""
    qs = Session.objects.select_related("runner__user", "therapist", "service", "clinic")
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if user.is_superuser:
        return qs
    if user.role == user.Role.THERAPIST:
        # A join, not a lookup now: the queryset stays lazy (one query when listed).
        return qs.filter(clinic__therapists__user=user)
    if user.role == user.Role.CLINIC_ADMIN:
        return qs.filter(clinic_id=user.clinic_id) if user.clinic_id else qs.none()
    if user.role == user.Role.RUNNER:
        return qs.filter(runner__user=user)
    return qs.none()
