"""iCalendar (.ics) files for sessions: the page's download and the e-mails' invitations.

The download is a plain `METHOD:PUBLISH` copy of the session. The e-mails carry an iTIP
message (RFC 5546) so that Gmail, Outlook and Apple Calendar update the event they already
hold: `METHOD:REQUEST` for a booked session (confirmation, reschedule) and `METHOD:CANCEL`
for a cancelled one, with the clinic as ORGANIZER and the runner as ATTENDEE, one UID per
session for its whole life and the SEQUENCE the services keep on the session (0 when
booked, +1 on each move or cancellation). Times are in UTC (`Z`), so no VTIMEZONE is needed.
"""

from datetime import UTC, datetime, timedelta
from email.utils import parseaddr
from urllib.parse import urlencode

from django.conf import settings
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vCalAddress, vText

from booking.models import Session

PRODID = "-//Runners unloading massage//booking//EN"
PUBLISH, REQUEST, CANCEL = "PUBLISH", "REQUEST", "CANCEL"
CANCELLED_STATUSES = (Session.Status.CANCELLED, Session.Status.LATE_CANCELLED)


def session_uid(session: Session) -> str:
    host = settings.SITE_URL.split("//", 1)[-1].split("/", 1)[0].split(":", 1)[0]
    return f"session-{session.pk}@{host}"


def _is_cancelled(session: Session, cancelled: bool | None) -> bool:
    return cancelled if cancelled is not None else session.status in CANCELLED_STATUSES


def _summary(session: Session) -> str:
    return _("Unloading massage with %(therapist)s") % {"therapist": session.therapist}


def _description(session: Session) -> str:
    return _(
        "%(service)s at %(clinic)s. The day after: rest or soft training only; "
        "muscle tone drops after the massage."
    ) % {"service": session.service.name, "clinic": session.clinic.name}


def _location(session: Session) -> str:
    clinic = session.clinic
    return f"{clinic.name}, {clinic.address}" if clinic.address else clinic.name


def _agenda_summary(session: Session) -> str:
    user = session.runner.user
    return _("%(service)s: %(runner)s") % {
        "service": session.service.name,
        "runner": user.get_full_name() or user.email,
    }


def _event(session: Session, *, cancelled: bool, now: datetime) -> Event:
    event = Event()
    event.add("uid", session_uid(session))
    event.add("dtstamp", now.astimezone(UTC))
    event.add("dtstart", session.start.astimezone(UTC))
    event.add("dtend", session.end.astimezone(UTC))
    event.add("sequence", session.calendar_sequence)
    event.add("summary", _summary(session))
    if session.clinic.address:
        event.add("location", _location(session))
    event.add("description", _description(session))
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return event


def _calendar(method: str, event: Event) -> bytes:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("method", method)
    cal.add_component(event)
    return cal.to_ical()


def sessions_feed(sessions: list[Session], *, for_therapist: bool, now: datetime) -> bytes:
    """A subscribable feed (booking.engine.feeds): one VEVENT per session with the UID
    and SEQUENCE of its e-mails. A therapist's agenda names the runner and the service;
    neither feed carries health data, areas of discomfort or notes."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("method", PUBLISH)
    name = _("My agenda") if for_therapist else _("My unloading massages")
    cal.add("x-wr-calname", name)
    cal.add("name", name)
    # Ask subscribers to look again every hour.
    cal.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT1H")
    for session in sessions:
        event = _event(session, cancelled=False, now=now)
        if for_therapist:
            event["summary"] = vText(_agenda_summary(session))
            event.pop("description", None)
        cal.add_component(event)
    return cal.to_ical()


def session_ics(session: Session, *, now: datetime | None = None) -> bytes:
    """The download on the session's page and the API: a plain PUBLISH (a cancelled
    session says so in its STATUS)."""
    now = now or datetime.now(tz=UTC)
    return _calendar(PUBLISH, _event(session, cancelled=_is_cancelled(session, None), now=now))


def organizer_address(session: Session) -> tuple[str, str]:
    """(name, e-mail) of the clinic: its own address, else the address bookings come from."""
    clinic = session.clinic
    email = clinic.email or parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    return clinic.name, email


def session_invitation(
    session: Session, *, cancelled: bool | None = None, now: datetime | None = None
) -> tuple[str, bytes]:
    """The e-mail's iTIP message: (method, bytes). REQUEST while booked, CANCEL once
    cancelled (or `cancelled=True` for an old event being replaced)."""
    now = now or datetime.now(tz=UTC)
    is_cancelled = _is_cancelled(session, cancelled)
    method = CANCEL if is_cancelled else REQUEST
    event = _event(session, cancelled=is_cancelled, now=now)
    name, email = organizer_address(session)
    organizer = vCalAddress(f"mailto:{email}")
    organizer.params["cn"] = vText(name)
    event.add("organizer", organizer)
    user = session.runner.user
    attendee = vCalAddress(f"mailto:{user.email}")
    attendee.params["cn"] = vText(user.get_full_name() or user.email)
    attendee.params["role"] = vText("REQ-PARTICIPANT")
    # The runner booked it: already accepted, no reply expected.
    attendee.params["partstat"] = vText("ACCEPTED")
    attendee.params["rsvp"] = vText("FALSE")
    event.add("attendee", attendee)
    return method, _calendar(method, event)


def add_to_calendar_links(session: Session) -> dict[str, str]:
    """ "Add to Google / Outlook" links for the session, in the clinic's local time (with
    its zone for Google, its UTC offset for Outlook), so the event lands at the right hour
    on either side of a DST change. Apple Calendar opens the .ics download itself."""
    tz = session.clinic.tz
    start, end = session.start.astimezone(tz), session.end.astimezone(tz)
    text, where, details = _summary(session), _location(session), _description(session)
    google = {
        "action": "TEMPLATE",
        "text": text,
        "dates": f"{start:%Y%m%dT%H%M%S}/{end:%Y%m%dT%H%M%S}",
        "ctz": session.clinic.timezone,
        "location": where,
        "details": details,
    }
    outlook = {
        "path": "/calendar/action/compose",
        "rru": "addevent",
        "subject": text,
        "startdt": start.isoformat(),
        "enddt": end.isoformat(),
        "location": where,
        "body": details,
    }
    return {
        "google": "https://calendar.google.com/calendar/render?" + urlencode(google),
        "outlook": "https://outlook.live.com/calendar/0/deeplink/compose?" + urlencode(outlook),
    }
