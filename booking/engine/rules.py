"""The booking rules, in one place: slot generation and the validator.

Pure: no ORM, no clock. booking.engine.context loads the data (in a fixed number of
queries) into the small dataclasses below and the callers pass `now`; the same functions
then decide for the availability pages, the API, the staff pages and the admin. The
policy and the weekly hours they apply are clinic.policy and clinic.timeutils.

Times are aware datetimes (UTC from the database). Weekly hours are clinic-local wall
times: each day's intervals are turned into real instants in the clinic's zone, so a 09:00
slot is 09:00 local on both sides of a DST change, and slots are stepped in real minutes
from the start of the interval: no slot can fall in a non-existent hour, and each real
instant of a repeated hour is offered once (02:15+02:00 and 02:15+01:00 are two times).

Intervals are half-open [start, end): a session may start exactly when another one (plus
the buffer) ends, or exactly when a race's window ends (clinic.policy).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from booking.engine.codes import OVERRIDABLE_CODES, RACE_CODES, Code
from clinic.policy import EffortKind, Policy
from clinic.timeutils import (
    HoursRule,
    local_date,
    local_day_bounds,
    within_working_hours,
    working_intervals,
)

ZERO = timedelta(0)


@dataclass(frozen=True)
class Busy:
    start: datetime
    end: datetime
    session_id: int | None = None


@dataclass(frozen=True)
class RaceInfo:
    """An effort a massage keeps clear of: a race, or a demanding training (`kind`; its
    `name` is then the sentence's words, e.g. "your long run on Sunday 6 December")."""

    id: int
    name: str
    start: datetime
    finish: datetime
    distance_km: Decimal | None = None
    priority: str = "B"
    timezone: str = ""  # the race's own zone; empty: the clinic's
    kind: str = EffortKind.RACE


@dataclass
class TherapistInfo:
    id: int
    name: str
    active: bool = True
    hours: list[HoursRule] = field(default_factory=list)
    time_off: list[tuple[datetime, datetime]] = field(default_factory=list)
    busy: list[Busy] = field(default_factory=list)


@dataclass
class RunnerInfo:
    id: int | None
    busy: list[Busy] = field(default_factory=list)
    races: list[RaceInfo] = field(default_factory=list)
    # Planned demanding trainings (kind TRAINING) ahead: the day-after warning.
    planned: list[RaceInfo] = field(default_factory=list)
    # The sessions that count for spacing (booked or attended; never missed or
    # cancelled), around the time being checked.
    sessions: list[Busy] = field(default_factory=list)


@dataclass(frozen=True)
class Violation:
    code: str
    params: dict[str, Any] = field(default_factory=dict)
    race_id: int | None = None

    @property
    def is_race_rule(self) -> bool:
        return self.code in RACE_CODES

    @property
    def is_overridable(self) -> bool:
        """A staff override with a reason lets it pass (race rules, same day)."""
        return self.code in OVERRIDABLE_CODES


def clinic_mismatch(*, service_clinic_id: int, therapist_clinic_id: int) -> Violation | None:
    """The same-clinic rule: a service is booked with a therapist of the service's own
    clinic (the validator asks it first)."""
    if service_clinic_id == therapist_clinic_id:
        return None
    return Violation(Code.THERAPIST_OTHER_CLINIC)


def race_spans(
    race: RaceInfo, policy: Policy
) -> list[tuple[datetime, datetime, str, dict[str, Any]]]:
    """The time a session may not touch because of a race (clinic.policy's forbidden
    window), with the rule's code and the figures its sentence gives: from local
    midnight of the first rest day up to the start, and from the start until the window's
    end after the finish."""
    window = policy.forbidden_window(race)
    if race.kind == EffortKind.TRAINING:
        return [
            (
                window.race_start,
                window.ends,
                Code.TOO_SOON_AFTER_TRAINING,
                {
                    "training": race.name,
                    "end": window.finish.astimezone(policy.tz),
                    "from": window.ends.astimezone(policy.tz),
                },
            )
        ]
    return [
        (
            window.starts,
            window.race_start,
            Code.TOO_CLOSE_BEFORE_RACE,
            {"race": race.name, "days": window.rest_days_before, "last_day": window.last_day},
        ),
        (
            window.race_start,
            window.ends,
            Code.TOO_SOON_AFTER_RACE,
            {"race": race.name, "from": window.ends.astimezone(policy.tz)},
        ),
    ]


def race_violations(
    start: datetime, end: datetime, races: Iterable[RaceInfo], policy: Policy
) -> list[Violation]:
    found = []
    for race in races:
        for span_start, span_end, code, params in race_spans(race, policy):
            if start < span_end and end > span_start:
                found.append(Violation(code, params, race_id=race.id))
                break
    return found


def _counted(runner: RunnerInfo, exclude_session_id: int | None) -> list[Busy]:
    return [
        b
        for b in runner.sessions
        if exclude_session_id is None or b.session_id != exclude_session_id
    ]


def same_day(
    start: datetime, runner: RunnerInfo, policy: Policy, exclude_session_id: int | None = None
) -> Violation | None:
    """A second unloading massage on one local day (the clinic's) is refused."""
    day = local_date(start, policy.tz)
    for other in _counted(runner, exclude_session_id):
        if local_date(other.start, policy.tz) == day:
            return Violation(Code.SAME_DAY, {"day": day})
    return None


def spacing_warnings(
    start: datetime, runner: RunnerInfo, policy: Policy, exclude_session_id: int | None = None
) -> list[Violation]:
    """Not a refusal: a session closer than the clinic's spacing (default 7 days) to
    another of the runner's sessions is booked, and the answer says so."""
    gap = timedelta(days=policy.min_days_between)
    if gap <= ZERO:
        return []
    near = [
        other
        for other in _counted(runner, exclude_session_id)
        if abs(other.start - start) < gap
        and local_date(other.start, policy.tz) != local_date(start, policy.tz)
    ]
    if not near:
        return []
    closest = min(near, key=lambda other: abs(other.start - start))
    return [
        Violation(
            Code.TOO_SOON_AFTER_PREVIOUS,
            {"other": local_date(closest.start, policy.tz), "days": policy.min_days_between},
        )
    ]


def next_day_warnings(
    start: datetime, end: datetime, runner: RunnerInfo, policy: Policy
) -> list[Violation]:
    """Not a refusal: a planned demanding training on the local day after the massage
    (the training's own zone): the muscle tone drops, so that day should be easy."""
    found = []
    for training in runner.planned:
        tz = policy.race_tz(training)
        if training.start >= end and local_date(training.start, tz) == local_date(
            start, tz
        ) + timedelta(days=1):
            found.append(
                Violation(
                    Code.DEMANDING_TRAINING_NEXT_DAY,
                    {"training": training.name, "day": local_date(training.start, tz)},
                    race_id=training.id,
                )
            )
    return found


def on_grid(start: datetime, hours: list[HoursRule], policy: Policy) -> bool:
    """Whether a start lies on the slot grid: a whole number of steps from the start of
    the working stretch it is in, to the second (10:07 or 10:00:33 are off it)."""
    day = local_date(start, policy.tz)
    for ws, we in working_intervals(hours, policy.tz, day, day):
        if ws <= start < we:
            return (start - ws) % policy.step == ZERO
    return True  # outside the hours: that rule speaks instead


def _overlaps(start: datetime, end: datetime, spans: Iterable[tuple[datetime, datetime]]) -> bool:
    return any(start < s_end and end > s_start for s_start, s_end in spans)


def check(
    *,
    start: datetime,
    end: datetime,
    therapist: TherapistInfo,
    service_active: bool,
    runner: RunnerInfo | None,
    policy: Policy,
    now: datetime,
    exclude_session_id: int | None = None,
    grid_only: bool = False,
) -> list[Violation]:
    """Every rule the session breaks, in the order they are reported (an empty list means
    it may be booked). The rules a staff override lets pass (same day, race rules) come
    last, so an override can skip exactly them. `grid_only` (a runner booking): the
    start must be on the slot grid."""
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("aware datetimes only")
    # Arithmetic and comparisons between datetimes sharing one zone are wall-clock in
    # Python; in UTC they are real time, which is what DST needs.
    start, end, now = start.astimezone(UTC), end.astimezone(UTC), now.astimezone(UTC)
    found: list[Violation] = []
    if not service_active:
        found.append(Violation(Code.INACTIVE, {"what": "service"}))
    if not therapist.active:
        found.append(Violation(Code.INACTIVE, {"what": "therapist"}))
    if start < now:
        found.append(Violation(Code.IN_THE_PAST))
    elif start < now + policy.min_notice:
        found.append(
            Violation(Code.TOO_SHORT_NOTICE, {"minutes": policy.min_notice // timedelta(minutes=1)})
        )
    if start > now + policy.max_ahead:
        found.append(Violation(Code.TOO_FAR_AHEAD, {"days": policy.max_ahead.days}))
    if not within_working_hours(start, end, therapist.hours, policy.tz):
        found.append(Violation(Code.OUTSIDE_WORKING_HOURS, {"therapist": therapist.name}))
    elif grid_only and not on_grid(start, therapist.hours, policy):
        found.append(Violation(Code.OFF_GRID, {"minutes": policy.step // timedelta(minutes=1)}))
    if _overlaps(start, end, therapist.time_off):
        found.append(Violation(Code.THERAPIST_TIME_OFF, {"therapist": therapist.name}))
    taken = (
        (b.start - policy.buffer, b.end + policy.buffer)
        for b in therapist.busy
        if exclude_session_id is None or b.session_id != exclude_session_id
    )
    # The runner's own overlap first: "you already have a session then" is the useful
    # sentence when the therapist is busy with that very session.
    if runner is not None:
        mine = (
            (b.start, b.end)
            for b in runner.busy
            if exclude_session_id is None or b.session_id != exclude_session_id
        )
        if _overlaps(start, end, mine):
            found.append(Violation(Code.RUNNER_OVERLAP))
    if _overlaps(start, end, taken):
        found.append(Violation(Code.SLOT_TAKEN, {"therapist": therapist.name}))
    if runner is not None:
        second = same_day(start, runner, policy, exclude_session_id) if policy.one_a_day else None
        if second is not None:
            found.append(second)
        found.extend(race_violations(start, end, runner.races, policy))
    return found


# Slot generation (the fast path; must agree with `check`).


def _merge(spans: Iterable[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    merged: list[tuple[datetime, datetime]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def free_starts(
    *,
    therapist: TherapistInfo,
    runner: RunnerInfo | None,
    policy: Policy,
    now: datetime,
    first: date,
    last: date,
    duration: timedelta,
    exclude_session_id: int | None = None,
    skip_races: bool = False,
) -> list[datetime]:
    """Every start on the slot step (from the start of each working interval) on local
    dates first..last where `check` finds nothing wrong. Interval arithmetic instead of
    one check per candidate: blocked time is merged once, then each working interval is
    swept."""
    if not therapist.active:
        return []
    now = now.astimezone(UTC)
    blocks: list[tuple[datetime, datetime]] = list(therapist.time_off)
    blocks += [
        (b.start - policy.buffer, b.end + policy.buffer)
        for b in therapist.busy
        if exclude_session_id is None or b.session_id != exclude_session_id
    ]
    if runner is not None:
        blocks += [
            (b.start, b.end)
            for b in runner.busy
            if exclude_session_id is None or b.session_id != exclude_session_id
        ]
        # A day that already has one of the runner's sessions (same_day).
        for other in _counted(runner, exclude_session_id) if policy.one_a_day else ():
            day = local_date(other.start, policy.tz)
            blocks.append(local_day_bounds(policy.tz, day, day))
        if not skip_races:
            for race in runner.races:
                blocks += [(s, e) for s, e, _code, _params in race_spans(race, policy)]
    merged = _merge(blocks)
    block_ends = [e for _s, e in merged]
    earliest = now + policy.min_notice
    latest = now + policy.max_ahead
    step = policy.step
    starts: list[datetime] = []
    for ws, we in working_intervals(therapist.hours, policy.tz, first, last):
        if ws > latest:
            break
        # Free stretches of [ws, we): skip blocks that end before ws.
        i = bisect_right(block_ends, ws)
        cursor = ws
        stretches = []
        while cursor < we:
            if i < len(merged) and merged[i][0] < we:
                b_start, b_end = merged[i]
                if b_start > cursor:
                    stretches.append((cursor, b_start))
                cursor = max(cursor, b_end)
                i += 1
            else:
                stretches.append((cursor, we))
                break
        for fs, fe in stretches:
            lower = max(fs, earliest)
            offset = lower - ws
            n = -(-offset // step) if offset > ZERO else 0
            slot = ws + n * step
            while slot + duration <= fe and slot <= latest:
                starts.append(slot)
                slot += step
    return starts


def open_days(
    therapists: Iterable[TherapistInfo], tz: ZoneInfo, first: date, last: date
) -> set[date]:
    """The local dates first..last on which at least one active therapist works some time
    not covered by time off: the other days the pages call "closed", not "full"."""
    days: set[date] = set()
    for therapist in therapists:
        if not therapist.active:
            continue
        off = _merge(therapist.time_off)
        for ws, we in working_intervals(therapist.hours, tz, first, last):
            if not any(s <= ws and we <= e for s, e in off):
                days.add(local_date(ws, tz))
    return days


def blocked_windows(
    races: Iterable[RaceInfo], policy: Policy, range_start: datetime, range_end: datetime
) -> list[tuple[RaceInfo, datetime, datetime, str, dict[str, Any]]]:
    """(race, start, end, code, sentence params) for each race span that touches the range."""
    out = []
    for race in races:
        for start, end, code, params in race_spans(race, policy):
            if start < range_end and end > range_start:
                out.append((race, start, end, code, params))
    return sorted(out, key=lambda item: (item[1], item[0].id))
