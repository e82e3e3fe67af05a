"""Clinic-local time, pure (no Django, no ORM): the bounds of local days and a
therapist's weekly hours turned into real instants.

Weekly hours are clinic-local wall times: each day's intervals are turned into real
instants in the clinic's zone, so a 09:00 slot is 09:00 local on both sides of a DST
change; intervals are half-open [start, end)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class HoursRule:
    weekday: int  # Monday = 0
    start_time: time
    end_time: time
    valid_from: date | None = None
    valid_until: date | None = None  # exclusive

    def in_force_on(self, day: date) -> bool:
        """Whether the row belongs to the weekly plan in force on `day` (any weekday)."""
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_until is None or day < self.valid_until
        )

    def applies_on(self, day: date) -> bool:
        return day.weekday() == self.weekday and self.in_force_on(day)


def local_midnight(day: date, tz: ZoneInfo) -> datetime:
    """The first instant of a local calendar day in `tz`, in UTC: arithmetic on datetimes
    that share a zone is wall-clock time in Python, so instants are kept in UTC."""
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


def local_date(moment: datetime, tz: ZoneInfo) -> date:
    """The local calendar day of an instant in `tz` ("today at the clinic" is
    `local_date(now, tz)`)."""
    if moment.tzinfo is None:
        raise ValueError("aware datetimes only")
    return moment.astimezone(tz).date()


def local_day_bounds(tz: ZoneInfo, first: date, last: date) -> tuple[datetime, datetime]:
    """[local midnight of `first`, local midnight after `last`) as aware datetimes."""
    return (
        datetime.combine(first, time(0), tzinfo=tz).astimezone(UTC),
        datetime.combine(last + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC),
    )


def hours_in_force(hours: Sequence[HoursRule], day: date) -> list[HoursRule]:
    """The weekly hours rows in force on a local date, in the order of the day."""
    return sorted((h for h in hours if h.applies_on(day)), key=lambda h: (h.start_time, h.end_time))


def week_plan(hours: Sequence[HoursRule], on: date) -> dict[int, list[HoursRule]]:
    """The weekly plan in force on a date: each weekday's rows, in the order of the day
    (what the staff schedule page shows and edits)."""
    plan: dict[int, list[HoursRule]] = {}
    for h in sorted(hours, key=lambda h: (h.weekday, h.start_time, h.end_time)):
        if h.in_force_on(on):
            plan.setdefault(h.weekday, []).append(h)
    return plan


def within_working_hours(
    start: datetime, end: datetime, hours: Sequence[HoursRule], tz: ZoneInfo
) -> bool:
    """Whether [start, end) lies inside one stretch of the hours in force on the local day
    of `start` (touching rows merged: 13:30-14:30 is inside 09-14 + 14-20)."""
    day = local_date(start, tz)
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    return any(ws <= start and end <= we for ws, we in working_intervals(hours, tz, day, day))


def working_intervals(
    hours: Sequence[HoursRule], tz: ZoneInfo, first: date, last: date
) -> list[tuple[datetime, datetime]]:
    """The therapist's working intervals on local dates first..last, as real instants,
    sorted, with touching or overlapping intervals of a day merged (09-14 and 14-20 is one
    stretch a session may span)."""
    result: list[tuple[datetime, datetime]] = []
    by_weekday: dict[int, list[HoursRule]] = {}
    for h in hours:
        by_weekday.setdefault(h.weekday, []).append(h)
    day = first
    while day <= last:
        todays = sorted(
            (
                datetime.combine(day, h.start_time, tzinfo=tz).astimezone(UTC),
                datetime.combine(day, h.end_time, tzinfo=tz).astimezone(UTC),
            )
            for h in hours_in_force(by_weekday.get(day.weekday(), ()), day)
        )
        day += timedelta(days=1)
        for start, end in todays:
            if end <= start:
                continue  # e.g. hours ending inside a skipped DST hour
            if result and start <= result[-1][1]:
                if end > result[-1][1]:
                    result[-1] = (result[-1][0], end)
            else:
                result.append((start, end))
    return result
