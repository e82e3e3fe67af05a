"""iCalendar (.ics) files for sessions, for the confirmation page and e-mails."""

from datetime import UTC, datetime

from django.conf import settings
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from booking.models import Session


def session_ics(session: Session, *, cancelled: bool | None = None) -> bytes:
    """One VEVENT for the session. A stable UID and a growing SEQUENCE let a calendar
    update the same event when the session is moved or cancelled."""
    cal = Calendar()
    cal.add("prodid", "-//Runners unloading massage//booking//EN")
    cal.add("version", "2.0")
    is_cancelled = (
        cancelled
        if cancelled is not None
        else session.status in (Session.Status.CANCELLED, Session.Status.LATE_CANCELLED)
    )
    cal.add("method", "CANCEL" if is_cancelled else "PUBLISH")
    event = Event()
    host = settings.SITE_URL.split("//", 1)[-1].split("/", 1)[0].split(":", 1)[0]
    event.add("uid", f"session-{session.pk}@{host}")
    event.add("dtstamp", datetime.now(tz=UTC))
    event.add("dtstart", session.start)
    event.add("dtend", session.end)
    event.add("sequence", int(session.updated_at.timestamp()) if session.updated_at else 0)
    event.add(
        "summary", _("Unloading massage with %(therapist)s") % {"therapist": session.therapist}
    )
    clinic = session.clinic
    if clinic.address:
        event.add("location", f"{clinic.name}, {clinic.address}")
    event.add(
        "description",
        _(
            "%(service)s at %(clinic)s. The day after: rest or soft training only; "
            "muscle tone drops after the massage."
        )
        % {"service": session.service.name, "clinic": clinic.name},
    )
    event.add("status", "CANCELLED" if is_cancelled else "CONFIRMED")
    cal.add_component(event)
    return cal.to_ical()
