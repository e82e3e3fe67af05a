"""The e-mail that offers a freed time to a waiting runner: when, with whom, the price,
until when the offer holds, and the one-click claim link (booking.reminders.links)."""

from datetime import datetime

from django.urls import reverse
from django.utils.translation import gettext as _

from booking.engine import waitlist
from booking.models import Reminder
from booking.reminders import messages
from booking.reminders.links import absolute, offer_token
from runners.models import Runner


def render(runner: Runner, reminder: Reminder, *, now: datetime) -> messages.Rendered:
    offer = waitlist.offer_for(reminder)
    if offer is None:
        raise messages.Moot("offer gone")
    if waitlist.offer_state(offer, now=now) != "offered" or offer.entry.left_at is not None:
        raise messages.Moot("offer no longer open")
    clinic = offer.therapist.clinic
    context = {
        **messages.base_context(runner, clinic),
        "when": messages.when(offer.start, clinic),
        "until": messages.when(offer.expires_at, clinic),
        "therapist": offer.therapist,
        "service": offer.service,
        "claim_url": absolute(reverse("reminders:offer", args=[offer_token(offer.pk)])),
        "waitlist_url": absolute(reverse("booking:waitlist")),
    }
    context["subject"] = _("A time you waited for is free: %(when)s") % {"when": context["when"]}
    return messages.render_email("waitlist_offer", context)
