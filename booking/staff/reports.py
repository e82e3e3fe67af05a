"""Attendance and adherence reports, computed in the database (a fixed number of queries
whatever the number of sessions), grouped by week or month in the clinic's time zone."""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from django.db import connection
from django.db.models import Count, Max, Min, Q, QuerySet
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils import timezone

from booking.engine import cadence
from booking.models import Session
from clinic import timeutils
from clinic.models import Clinic, Therapist
from runners.models import CADENCE_DAYS, Cadence, Runner

S = Session.Status
GROUPS = ("week", "month")


def period_start(day: date, group_by: str) -> date:
    if group_by == "month":
        return day.replace(day=1)
    return day - timedelta(days=day.weekday())


def next_period(day: date, group_by: str) -> date:
    if group_by == "month":
        return (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return day + timedelta(days=7)


def attendance_rate(attended: int, no_show: int, late_cancelled: int) -> float | None:
    denominator = attended + no_show + late_cancelled
    return round(attended / denominator, 4) if denominator else None


@dataclass
class Row:
    period: date
    booked: int = 0  # every session of the period, whatever became of it
    attended: int = 0
    no_show: int = 0
    cancelled: int = 0
    late_cancelled: int = 0
    pending: int = 0  # still booked: upcoming, or not marked yet

    @property
    def rate(self) -> float | None:
        return attendance_rate(self.attended, self.no_show, self.late_cancelled)

    def as_dict(self) -> dict:
        return {
            "period": self.period.isoformat(),
            "booked": self.booked,
            "attended": self.attended,
            "no_show": self.no_show,
            "cancelled": self.cancelled,
            "late_cancelled": self.late_cancelled,
            "pending": self.pending,
            "attendance_rate": self.rate,
        }


@dataclass
class AttendanceReport:
    clinic: Clinic
    start: date
    end: date  # inclusive
    group_by: str
    therapist: Therapist | None
    rows: list[Row] = field(default_factory=list)
    total: Row | None = None

    def as_dict(self) -> dict:
        return {
            "clinic": self.clinic.pk,
            "therapist": self.therapist.pk if self.therapist else None,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "group_by": self.group_by,
            "timezone": self.clinic.timezone,
            "rows": [r.as_dict() for r in self.rows],
            "total": (self.total or Row(period=self.start)).as_dict() | {"period": None},
        }


def period_bounds(clinic: Clinic, start: date, end: date) -> tuple[datetime, datetime]:
    """[local midnight of start, local midnight after end) in the clinic's zone."""
    return timeutils.local_day_bounds(clinic.tz, start, end)


def sessions_in_period(
    *, clinic: Clinic, start: date, end: date, therapist: Therapist | None = None
) -> QuerySet[Session]:
    lo, hi = period_bounds(clinic, start, end)
    qs = Session.objects.filter(clinic=clinic, start__gte=lo, start__lt=hi)
    if therapist is not None:
        qs = qs.filter(therapist=therapist)
    return qs


def attendance_report(
    *,
    clinic: Clinic,
    start: date,
    end: date,
    group_by: str = "week",
    therapist: Therapist | None = None,
) -> AttendanceReport:
    """Counts per week (Monday) or month of the clinic-local start date, from start to end
    inclusive; periods without sessions are there with zeros. One query."""
    if group_by not in GROUPS:
        raise ValueError(group_by)
    trunc = TruncMonth if group_by == "month" else TruncWeek
    rows = (
        sessions_in_period(clinic=clinic, start=start, end=end, therapist=therapist)
        .annotate(period=trunc("start", tzinfo=clinic.tz))
        .values("period")
        .annotate(
            booked=Count("id"),
            attended=Count("id", filter=Q(status=S.ATTENDED)),
            no_show=Count("id", filter=Q(status=S.NO_SHOW)),
            cancelled=Count("id", filter=Q(status=S.CANCELLED)),
            late_cancelled=Count("id", filter=Q(status=S.LATE_CANCELLED)),
            pending=Count("id", filter=Q(status=S.BOOKED)),
        )
        .order_by("period")
    )
    found: dict[date, Row] = {}
    for values in rows:
        period = values.pop("period")
        day = period.astimezone(clinic.tz).date() if isinstance(period, datetime) else period
        found[day] = Row(period=day, **values)
    report = AttendanceReport(
        clinic=clinic, start=start, end=end, group_by=group_by, therapist=therapist
    )
    day = period_start(start, group_by)
    while day <= end:
        report.rows.append(found.get(day) or Row(period=day))
        day = next_period(day, group_by)
    total = Row(period=start)
    for r in report.rows:
        for name in ("booked", "attended", "no_show", "cancelled", "late_cancelled", "pending"):
            setattr(total, name, getattr(total, name) + getattr(r, name))
    report.total = total
    return report


@dataclass
class Adherence:
    runner: Runner
    cadence_days: int
    attended: int
    expected: int  # whole sessions the cadence asks for in the period
    last_attended: datetime | None
    next_booked: datetime | None
    longest_gap_days: int | None
    days_since_last: int | None
    due: bool = True  # booking.engine.cadence.is_due, as the reminders decide it

    @property
    def overdue(self) -> bool:
        return self.due and self.next_booked is None

    @property
    def name(self) -> str:
        return self.runner.user.get_full_name()


SORTS = {
    "name": lambda a: a.name.lower(),
    "days_since_last": lambda a: -(a.days_since_last if a.days_since_last is not None else 10**6),
    "longest_gap": lambda a: -(a.longest_gap_days or 0),
    "attended": lambda a: a.attended,
    "next_booked": lambda a: (
        a.next_booked is not None,
        a.next_booked or datetime.min.replace(tzinfo=UTC),
    ),
}

# Days between two timestamps: PostgreSQL, and SQLite for the embedded default (make run).
_DAYS_BETWEEN = {
    "postgresql": "EXTRACT(EPOCH FROM (next_start - start)) / 86400.0",
    "sqlite": "julianday(next_start) - julianday(start)",
}

_GAPS_SQL = """
SELECT runner_id, MAX({days_between})
FROM (
    SELECT runner_id, start,
           COALESCE(LEAD(start) OVER (PARTITION BY runner_id ORDER BY start), %s) AS next_start
    FROM booking_session
    WHERE clinic_id = %s AND status = 'attended' AND start >= %s AND start < %s
) gaps
GROUP BY runner_id
"""


def adherence(
    *,
    clinic: Clinic,
    start: date,
    end: date,
    now: datetime | None = None,
    sort: str = "days_since_last",
    overdue_only: bool = False,
) -> list[Adherence]:
    """For each runner of the clinic on a cadence: sessions attended in the period against
    the cadence, the longest gap between sessions (the open one up to today included), days
    since the last session and the next booked one. Three queries."""
    now = now or timezone.now()
    lo, hi = period_bounds(clinic, start, end)
    bound = min(hi, now)
    attended_q = Q(sessions__status=S.ATTENDED, sessions__clinic=clinic)
    runners = (
        Runner.objects.filter(
            Q(clinic=clinic) | Q(pk__in=Session.objects.filter(clinic=clinic).values("runner_id"))
        )
        .exclude(cadence=Cadence.OFF)
        .select_related("user")
        .annotate(
            attended_in_period=Count(
                "sessions",
                filter=attended_q & Q(sessions__start__gte=lo, sessions__start__lt=hi),
                distinct=True,
            ),
            last_attended=Max("sessions__start", filter=attended_q & Q(sessions__start__lt=now)),
            next_booked=Min(
                "sessions__start",
                filter=Q(
                    sessions__status=S.BOOKED,
                    sessions__clinic=clinic,
                    sessions__start__gte=now,
                ),
            ),
        )
    )
    with connection.cursor() as cursor:
        sql = _GAPS_SQL.format(days_between=_DAYS_BETWEEN[connection.vendor])
        cursor.execute(sql, [bound, clinic.pk, lo, hi])
        gaps = {rid: float(g) for rid, g in cursor.fetchall() if g is not None}
    period_days = max((min(hi, now) - lo).days, 0) if now > lo else 0
    result = []
    for r in runners:
        cadence_days = CADENCE_DAYS[r.cadence]
        since = (now - r.last_attended).days if r.last_attended else None
        last_day = timeutils.local_date(r.last_attended, clinic.tz) if r.last_attended else None
        result.append(
            Adherence(
                runner=r,
                cadence_days=cadence_days,
                attended=r.attended_in_period,
                expected=max(1, int(period_days / cadence_days + 0.5)),
                last_attended=r.last_attended,
                next_booked=r.next_booked,
                longest_gap_days=int(gaps[r.pk]) if r.pk in gaps else None,
                days_since_last=since,
                due=cadence.is_due(
                    last_day=last_day, today=timeutils.local_date(now, clinic.tz), days=cadence_days
                ),
            )
        )
    if overdue_only:
        result = [a for a in result if a.overdue]
    result.sort(key=SORTS.get(sort, SORTS["days_since_last"]))
    return result


def race_overrides(*, clinic: Clinic, start: date, end: date) -> QuerySet[Session]:
    """Sessions booked past a race rule, with the reason and who overrode it."""
    return (
        sessions_in_period(clinic=clinic, start=start, end=end)
        .exclude(race_override_reason="")
        .select_related("runner__user", "therapist", "race_override_by")
        .order_by("-start")
    )
