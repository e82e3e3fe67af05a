"""The slot picker of the booking pages: one day's start times, the days around it, and
the race windows that block some of them, built from two availability reads."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from urllib.parse import urlencode

from django.utils import timezone
from django.utils.translation import gettext as _

from booking.engine import availability
from booking.models import Session
from clinic.models import Service, Therapist

STRIP_DAYS = 7


@dataclass
class SlotRow:
    """One start time on the page. With "any" physiotherapist, the first free one."""

    start: datetime
    therapist_id: int | None
    ideal: bool = False
    blocked_reason: str = ""
    blocked_ref: str = ""
    href: str = ""

    @property
    def free(self) -> bool:
        return not self.blocked_reason


@dataclass
class DayCell:
    day: date
    free: int = 0
    blocked: bool = False
    closed: bool = False
    selected: bool = False
    href: str = ""


@dataclass
class Picker:
    day: date
    rows: list[SlotRow] = field(default_factory=list)
    windows: list[dict] = field(default_factory=list)
    strip: list[DayCell] = field(default_factory=list)
    prev_href: str = ""
    next_href: str = ""
    next_free_href: str = ""


def _therapist_param(therapist: Therapist | None) -> str:
    return str(therapist.pk) if therapist else "any"


def build_picker(
    *,
    service: Service,
    therapist: Therapist | None,
    runner,
    day: date,
    now: datetime,
    page_url: str,
    slot_href,
    exclude_session: Session | None = None,
    extra_params: dict | None = None,
    first_free: bool = False,
) -> Picker:
    """Slots of `day` and a strip of the next days, in two availability reads: one for the
    runner (race-aware, with ideal marks) and one without, so the slots a race blocks can
    be shown disabled with the rule that blocks them.

    `first_free` (the page opened without a chosen day): when `day` has no free time, the
    first day of the strip that has one is selected instead; past the strip, the first
    bookable day further on opens (a few more reads, only then)."""
    clinic = service.clinic
    first = day
    last = day + timedelta(days=STRIP_DAYS - 1)
    exclude = exclude_session.pk if exclude_session is not None else None
    mine = availability.availability(
        service=service,
        start_date=first,
        end_date=last,
        therapist=therapist,
        runner=runner,
        now=now,
        exclude_session_id=exclude,
    )
    everyone = availability.availability(
        service=service,
        start_date=first,
        end_date=last,
        therapist=therapist,
        runner=None,
        now=now,
        exclude_session_id=exclude,
    )
    free = {}
    for slot in mine.slots:
        key = slot.start
        if key not in free or (slot.ideal and not free[key].ideal):
            free[key] = slot
    windows = []
    for index, w in enumerate(mine.blocked):
        windows.append(
            {
                "ref": f"block-{index}",
                "start": w.start,
                "end": w.end,
                "detail": w.detail,
                "race": w.race_name,
                "code": w.code,
            }
        )

    def window_for(start: datetime, end: datetime):
        for w in windows:
            if start < w["end"] and end > w["start"]:
                return w
        return None

    rows_by_day: dict[date, dict[datetime, SlotRow]] = {}
    for slot in everyone.slots:
        local_day = slot.start.astimezone(clinic.tz).date()
        bucket = rows_by_day.setdefault(local_day, {})
        if slot.start in bucket:
            continue
        if slot.start in free:
            chosen = free[slot.start]
            bucket[slot.start] = SlotRow(
                start=slot.start,
                therapist_id=chosen.therapist_id,
                ideal=chosen.ideal,
                href=slot_href(chosen),
            )
        else:
            w = window_for(slot.start, slot.end)
            if w is not None:
                bucket[slot.start] = SlotRow(
                    start=slot.start,
                    therapist_id=None,
                    blocked_reason=w["detail"],
                    blocked_ref=w["ref"],
                )
            else:
                bucket[slot.start] = SlotRow(
                    start=slot.start,
                    therapist_id=None,
                    blocked_reason=_("You already have a session at that time."),
                )
    # A free slot the runner-aware read found that the other did not (should not happen)
    # is still offered.
    for start, slot in free.items():
        local_day = start.astimezone(clinic.tz).date()
        bucket = rows_by_day.setdefault(local_day, {})
        if start not in bucket:
            bucket[start] = SlotRow(
                start=start, therapist_id=slot.therapist_id, ideal=slot.ideal, href=slot_href(slot)
            )

    selected = day
    if first_free and not any(r.free for r in rows_by_day.get(day, {}).values()):
        in_strip = sorted(
            d for d, rows in rows_by_day.items() if any(r.free for r in rows.values())
        )
        if in_strip:
            selected = in_strip[0]
        else:
            later = first_free_day(
                service=service,
                therapist=therapist,
                runner=runner,
                after=last,
                now=now,
                exclude_session_id=exclude,
            )
            if later is not None:
                return build_picker(
                    service=service,
                    therapist=therapist,
                    runner=runner,
                    day=later,
                    now=now,
                    page_url=page_url,
                    slot_href=slot_href,
                    exclude_session=exclude_session,
                    extra_params=extra_params,
                )
    picker = _assemble(
        day=day,
        selected=selected,
        rows_by_day=rows_by_day,
        windows=windows,
        open_days=mine.open_days | everyone.open_days,
        clinic=clinic,
        now=now,
        page_url=page_url,
        params={"therapist": _therapist_param(therapist), **(extra_params or {})},
    )
    return picker


def first_free_day(
    *,
    service: Service,
    therapist: Therapist | None,
    runner,
    after: date,
    now: datetime,
    exclude_session_id: int | None = None,
) -> date | None:
    """The first local date after `after` with a time the runner may book, looking a
    fortnight at a time up to the clinic's last bookable day."""
    clinic = service.clinic
    last_day = timezone.localdate(now + timedelta(days=clinic.max_days_ahead), clinic.tz)
    first = after + timedelta(days=1)
    while first <= last_day:
        last = min(first + timedelta(days=13), last_day)
        found = availability.availability(
            service=service,
            start_date=first,
            end_date=last,
            therapist=therapist,
            runner=runner,
            now=now,
            exclude_session_id=exclude_session_id,
        )
        if found.slots:
            return found.slots[0].start.astimezone(clinic.tz).date()
        first = last + timedelta(days=1)
    return None


