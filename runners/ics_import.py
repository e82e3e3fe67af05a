"""Read races from an iCalendar (.ics) file, for a preview before they are saved.

Calendars from race platforms are messy: all-day events, floating times, durations in
place of an end. Whatever can be read becomes a candidate; whatever cannot is reported
in words, per event, and a file that is not a calendar at all is refused as a whole.
"""

import re
import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils.translation import gettext as _
from icalendar import Calendar

from clinic import text
from clinic.policy import MAX_RACE_LENGTH
from runners import uploads

MAX_EVENTS = uploads.ICS.max_items
ALL_DAY_START = time(9, 0)

_DISTANCES = (
    (
        re.compile(r"\b(half[\s-]?marathon|media[\s-]?marat[oó]n|21[.,]1)\b", re.I),
        Decimal("21.098"),
    ),
    (re.compile(r"\b(marathon|marat[oó]n|42[.,]2)\b", re.I), Decimal("42.195")),
    (re.compile(r"\b(\d{1,3}(?:[.,]\d{1,4})?)\s?(?:k|km)\b", re.I), None),
)


class IcsError(ValueError):
    """The whole file is unusable; the message says why, for the runner."""

    def __init__(self, message: str, *, code: str = "invalid_calendar") -> None:
        super().__init__(message)
        self.code = code


@dataclass
class Candidate:
    name: str
    start: datetime
    finish: datetime | None
    distance_km: Decimal | None
    location: str = ""
    problem: str = ""  # why it will not be imported (past, duplicate); empty when it will
    timezone: str = ""  # the event's own zone (a race abroad); empty: the runner's

    def as_json(self) -> dict:
        return {
            "name": self.name,
            "start": self.start.isoformat(),
            "finish": self.finish.isoformat() if self.finish else None,
            "distance_km": str(self.distance_km) if self.distance_km is not None else None,
            "location": self.location,
            "problem": self.problem,
            "timezone": self.timezone,
        }

    @classmethod
    def from_json(cls, data: dict) -> "Candidate":
        return cls(
            name=data["name"],
            start=datetime.fromisoformat(data["start"]),
            finish=datetime.fromisoformat(data["finish"]) if data.get("finish") else None,
            distance_km=Decimal(data["distance_km"]) if data.get("distance_km") else None,
            location=data.get("location", ""),
            problem=data.get("problem", ""),
            timezone=data.get("timezone", ""),
        )


def guess_distance(name: str) -> Decimal | None:
    for pattern, km in _DISTANCES:
        m = pattern.search(name)
        if m:
            if km is not None:
                return km
            value = Decimal(m[1].replace(",", ".")).quantize(Decimal("0.001"))
            if 0 < value <= 1000:
                return value
    return None


def _zone_name(value) -> str:
    """The IANA name of an event time's zone (TZID), or "" (floating, UTC, unknown)."""
    tzinfo = getattr(value, "tzinfo", None)
    name = getattr(tzinfo, "key", None) or getattr(tzinfo, "zone", None) or ""
    if not name or name == "UTC":
        return ""
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return ""
    return name


def _end_of_all_day(start_value: date, end_value, tz: zoneinfo.ZoneInfo) -> datetime:
    """An all-day event ends at local midnight after its last day (DTEND is exclusive),
    so every day of a multi-day race is covered."""
    last = start_value + timedelta(days=1)
    if isinstance(end_value, date) and not isinstance(end_value, datetime) and end_value > last:
        last = end_value
    return datetime.combine(last, time(0), tzinfo=tz)


def _aware(value, tz: zoneinfo.ZoneInfo) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=tz)
    if isinstance(value, date):
        return datetime.combine(value, ALL_DAY_START, tzinfo=tz)
    raise TypeError


def parse_ics(
    data: bytes,
    *,
    tz: zoneinfo.ZoneInfo,
    now: datetime,
    existing: set[tuple[str, datetime]] = frozenset(),
) -> list[Candidate]:
    """Candidates in start order. Raises IcsError when the file cannot be used at all."""
    if not data.strip():
        raise IcsError(_("The file is empty."))
    if b"BEGIN:VCALENDAR" not in data[:2048].upper():
        raise IcsError(
            _("That is not an iCalendar file: it should start with BEGIN:VCALENDAR (.ics).")
        )
    try:
        cal = Calendar.from_ical(data)
        # walk() recurses: a hostile file nests thousands of components (RecursionError).
        events = list(cal.walk("VEVENT"))
    except Exception as exc:  # icalendar raises ValueError and friends on bad input
        raise IcsError(_("The calendar file is damaged and cannot be read.")) from exc
    if not events:
        raise IcsError(_("The calendar file has no events."))
    if len(events) > MAX_EVENTS:
        raise IcsError(
            _("The file has %(count)s events; import at most %(max)s at a time.")
            % {"count": len(events), "max": MAX_EVENTS}
        )
    out: list[Candidate] = []
    for number, event in enumerate(events, start=1):
        raw_name, raw_location = str(event.get("SUMMARY", "")), str(event.get("LOCATION", ""))
        if text.has_control_characters(raw_name + raw_location):
            # Refused rather than cleaned: RFC 5545 allows none in text, so the file is
            # damaged or forged, and a NUL would reach PostgreSQL (a 500) when saved.
            raise IcsError(
                _(
                    "Event %(number)s has invisible control characters (such as NUL) in its "
                    "name or place, so nothing was imported. Remove them and upload the file "
                    "again."
                )
                % {"number": number},
                code=text.CODE,
            )
        name = raw_name.strip()[:200] or _("Race")
        dtstart = event.get("DTSTART")
        if dtstart is None:
            continue
        try:
            start = _aware(dtstart.dt, tz)
            start.astimezone(tz)  # year 1 or 9999 may not fit once converted
        except (TypeError, OverflowError, ValueError):
            continue
        finish = None
        too_long = False
        all_day = not isinstance(dtstart.dt, datetime)
        zone_name = "" if all_day else _zone_name(dtstart.dt)
        event_tz = zoneinfo.ZoneInfo(zone_name) if zone_name else tz
        try:
            if all_day:
                start = datetime.combine(dtstart.dt, ALL_DAY_START, tzinfo=event_tz)
                dtend = event.get("DTEND")
                finish = _end_of_all_day(dtstart.dt, dtend.dt if dtend else None, event_tz)
                if event.get("DURATION") is not None and dtend is None:
                    finish = max(
                        finish,
                        datetime.combine(
                            dtstart.dt + event["DURATION"].dt, time(0), tzinfo=event_tz
                        ),
                    )
            elif event.get("DTEND") is not None:
                finish = _aware(event["DTEND"].dt, event_tz)
            elif event.get("DURATION") is not None:
                finish = start + event["DURATION"].dt
        except (TypeError, OverflowError, ValueError):  # a hostile P99999999D
            finish = None
        if finish is not None and finish <= start:
            finish = None
        if finish is not None and finish - start > MAX_RACE_LENGTH:
            # Said, not silently shortened: the runner fixes the calendar or the race.
            too_long = True
        candidate = Candidate(
            name=name,
            start=start,
            finish=finish,
            distance_km=guess_distance(name),
            location=raw_location.strip()[:200],
            timezone=zone_name,
        )
        if too_long:
            candidate.problem = _("Longer than 14 days")
        elif start < now:
            candidate.problem = _("Already past")
        elif (name.casefold(), start) in existing:
            candidate.problem = _("Already in your log")
        out.append(candidate)
    if not out:
        raise IcsError(_("None of the events has a start date."))
    out.sort(key=lambda c: c.start)
    return out
