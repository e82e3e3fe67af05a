"""The rules' inputs: a clinic's policy, some therapists' hours, time off and sessions,
and a runner's sessions and races, loaded in a fixed number of queries into the pure
dataclasses of booking.engine.rules."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.db.models import CharField, F, IntegerField, Q, QuerySet, Value

from booking.engine import rules
from booking.models import Session, SessionStatus
from clinic import timeutils
from clinic.models import Clinic, RaceWindow, Therapist, TimeOff, WorkingHours
from clinic.policy import EffortKind, Policy, demanding_reasons
from runners import selectors as runner_selectors
from runners.models import Race, Runner, TrainingKind

# The sessions that count as a massage had or to come (spacing, the ideal marks).
COUNTED_STATUSES = frozenset({SessionStatus.BOOKED, SessionStatus.ATTENDED})


@dataclass
class Context:
    """What the rules need for one clinic, some therapists and maybe a runner, over a
    stretch of time."""

    clinic: Clinic
    policy: Policy
    therapists: dict[int, rules.TherapistInfo]
    runner: rules.RunnerInfo | None
    runner_session_starts: list[datetime] = field(default_factory=list)


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo is UTC else moment.astimezone(UTC)


def weekly_hours(
    hours_qs: QuerySet[WorkingHours], *, with_names: bool = False
) -> Iterator[tuple[int, str, timeutils.HoursRule]]:
    """The one read of weekly hours: (therapist id, therapist name or "", rule) for each
    row, as the pure rules take them (clinic.timeutils decides which are in force when).
    Plain rows, not model instances: this is the hot path of every availability call."""
    fields = ["therapist_id", "weekday", "start_time", "end_time", "valid_from", "valid_until"]
    if with_names:
        fields.append("therapist__display_name")
    for t_id, weekday, h_start, h_end, valid_from, valid_until, *name in hours_qs.values_list(
        *fields
    ).order_by("therapist_id", "weekday", "start_time"):
        rule = timeutils.HoursRule(weekday, h_start, h_end, valid_from, valid_until)
        yield t_id, (name[0] if name else ""), rule


def training_efforts(
    rows: list[runner_selectors.TrainingRow], policy: Policy, since: datetime, until: datetime
) -> dict[int, list[tuple[rules.RaceInfo, bool]]]:
    """{runner id: [(effort, planned)]}: the demanding trainings (clinic.policy decides,
    each against the runner's weeks before it) that touch [since, until), as efforts the
    rules keep a massage clear of, named in words ("long run")."""
    by_runner: dict[int, list[runner_selectors.TrainingRow]] = {}
    for row in rows:
        by_runner.setdefault(row.runner_id, []).append(row)
    out: dict[int, list[tuple[rules.RaceInfo, bool]]] = {}
    for runner_id, own in by_runner.items():
        reasons = demanding_reasons(own, policy.demanding)
        out[runner_id] = [
            (
                rules.RaceInfo(
                    id=row.id,
                    name=str(TrainingKind(row.kind).label).lower(),
                    start=_utc(row.start),
                    finish=_utc(row.finish),
                    distance_km=row.distance_km,
                    timezone=row.timezone,
                    kind=EffortKind.TRAINING,
                ),
                row.planned,
            )
            for row, reason in zip(own, reasons, strict=True)
            if reason and row.start < until and row.finish > since
        ]
    return out


def therapist_hours(therapist: Therapist) -> list[timeutils.HoursRule]:
    """All of one therapist's weekly hours rows (past, current and planned), one query."""
    return [
        rule for _t, _name, rule in weekly_hours(WorkingHours.objects.filter(therapist=therapist))
    ]


def load_context(
    *,
    clinic: Clinic,
    therapist_ids: list[int] | None,
    runner: Runner | None,
    span_start: datetime,
    span_end: datetime,
    therapists: list[Therapist] | None = None,
    lookback: timedelta = timedelta(0),
    lookahead: timedelta = timedelta(0),
    race_windows: list[RaceWindow] | None = None,
    races: list[Race] | None = None,
    with_trainings: bool = True,
) -> Context:
    """Set-based, whatever the span and the number of therapists: the hours (with the
    therapists' names), then time off and sessions (the therapists' and the runner's) in
    one UNION ALL, and for a runner the race window rules, the races and the trainings
    (with the weeks before them that "demanding" compares with): two queries without a
    runner, five with one.

    `therapists` (already fetched, e.g. locked rows) saves the therapist query: their
    hours are then read on their own. `race_windows` and `races` (already known, e.g.
    none) save their queries, as `with_trainings=False` (the runner has none) does.
    """
    infos: dict[int, rules.TherapistInfo] = {}
    if therapists is not None:
        for t in therapists:
            infos[t.pk] = rules.TherapistInfo(id=t.pk, name=t.display_name, active=t.active)
        hours_qs = WorkingHours.objects.filter(therapist_id__in=list(infos))
    else:
        hours_qs = WorkingHours.objects.filter(therapist__clinic=clinic, therapist__active=True)
        if therapist_ids is not None:
            hours_qs = hours_qs.filter(therapist_id__in=therapist_ids)
    for t_id, name, rule in weekly_hours(hours_qs, with_names=therapists is None):
        info = infos.get(t_id)
        if info is None:
            info = infos[t_id] = rules.TherapistInfo(id=t_id, name=name, active=True)
        info.hours.append(rule)
    policy_windows: list[RaceWindow] = []
    if runner is not None:
        policy_windows = (
            race_windows
            if race_windows is not None
            else list(RaceWindow.objects.filter(clinic=clinic))
        )
    policy = Policy.from_clinic(clinic, policy_windows)

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
    runner_pk = runner.pk if runner is not None else None
    if runner is not None:
        runner_info = rules.RunnerInfo(id=runner.pk)
        cond |= Q(
            runner_id=runner.pk, start__lt=span_end + lookahead, end__gt=span_start - lookback
        )
    columns = ("k", "pk", "t", "r", "a", "b", "st")
    off_rows = (
        TimeOff.objects.filter(off_filter, start__lt=span_end, end__gt=span_start)
        .annotate(
            k=Value("off", output_field=CharField()),
            t=F("therapist_id"),
            r=Value(None, output_field=IntegerField()),
            a=F("start"),
            b=F("end"),
            st=Value("", output_field=CharField()),
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
            st=F("status"),
        )
        .order_by()  # a compound statement takes no ORDER BY in its parts (SQLite)
        .values_list(*columns)
    )
    starts: list[datetime] = []
    for kind, pk, t_id, r_id, a, b, st in off_rows.union(session_rows, all=True):
        a, b = _utc(a), _utc(b)
        info = infos.get(t_id)
        if kind == "off":
            if info is not None:
                info.time_off.append((a, b))
            continue
        busy = rules.Busy(a, b, pk)
        if info is not None and a < span_end + buffer and b > span_start - buffer:
            info.busy.append(busy)
        if runner_info is not None and r_id == runner_pk:
            if a < span_end and b > span_start:
                runner_info.busy.append(busy)
            # A missed session holds its time but never counts as a massage had (the
            # cadence's ideal marks, the spacing rules).
            if st in COUNTED_STATUSES:
                starts.append(a)
                runner_info.sessions.append(busy)
    if runner_info is not None:
        after, before = policy.longest_race_windows
        for race in (
            races
            if races is not None
            else Race.objects.filter(
                runner=runner, start__lt=span_end + before, finish__gt=span_start - after
            )
        ):
            runner_info.races.append(
                rules.RaceInfo(
                    id=race.pk,
                    name=race.name,
                    start=_utc(race.start),
                    finish=_utc(race.finish),
                    distance_km=race.distance_km,
                    priority=race.priority,
                    timezone=race.timezone,
                )
            )
        since, until = span_start - after, span_end + before
        rows = (
            runner_selectors.training_rows({runner_info.id or 0}, since, until)
            if with_trainings
            else []
        )
        for effort, planned in training_efforts(rows, policy, since, until).get(
            runner_info.id or 0, []
        ):
            runner_info.races.append(effort)
            if planned:
                runner_info.planned.append(effort)
    return Context(
        clinic=clinic,
        policy=policy,
        therapists=infos,
        runner=runner_info,
        runner_session_starts=sorted(starts),
    )


def load_runners(
    runners: QuerySet[Runner],
    *,
    policy: Policy,
    span_start: datetime,
    span_end: datetime,
    lookback: timedelta = timedelta(0),
    lookahead: timedelta = timedelta(0),
) -> dict[int, rules.RunnerInfo]:
    """What `load_context` reads for one runner, for a whole set of them in two queries
    (their sessions, their races), however many: the waitlist checks a freed time for
    every waiting runner with the one validator, never with a query per runner."""
    ids = runners.values("pk")
    infos: dict[int, rules.RunnerInfo] = {}

    def info(runner_id: int) -> rules.RunnerInfo:
        found = infos.get(runner_id)
        if found is None:
            found = infos[runner_id] = rules.RunnerInfo(id=runner_id)
        return found

    for pk, r_id, a, b, st in (
        Session.objects.filter(
            runner_id__in=ids,
            status__in=Session.ACTIVE_STATUSES,
            start__lt=span_end + lookahead,
            end__gt=span_start - lookback,
        )
        .order_by()
        .values_list("pk", "runner_id", "start", "end", "status")
    ):
        busy = rules.Busy(_utc(a), _utc(b), pk)
        runner_info = info(r_id)
        if busy.start < span_end and busy.end > span_start:
            runner_info.busy.append(busy)
        if st in COUNTED_STATUSES:
            runner_info.sessions.append(busy)
    after, before = policy.longest_race_windows
    for race in Race.objects.filter(
        runner_id__in=ids, start__lt=span_end + before, finish__gt=span_start - after
    ).order_by():
        info(race.runner_id).races.append(
            rules.RaceInfo(
                id=race.pk,
                name=race.name,
                start=_utc(race.start),
                finish=_utc(race.finish),
                distance_km=race.distance_km,
                priority=race.priority,
                timezone=race.timezone,
            )
        )
    return infos