def _assemble(
    *,
    day: date,
    selected: date,
    rows_by_day: dict[date, dict[datetime, SlotRow]],
    windows: list[dict],
    open_days: set[date],
    clinic,
    now: datetime,
    page_url: str,
    params: dict,
) -> Picker:
    """The page's picker: `selected`'s rows and race windows, the strip from `day`."""
    picker = Picker(day=selected)
    picker.rows = sorted(rows_by_day.get(selected, {}).values(), key=lambda r: r.start)
    day_start = datetime.combine(selected, datetime.min.time(), tzinfo=clinic.tz)
    day_end = day_start + timedelta(days=1)
    picker.windows = [w for w in windows if w["start"] < day_end and w["end"] > day_start]
    for offset in range(STRIP_DAYS):
        d = day + timedelta(days=offset)
        cells = rows_by_day.get(d, {}).values()
        n_free = sum(1 for r in cells if r.free)
        cell = DayCell(
            day=d,
            free=n_free,
            blocked=bool(cells) and n_free == 0,
            closed=not cells and d not in open_days,
            selected=d == selected,
            href=f"{page_url}?{urlencode({**params, 'day': d.isoformat()})}",
        )
        picker.strip.append(cell)
    today = timezone.localdate(now, clinic.tz)
    if day > today:
        prev_day = max(today, day - timedelta(days=STRIP_DAYS))
        picker.prev_href = f"{page_url}?{urlencode({**params, 'day': prev_day.isoformat()})}"
    next_day = day + timedelta(days=STRIP_DAYS)
    picker.next_href = f"{page_url}?{urlencode({**params, 'day': next_day.isoformat()})}"
    if not any(r.free for r in picker.rows):
        later = next((c for c in picker.strip if c.day > selected and c.free), None)
        if later:
            picker.next_free_href = later.href
    return picker


