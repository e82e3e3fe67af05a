"""What the pages add to a refusal: a short title, what the runner can do next, and
links to the suggested times; `render_refusal` shows it all.

The sentence itself (which race, which rule) comes from BookingError; this only helps
the runner on, in plain words, for every code the engine can give.
"""

from urllib.parse import urlencode

from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from booking.engine.codes import Code
from booking.engine.exceptions import BookingError
from clinic.models import Clinic, Service

REFUSAL_PAGES = {
    Code.IN_THE_PAST: (_("That time has passed"), _("Pick one of the times below.")),
    Code.TOO_SHORT_NOTICE: (
        _("That is too soon to book online"),
        _("Pick a later time, or call the clinic if it is urgent."),
    ),
    Code.TOO_FAR_AHEAD: (
        _("That is too far ahead"),
        _("Pick an earlier day; the calendar opens a little further every day."),
    ),
    Code.OUTSIDE_WORKING_HOURS: (
        _("Not a working time"),
        _("Pick one of the free times shown for that day."),
    ),
    Code.THERAPIST_TIME_OFF: (
        _("Your physiotherapist is away"),
        _("Pick another day, or choose any physiotherapist."),
    ),
    Code.SLOT_TAKEN: (
        _("Someone got there first"),
        _("That time was booked a moment ago. These times are still free:"),
    ),
    Code.RUNNER_OVERLAP: (
        _("You are already booked then"),
        _("Check My sessions, or pick another time."),
    ),
    Code.TOO_SOON_AFTER_RACE: (
        _("Your muscles need rest after the race"),
        _(
            "Right after a race the muscles are sore and inflamed: a massage then does more "
            "harm than good. These times leave the rest your legs need:"
        ),
    ),
    Code.TOO_CLOSE_BEFORE_RACE: (
        _("Too close to your race"),
        _(
            "After an unloading massage muscle tone drops for a day: keep it clear of your "
            "race. These times leave a rest day before it:"
        ),
    ),
    Code.TOO_SOON_AFTER_TRAINING: (
        _("Your muscles need rest after that training"),
        _(
            "Right after a demanding session the muscles are sore and inflamed: a massage "
            "then does more harm than good. These times leave the rest your legs need:"
        ),
    ),
    Code.SAME_DAY: (
        _("One massage a day is enough"),
        _("You already have a session that day. These times are on other days:"),
    ),
    Code.OFF_GRID: (
        _("Pick one of the times offered"),
        _("Sessions start at the times shown. These are the nearest:"),
    ),
    Code.INACTIVE: (
        _("Not available for booking"),
        _("Choose another service or physiotherapist."),
    ),
    Code.NOT_CANCELLABLE: (
        _("This session cannot be cancelled"),
        _("It has already taken place or was cancelled. Call the clinic if something is wrong."),
    ),
    Code.NOT_RESCHEDULABLE: (
        _("This session cannot be moved"),
        _("It has already taken place or was cancelled. Book a new session instead."),
    ),
    Code.OVERRIDE_NOT_ALLOWED: (
        _("Only the clinic can do that"),
        _("Pick a time that fits the rules, or call the clinic."),
    ),
    Code.INVALID: (
        _("That booking is not possible"),
        _("Check the details and try again."),
    ),
}

DEFAULT_PAGE = (_("That booking is not possible"), _("Check the details and try again."))


def refusal_page(code: str) -> tuple[str, str]:
    return REFUSAL_PAGES.get(code, DEFAULT_PAGE)


def suggestion_links(error: BookingError, service: Service, url_name: str, args) -> list[dict]:
    """The refusal's suggested slots as links to the confirm step of `url_name`."""
    url = reverse(url_name, args=args)
    return [
        {
            "start": s.start,
            "href": f"{url}?{urlencode({'start': s.start.isoformat(), 'therapist': s.therapist_id})}",
        }
        for s in error.suggestions
    ]


def render_refusal(
    request,
    error: BookingError,
    *,
    clinic: Clinic,
    suggestions,
    back_href: str,
    refused_start=None,
):
    """`refused_start`: the time the runner asked for, named on the page."""
    title, hint = refusal_page(error.code)
    return render(
        request,
        "booking/refused.html",
        {
            "error": error,
            "title": title,
            "hint": hint,
            "suggestions": suggestions,
            "clinic": clinic,
            "back_href": back_href,
            "refused_start": refused_start,
            "is_race": error.code in ("too_soon_after_race", "too_close_before_race"),
            "is_training": error.code == Code.TOO_SOON_AFTER_TRAINING,
        },
        status=error.status_code,
    )
