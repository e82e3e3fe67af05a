"""Two independent iCalendar parsers (icalendar and vobject) reading the same file: every
calendar file the product sends must mean the same thing to both (issue 19)."""

import vobject
from icalendar import Calendar


def parse_both(content: bytes) -> dict:
    """The iTIP fields as each parser reads them; both must agree."""
    if isinstance(content, str):  # Django gives text attachments back as text
        content = content.encode()
    cal = Calendar.from_ical(content)
    (event,) = cal.walk("VEVENT")
    first = {
        "method": str(cal["method"]),
        "uid": str(event["uid"]),
        "sequence": int(event["sequence"]),
        "organizer": str(event.get("organizer", "")).lower(),
        "attendee": str(event.get("attendee", "")).lower(),
        "status": str(event["status"]),
        "start": event.decoded("dtstart"),
        "end": event.decoded("dtend"),
        "dtstamp": event.decoded("dtstamp"),
    }
    vcal = vobject.readOne(content.decode())
    vevent = vcal.vevent
    second = {
        "method": vcal.method.value,
        "uid": vevent.uid.value,
        "sequence": int(vevent.sequence.value),
        "organizer": vevent.organizer.value.lower() if hasattr(vevent, "organizer") else "",
        "attendee": vevent.attendee.value.lower() if hasattr(vevent, "attendee") else "",
        "status": vevent.status.value,
        "start": vevent.dtstart.value,
        "end": vevent.dtend.value,
        "dtstamp": vevent.dtstamp.value,
    }
    assert first == second
    for moment in ("start", "end", "dtstamp"):
        assert first[moment].utcoffset().total_seconds() == 0, "UTC times, no floating time"
    return first


def parse_feed(content: bytes) -> list[dict]:
    """Every event of a feed as each parser reads it; both must agree."""
    cal = Calendar.from_ical(content)
    first = [
        {
            "uid": str(e["uid"]),
            "summary": str(e["summary"]),
            "start": e.decoded("dtstart"),
            "end": e.decoded("dtend"),
            "sequence": int(e["sequence"]),
        }
        for e in cal.walk("VEVENT")
    ]
    vcal = vobject.readOne(content.decode())
    second = [
        {
            "uid": e.uid.value,
            "summary": e.summary.value,
            "start": e.dtstart.value,
            "end": e.dtend.value,
            "sequence": int(e.sequence.value),
        }
        for e in vcal.contents.get("vevent", [])
    ]
    assert first == second
    assert str(cal["method"]) == vcal.method.value == "PUBLISH"
    return first
