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
the buffer) ends, or exactly `after_race_hours` after a race's finish.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from booking.engine.codes import RACE_CODES, Code
from clinic.policy import Policy
from clinic.timeutils import HoursRule, local_date, within_working_hours, working_intervals

ZERO = timedelta(0)


@dataclass(frozen=True)
class Busy:
    start: datetime
    end: datetime
    session_id: int | None = None


@dataclass(frozen=True)
class RaceInfo:
    id: int
    name: str
    start: datetime
    finish: datetime
    distance_km: Decimal | None = None
    priority: str = "B"


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


@dataclass(frozen=True)
class Violation:
    code: str
    params: dict[str, Any] = field(default_factory=dict)
    race_id: int | None = None

    @property
    def is_race_rule(self) -> bool:
        return self.code in RACE_CODES


def clinic_mismatch(*, service_clinic_id: int, therapist_clinic_id: int) -> Violation | None:
    """The same-clinic rule: a service is booked with a therapist of the service's own
    clinic (the validator asks it first)."""
    if service_clinic_id == therapist_clinic_id:
        return None
    return Violation(Code.THERAPIST_OTHER_CLINIC)


def race_spans(race: RaceInfo, policy: Policy) -> list[tuple[datetime, datetime, str, int]]:
    """The time a session may not touch because of a race (clinic.policy's forbidden
    window), with the rule's code and its figure in hours: the `before` hours up to the
    start, and from the start until `after` hours past the finish."""
    window = policy.forbidden_window(race)
    return [
        (window.starts, window.race_start, Code.TOO_CLOSE_BEFORE_RACE, window.before_hours),
        (window.race_start, window.ends, Code.TOO_SOON_AFTER_RACE, window.after_hours),
    ]


def race_violations(
    start: datetime, end: datetime, races: Iterable[RaceInfo], policy: Policy
) -> list[Violation]:
    found = []
    for race in races:
        for span_start, span_end, code, hours in race_spans(race, policy):
            if start < span_end and end > span_start:
                found.append(Violation(code, {"race": race.name, "hours": hours}, race_id=race.id))
                break
    return found


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
) -> list[Violation]:
    """Every rule the session breaks, in the order they are reported (an empty list means
    it may be booked). Race rules come last, so a staff override can skip exactly them."""
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
        if not skip_races:
            for race in runner.races:
                blocks += [(s, e) for s, e, _code, _hours in race_spans(race, policy)]
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
) -> list[tuple[RaceInfo, datetime, datetime, str, int]]:
    """(race, start, end, code, hours) for each race span that touches the range."""
    out = []
    for race in races:
        for start, end, code, hours in race_spans(race, policy):
            if start < range_end and end > range_start:
                out.append((race, start, end, code, hours))
    return sorted(out, key=lambda item: (item[1], item[0].id))
