"""The e-mail a race change sends when it clashes with booked sessions (issue 14): which
race, which sessions and why (the validator's own sentence), and for each session three
times on different days that pass every rule, each a link that opens the move, ready to
confirm. Recorded once per race change (booking.engine.conflicts.races_changed): one race, or
the races of one .ics import."""

from datetime import datetime
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from booking.engine import conflicts
from booking.engine.availability import suggest_slots
from booking.models import Reminder, Session
from booking.reminders import messages
from booking.reminders.links import absolute, session_urls
from clinic.models import Therapist
from runners.models import Race, Runner

# At most this many sessions are listed (a plan may have many; the page lists them all).
MAX_SESSIONS = 5


def move_links(
    session: Session, runner: Runner, *, now: datetime, absolute_urls: bool = True
) -> list[dict]:
    """Three times on different days to move a session to, as links that open the move:
    absolute for an e-mail, site-relative for a page (the site's own host)."""
    clinic = session.clinic
    candidates = suggest_slots(
        runner=runner,
        service=session.service,
        around=session.start,
        limit=messages.CANDIDATES,
        now=now,
        exclude_session_id=session.pk,
    )
    slots = messages.spread(
        candidates,
        clinic=clinic,
        preferred_id=session.therapist_id,
        today=clinic.local(now).date(),
    )
    names = dict(
        Therapist.objects.filter(pk__in={s.therapist_id for s in slots}).values_list(
            "pk", "display_name"
        )
    )
    path = reverse("booking:session_reschedule_confirm", args=[session.pk])
    return [
        {
            "when": messages.when(slot.start, clinic),
            "therapist": names.get(slot.therapist_id, ""),
            "url": (absolute if absolute_urls else str)(
                f"{path}?{urlencode({'start': slot.start.isoformat(), 'therapist': slot.therapist_id})}"
            ),
        }
        for slot in slots
    ]


def render(runner: Runner, reminder: Reminder, *, now: datetime) -> messages.Rendered:
    races = list(
        Race.objects.filter(pk__in=conflicts.races_of_key(reminder.key), runner=runner).order_by(
            "start"
        )
    )
    if not races:
        raise messages.Moot("race gone")
    by_race = conflicts.conflicts_for_races(races, now=now)
    # A session two imported races clash with is listed once.
    found = list({c.session_id: c for race in reversed(races) for c in by_race[race.pk]}.values())
    found.sort(key=lambda c: c.session_start)
    if not found:
        raise messages.Moot("no clash any more")
    sessions = Session.objects.select_related("clinic", "therapist", "service").in_bulk(
        [c.session_id for c in found]
    )
    items = []
    for conflict in found[:MAX_SESSIONS]:
        session = sessions[conflict.session_id]
        items.append(
            {
                "when": messages.when(session.start, session.clinic),
                "therapist": session.therapist.display_name,
                "detail": conflict.detail,
                "links": move_links(session, runner, now=now),
                "urls": session_urls(session),
            }
        )
    clinic = sessions[found[0].session_id].clinic
    context = {
        **messages.base_context(runner, clinic),
        "race": races[0],
        "race_names": ", ".join(r.name for r in races),
        "items": items,
        "plan_url": absolute(reverse("booking:plan")),
        "more": max(0, len(found) - MAX_SESSIONS),
        "subject": _("%(race)s clashes with a booked massage: move it in one tap")
        % {"race": ", ".join(r.name for r in races)},
    }
    return messages.render_email("race_conflict", context)
