"""The staff calendar: sessions, free times, closed hours and time off laid out on a time
grid, one column per therapist (a day) or per day (a therapist's week).

Reads in a fixed number of queries whatever the number of therapists and sessions: the
agenda's sessions (booking.staff.selectors.agenda), every column's weekly hours (the one
read, booking.engine.context.weekly_hours) and time off. The grid itself is pure: rows are
the clinic's slot step in clinic-local wall time, so 09:00 sits on the same row on both
sides of a DST change.

A free cell is a step where the clinic's shortest service fits inside the hours in force
(clinic.timeutils) and no session or time off holds that time: a place to tap, not a
promise. The booking service decides, with the
validator's reasons (notice, buffer, race rules) when it refuses.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Min
from django.utils import timezone

from booking.engine.context import weekly_hours
from booking.models import ACTIVE_STATUSES
from booking.staff.selectors import AgendaEntry, agenda
from clinic import permissions, timeutils
from clinic.models import Clinic, Service, Therapist, TimeOff, User, WorkingHours

# The grid when no column has hours that day: a usual clinic day.
DEFAULT_OPEN, DEFAULT_CLOSE = 8 * 60, 20 * 60
# Rows and spans the stylesheet has classes for (static/css/calendar.css): a whole day at
# the smallest slot step (5 minutes).
MAX_ROWS = 288


@dataclass
class Block:
    """One thing on a column: a session, a free time to book, time off, or closed hours.
    row and span are 1-based grid rows of the slot step."""

    kind: str  # "session" | "free" | "off" | "closed" | "now"
    row: int
    span: int
    start: datetime  # clinic-local
    end: datetime
    entry: AgendaEntry | None = None
    reason: str = ""
    label: str = ""  # time off: its hours that day, "" for all day; now: its place in the row
    movable: bool = False

    # Plain strings for the template (its filters and number formatting cost a
    # millisecond a block on a 20-therapist day).
    @property
    def place(self) -> str:
        return f"row-{self.row} span-{self.span}"

    @property
    def hhmm(self) -> str:
        return f"{self.start:%H:%M}"

    @property
    def times(self) -> str:
        return f"{self.start:%H:%M}–{self.end:%H:%M}"

    @property
    def local_iso(self) -> str:
        return f"{self.start:%Y-%m-%dT%H:%M}"


@dataclass
class Column:
    day: date
    therapist: Therapist
    bookable: bool  # the user may book and move sessions for this therapist
    blocks: list[Block] = field(default_factory=list)

    @property
    def closed_all_day(self) -> bool:
        """No hours and nothing booked: the phone's list says so in words."""
        return all(b.kind in ("closed", "now") for b in self.blocks)