@dataclass
class MonthDay:
    """One square of the month grid: free times, closed, race-blocked or full; a day out
    of reach (past, or beyond the clinic's last bookable day) has no link."""

    day: date
    free: int = 0
    blocked: bool = False
    closed: bool = False
    href: str = ""


@dataclass
class Month:
    first: date
    weeks: list[list[MonthDay | None]] = field(default_factory=list)
    prev_href: str = ""
    next_href: str = ""
    free_days: int = 0


def build_month(
    *,
    service: Service,
    therapist: Therapist | None,
    runner,
    month: date,
    now: datetime,
    page_url: str,
    day_url: str,
    params: dict,
    exclude_session_id: int | None = None,
) -> Month:
    """A month grid (Monday first) marking the days with free times, the closed ones and
    the ones a race blocks, each bookable day linking to its times. Two availability reads
    for the whole month (the engine's set-based read: a fixed number of queries), never
    one per day."""
    clinic = service.clinic
    today = timezone.localdate(now, clinic.tz)
    last_day = today + timedelta(days=clinic.max_days_ahead)
    first = month.replace(day=1)
    following = (first + timedelta(days=31)).replace(day=1)
    end = following - timedelta(days=1)
    counts: dict[date, int] = {}
    anyone: set[date] = set()
    race_days: set[date] = set()
    open_days: set[date] = set()
    start, stop = max(first, today), min(end, last_day)
    if start <= stop:
        read = {
            "service": service,
            "start_date": start,
            "end_date": stop,
            "now": now,
            "exclude_session_id": exclude_session_id,
        }
        mine = availability.availability(**read, therapist=therapist, runner=runner)
        everyone = availability.availability(**read, therapist=therapist, runner=None)
        open_days = mine.open_days | everyone.open_days
        starts: dict[date, set[datetime]] = {}
        for slot in mine.slots:
            starts.setdefault(slot.start.astimezone(clinic.tz).date(), set()).add(slot.start)
        counts = {d: len(s) for d, s in starts.items()}
        anyone = {slot.start.astimezone(clinic.tz).date() for slot in everyone.slots}
        for window in mine.blocked:  # the days a race's window touches
            day = window.start.astimezone(clinic.tz).date()
            while day <= (window.end - timedelta(microseconds=1)).astimezone(clinic.tz).date():
                race_days.add(day)
                day += timedelta(days=1)
    grid = Month(first=first)
    week: list[MonthDay | None] = [None] * first.weekday()
    d = first
    while d <= end:
        cell = MonthDay(day=d, free=counts.get(d, 0))
        if today <= d <= last_day:
            # Times others could book, none for this runner, a race around: the race's.
            cell.blocked = d in anyone and d in race_days and not cell.free
            cell.closed = d not in open_days and not cell.free
            cell.href = f"{day_url}?{urlencode({**params, 'day': d.isoformat()})}"
        grid.free_days += bool(cell.free)
        week.append(cell)
        if len(week) == 7:
            grid.weeks.append(week)
            week = []
        d += timedelta(days=1)
    if week:
        grid.weeks.append(week + [None] * (7 - len(week)))
    previous = (first - timedelta(days=1)).replace(day=1)
    if previous >= today.replace(day=1):
        grid.prev_href = f"{page_url}?{urlencode({**params, 'month': previous.strftime('%Y-%m')})}"
    if following <= last_day:
        grid.next_href = f"{page_url}?{urlencode({**params, 'month': following.strftime('%Y-%m')})}"
    return grid
