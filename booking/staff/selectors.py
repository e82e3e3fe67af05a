"""Reads for the staff pages and API: agendas and the sessions a schedule change leaves
in the way. Each is a fixed number of queries whatever the number of sessions."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, Min, Prefetch, Q, QuerySet
from django.utils import timezone

from booking.engine import conflicts
from booking.engine.context import therapist_hours
from booking.engine.selectors import staff_sessions
from booking.models import Session
from clinic import permissions, timeutils
from clinic.models import Clinic, Therapist, TimeOff, User
from clinic.policy import DemandingThresholds, Policy, demanding_reasons
from runners.models import Race, Runner, TrainingKind
from runners.selectors import TrainingRow, training_rows

# How far ahead the agenda looks for a runner's races ("marathon in 9 days").
RACE_HORIZON = timedelta(days=60)
# The season the therapist sees around a session: races of the last week too.
RACE_LOOKBACK = timedelta(days=7)
# Races that can still clash with a session (14-day races, days after): read with the
# agenda's sessions so the race re-check needs no query of its own.
CLASH_LOOKBACK = timedelta(days=40)
PREVIOUS_RECORDS = 5
# The training load the therapist sees: the runner's last 14 days up to the session's day.
LOAD_DAYS = 14


@dataclass
class LoadDay:
    day: date
    minutes: int = 0
    # The demanding trainings done that day, in words ("long run").
    demanding: list[str] = field(default_factory=list)


@dataclass
class TrainingLoad:
    """A runner's done trainings, day by day, over the LOAD_DAYS up to a session's day
    (in the clinic's zone): so the massage can be adapted to the week's load."""

    days: list[LoadDay]

    @property
    def total_minutes(self) -> int:
        return sum(d.minutes for d in self.days)

    @property
    def most_minutes(self) -> int:
        return max([d.minutes for d in self.days] + [1])

    @property
    def demanding_days(self) -> list[LoadDay]:
        return [d for d in self.days if d.demanding]

    @property
    def trained_days(self) -> int:
        return sum(1 for d in self.days if d.minutes)

    def bars(self) -> list[dict[str, Any]]:
        """The chart's geometry (viewBox 0 0 196 60: a 10-wide bar every 14, 48 tall at
        most, bottom at 52; a demanding day's bar darker, with a mark above it)."""
        most = self.most_minutes
        out = []
        for i, d in enumerate(self.days):
            height = round(48 * d.minutes / most) if d.minutes else 0
            out.append(
                {
                    "x": i * 14 + 2,
                    "y": 52 - height,
                    "height": height,
                    "mark_y": 50 - height,
                    "day": d,
                }
            )
        return out


def training_load(
    rows: list[TrainingRow], thresholds: DemandingThresholds, last_day: date, tz: ZoneInfo
) -> TrainingLoad:
    """From one runner's rows (start order, reaching USUAL_DAYS before the first day so
    "demanding" compares with the runner's own weeks): no query."""
    first = last_day - timedelta(days=LOAD_DAYS - 1)
    days = {first + timedelta(days=i): LoadDay(first + timedelta(days=i)) for i in range(LOAD_DAYS)}
    for row, reason in zip(rows, demanding_reasons(rows, thresholds), strict=True):
        day = days.get(row.start.astimezone(tz).date())
        if row.planned or day is None:
            continue
        day.minutes += row.minutes
        if reason:
            day.demanding.append(str(TrainingKind(row.kind).label).lower())
    return TrainingLoad(list(days.values()))


def _rows_by_runner(rows: list[TrainingRow]) -> dict[int, list[TrainingRow]]:
    out: dict[int, list[TrainingRow]] = {}
    for row in rows:
        out.setdefault(row.runner_id, []).append(row)
    return out


@dataclass
class AgendaEntry:
    session: Session
    local_start: datetime
    local_end: datetime
    races: list[tuple[Race, int]] = field(default_factory=list)  # (race, days until)
    # Races the session now clashes with (logged or moved after booking): a flag.
    conflicts: list[Any] = field(default_factory=list)
    load: TrainingLoad | None = None

    @property
    def runner(self) -> Runner:
        return self.session.runner

    @property
    def unmarked(self) -> bool:
        """Over and still booked: attendance not marked yet."""
        return self.session.status == Session.Status.BOOKED and self.session.end <= timezone.now()


@dataclass
class AgendaDay:
    day: date
    entries: list[AgendaEntry] = field(default_factory=list)


def agenda(
    *, user: User, clinic: Clinic, first: date, last: date, therapist: Therapist | None = None
) -> list[AgendaDay]:
    """The sessions of each clinic-local day from first to last (in-time cancellations left
    out), with each runner's upcoming races. Two queries."""
    tz = clinic.tz
    lo, hi = timeutils.local_day_bounds(tz, first, last)
    qs = (
        staff_sessions(user)
        .filter(clinic=clinic, start__gte=lo, start__lt=hi)
        .exclude(status=Session.Status.CANCELLED)
        .select_related("runner__user", "service", "therapist")
        .prefetch_related(
            Prefetch(
                "runner__races",
                queryset=Race.objects.filter(
                    start__gte=lo - CLASH_LOOKBACK, start__lt=hi + RACE_HORIZON
                ).order_by("start"),
                to_attr="upcoming_races",
            )
        )
        .order_by("start", "therapist__display_name")
    )
    if therapist is not None:
        qs = qs.filter(therapist=therapist)
    days = {
        first + timedelta(days=i): AgendaDay(first + timedelta(days=i))
        for i in range((last - first).days + 1)
    }
    sessions = list(qs)
    read = {r.pk: r for s in sessions for r in s.runner.upcoming_races}  # type: ignore[attr-defined]
    # One read of the trainings for the load charts and the re-check alike.
    rows = (
        training_rows(
            {s.runner_id for s in sessions},
            min(lo - timedelta(days=LOAD_DAYS), lo - conflicts.TRAINING_REACH),
            hi,
        )
        if sessions
        else []
    )
    clashes = conflicts.conflicts_for_sessions(
        sessions, clinic=clinic, races=read.values(), trainings=rows
    )
    by_runner = _rows_by_runner(rows)
    thresholds = Policy.from_clinic(clinic).demanding
    for session in sessions:
        ls, le = session.start.astimezone(tz), session.end.astimezone(tz)
        races = []
        upcoming: list[Race] = session.runner.upcoming_races  # type: ignore[attr-defined]
        for race in upcoming:
            if session.start - RACE_LOOKBACK <= race.start <= session.start + RACE_HORIZON:
                races.append((race, (race.start.astimezone(tz).date() - ls.date()).days))
        entry = AgendaEntry(
            session=session,
            local_start=ls,
            local_end=le,
            races=races[:3],
            conflicts=clashes.get(session.pk, []),
            load=training_load(by_runner.get(session.runner_id, []), thresholds, ls.date(), tz),
        )
        if ls.date() in days:
            days[ls.date()].entries.append(entry)
    return list(days.values())


@dataclass
class Unmarked:
    count: int
    oldest: date | None  # clinic-local day of the oldest one, to go and mark it


def past_unmarked(
    *, user: User, clinic: Clinic, therapist: Therapist | None = None, now: datetime | None = None
) -> Unmarked:
    """Sessions of the clinic (or the therapist) that are over and still booked. One query."""
    qs = staff_sessions(user).filter(
        clinic=clinic, status=Session.Status.BOOKED, end__lte=now or timezone.now()
    )
    if therapist is not None:
        qs = qs.filter(therapist=therapist)
    row = qs.aggregate(n=Count("id"), oldest=Min("start"))
    oldest = row["oldest"].astimezone(clinic.tz).date() if row["oldest"] else None
    return Unmarked(row["n"], oldest)


@dataclass
class InTheWay:
    session: Session
    local_start: datetime
    local_end: datetime
    reason: str  # "outside_hours" | "time_off"
    time_off: TimeOff | None = None


def sessions_in_the_way(
    *, therapist: Therapist, since: datetime | None = None, now: datetime | None = None
) -> list[InTheWay]:
    """Booked sessions of the therapist, from `since` (and not before now), that fall
    outside the working hours in force on their day or inside time off. Three queries."""
    now = now or timezone.now()
    since = max(since or now, now)
    tz = therapist.clinic.tz
    sessions = list(
        Session.objects.filter(therapist=therapist, status=Session.Status.BOOKED, end__gt=since)
        .select_related("runner__user", "service")
        .order_by("start")
    )
    if not sessions:
        return []
    hours = therapist_hours(therapist)
    offs = list(
        TimeOff.objects.filter(
            therapist=therapist, end__gt=sessions[0].start, start__lt=sessions[-1].end
        ).order_by("start")
    )
    result: list[InTheWay] = []
    for s in sessions:
        ls, le = s.start.astimezone(tz), s.end.astimezone(tz)
        off = next((o for o in offs if o.start < s.end and o.end > s.start), None)
        if off is not None:
            result.append(InTheWay(s, ls, le, "time_off", off))
            continue
        # The validator's own test: the hours in force that day, touching rows merged.
        if not timeutils.within_working_hours(s.start, s.end, hours, tz):
            result.append(InTheWay(s, ls, le, "outside_hours"))
    return result


@dataclass
class Season:
    """What the therapist sees of a runner's season around a session: races of the last
    7 days and the next 60 (with the days from the session, negative before it), the
    races it now clashes with, and the runner's previous session records."""

    races: list[tuple[Race, int]]
    conflicts: list[Any]
    previous: list[Session]
    load: TrainingLoad | None = None


def runner_season(session: Session) -> Season:
    """Around one session, for the staff session page (a fixed number of queries)."""
    tz = session.clinic.tz
    day = session.start.astimezone(tz).date()
    races = Race.objects.filter(
        runner_id=session.runner_id,
        start__gte=session.start - RACE_LOOKBACK,
        start__lte=session.start + RACE_HORIZON,
    ).order_by("start")
    previous = list(
        # Health data: only this clinic's records, whatever other clinic the runner visits.
        Session.objects.filter(
            runner_id=session.runner_id,
            clinic_id=session.clinic_id,
            status=Session.Status.ATTENDED,
            start__lt=session.start,
        )
        .select_related("therapist", "service")
        .order_by("-start")[:PREVIOUS_RECORDS]
    )
    lo = timeutils.local_day_bounds(tz, day, day)[0]
    rows = training_rows(
        {session.runner_id},
        min(lo - timedelta(days=LOAD_DAYS), session.start - conflicts.TRAINING_REACH),
        session.end,
    )
    return Season(
        races=[(r, (r.start.astimezone(tz).date() - day).days) for r in races],
        conflicts=conflicts.conflicts_for_sessions(
            [session], clinic=session.clinic, trainings=rows
        ).get(session.pk, []),
        previous=previous,
        load=training_load(rows, Policy.from_clinic(session.clinic).demanding, day, tz),
    )


def runners_matching(user: User, query: str, *, limit: int = 20) -> QuerySet[Runner]:
    """The runners the user's clinic serves whose name, e-mail or phone has every word of
    the query ("ana gar", "ana@", "600 12"). None for an empty query."""
    runners = permissions.scope(Runner.objects.select_related("user"), user)
    words = query.split()
    if not words:
        return runners.none()
    for word in words:
        runners = runners.filter(
            Q(user__first_name__icontains=word)
            | Q(user__last_name__icontains=word)
            | Q(user__email__icontains=word)
            | Q(phone__icontains=word)
        )
    return runners.order_by("user__first_name", "user__last_name", "pk")[:limit]