@dataclass
class Grid:
    step: int  # minutes
    rows: int
    opens: int  # minutes after local midnight of the first row
    columns: list[Column]

    @property
    def hours(self) -> list[tuple[int, str]]:
        """(row, "09:00") for every whole hour on the grid: the time axis."""
        last = self.opens + self.rows * self.step
        return [
            ((h * 60 - self.opens) // self.step + 1, f"{h:02d}:00")
            for h in range(-(-self.opens // 60), -(-last // 60))
        ]


def _minutes(moment: datetime) -> int:
    return moment.hour * 60 + moment.minute


def _local_intervals(
    rules: list[timeutils.HoursRule], tz: ZoneInfo, day: date, lo: datetime, hi: datetime
) -> list[tuple[datetime, datetime]]:
    return [
        (max(s, lo).astimezone(tz), min(e, hi).astimezone(tz))
        for s, e in timeutils.working_intervals(rules, tz, day, day)
    ]


def _off_label(off: TimeOff, midnight: datetime, tz: ZoneInfo) -> str:
    """Time off's own hours on the day starting at `midnight` ("" when it covers it all)."""
    next_midnight = midnight + timedelta(days=1)
    start, end = max(off.start, midnight), min(off.end, next_midnight)
    if (start, end) == (midnight, next_midnight):
        return ""
    until = "24:00" if end == next_midnight else f"{end.astimezone(tz):%H:%M}"
    return f"{start.astimezone(tz):%H:%M}–{until}"


def calendar_grid(
    *,
    user: User,
    clinic: Clinic,
    days: list[date],
    therapists: list[Therapist],
    now: datetime | None = None,
) -> Grid:
    """The columns (each day × each therapist, in that order) with their blocks."""
    now = now or timezone.now()
    tz, step = clinic.tz, clinic.slot_step_minutes
    ids = [t.pk for t in therapists]
    lo, hi = timeutils.local_day_bounds(tz, days[0], days[-1])
    agenda_days = agenda(
        user=user,
        clinic=clinic,
        first=days[0],
        last=days[-1],
        therapist=therapists[0] if len(therapists) == 1 else None,
    )
    entries: dict[tuple[date, int], list[AgendaEntry]] = {}
    for agenda_day in agenda_days:
        for entry in agenda_day.entries:
            key = (agenda_day.day, entry.session.therapist_id)
            entries.setdefault(key, []).append(entry)
    rules: dict[int, list[timeutils.HoursRule]] = {t: [] for t in ids}
    for t_id, _name, rule in weekly_hours(WorkingHours.objects.filter(therapist_id__in=ids)):
        rules[t_id].append(rule)
    offs = list(
        TimeOff.objects.filter(therapist_id__in=ids, start__lt=hi, end__gt=lo).order_by("start")
    )
    shortest = timedelta(
        minutes=Service.objects.filter(clinic=clinic, active=True).aggregate(
            m=Min("duration_minutes")
        )["m"]
        or step
    )

    # The grid's span: the earliest opening to the latest closing of the columns, and any
    # session outside them (booked before the hours changed), to whole hours.
    spans: dict[tuple[date, int], list[tuple[datetime, datetime]]] = {}
    first, last = [], []
    for day in days:
        day_lo, day_hi = timeutils.local_day_bounds(tz, day, day)
        for t in therapists:
            spans[day, t.pk] = _local_intervals(rules[t.pk], tz, day, day_lo, day_hi)
            for s, e in spans[day, t.pk]:
                first.append(_minutes(s))
                last.append(_minutes(e) if e.date() == day else 24 * 60)
            for entry in entries.get((day, t.pk), ()):
                first.append(_minutes(entry.local_start))
                end = entry.local_end
                last.append(_minutes(end) if end.date() == day else 24 * 60)
    opens = (min(first) // 60 * 60) if first else DEFAULT_OPEN
    closes = (-(-max(last) // 60) * 60) if last else DEFAULT_CLOSE
    rows = max(1, min(MAX_ROWS, -(-(closes - opens) // step)))

    def row_of(moment: datetime) -> int:
        return max(1, min(rows, (_minutes(moment) - opens) // step + 1))

    def span_of(start: datetime, end: datetime, day: date) -> int:
        end_min = _minutes(end) if end.date() == day else 24 * 60
        begin = max(_minutes(start) if start.date() == day else 0, opens)
        return max(1, min(rows - row_of(start) + 1, -(-(min(end_min, closes) - begin) // step)))

    columns = []
    for day in days:
        midnight = datetime.combine(day, time(), tzinfo=tz)
        grid_lo = midnight + timedelta(minutes=opens)
        for t in therapists:
            bookable = permissions.may_change_schedule(user, t)
            column = Column(day=day, therapist=t, bookable=bookable)
            working = spans[day, t.pk]
            day_entries = entries.get((day, t.pk), [])
            day_offs = [o for o in offs if o.therapist_id == t.pk]
            busy = [
                (e.session.start, e.session.end)
                for e in day_entries
                if e.session.status in ACTIVE_STATUSES
            ]
            busy += [(o.start, o.end) for o in day_offs]
            # Closed: the grid's rows outside the working intervals.
            grid_hi = grid_lo + timedelta(minutes=rows * step)
            cursor = grid_lo
            for s, e in [*working, (grid_hi, grid_hi)]:
                if s > cursor:
                    column.blocks.append(
                        Block("closed", row_of(cursor), span_of(cursor, s, day), cursor, s)
                    )
                cursor = max(cursor, e)
            for o in day_offs:
                s, e = max(o.start.astimezone(tz), grid_lo), o.end.astimezone(tz)
                if s.date() != day or s >= min(e, grid_hi):
                    continue
                column.blocks.append(
                    Block(
                        "off",
                        row_of(s),
                        span_of(s, e, day),
                        s,
                        e,
                        reason=o.reason,
                        label=_off_label(o, midnight, tz),
                    )
                )
            for entry in day_entries:
                column.blocks.append(
                    Block(
                        "session",
                        row_of(entry.local_start),
                        span_of(entry.local_start, entry.local_end, day),
                        entry.local_start,
                        entry.local_end,
                        entry=entry,
                        movable=bookable
                        and entry.session.status == "booked"
                        and entry.session.start > now,
                    )
                )
            # Free: each future step where the clinic's shortest service fits inside the
            # hours with nothing holding that time.
            for s, e in working:
                cell = s
                while cell + shortest <= e:
                    fits_until = cell + shortest
                    if cell >= now and not any(b < fits_until and cell < f for b, f in busy):
                        cell_end = cell + timedelta(minutes=step)
                        column.blocks.append(Block("free", row_of(cell), 1, cell, cell_end))
                    cell += timedelta(minutes=step)
            local_now = now.astimezone(tz)
            if grid_lo <= local_now < grid_lo + timedelta(minutes=rows * step):
                # Within its row, in fifths of the step (static/css/calendar.css, .at-N).
                fifth = ((_minutes(local_now) - opens) % step) * 5 // step
                column.blocks.append(
                    Block("now", row_of(local_now), 1, local_now, local_now, label=f"at-{fifth}")
                )
            order = {"closed": 0, "off": 1, "now": 2, "session": 3, "free": 3}
            column.blocks.sort(key=lambda b: (b.start, order[b.kind]))
            columns.append(column)
    return Grid(step=step, rows=rows, opens=opens, columns=columns)
