"""Booking refusals: a stable machine code, a sentence for the runner, nearest slots.

Every sentence lives here, translated, so the API, the pages and the e-mails say the same.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.template.defaultfilters import date as date_filter
from django.utils.translation import gettext_lazy as _

from booking.engine.codes import CONFLICT_CODES, FORBIDDEN_CODES, UNPROCESSABLE_CODES, Code
from booking.templatetags.when import FORMATS
from clinic.errors import CodedError

if TYPE_CHECKING:
    from booking.engine.availability import Slot

_STATUS = {
    **dict.fromkeys(CONFLICT_CODES, 409),
    **dict.fromkeys(FORBIDDEN_CODES, 403),
    **dict.fromkeys(UNPROCESSABLE_CODES, 422),
}

MESSAGES = {
    Code.IN_THE_PAST: _("That time has already passed. Pick a time in the future."),
    Code.TOO_SHORT_NOTICE: _(
        "That is too soon: this clinic needs at least %(minutes)s minutes' notice."
    ),
    Code.TOO_FAR_AHEAD: _("That is too far ahead: you can book up to %(days)s days in advance."),
    Code.OUTSIDE_WORKING_HOURS: _("%(therapist)s does not work at that time."),
    Code.THERAPIST_TIME_OFF: _("%(therapist)s is off at that time."),
    Code.SLOT_TAKEN: _("Someone has just booked that time with %(therapist)s."),
    Code.RUNNER_OVERLAP: _("You already have a session at that time."),
    Code.TOO_SOON_AFTER_RACE: _(
        "Too soon after %(race)s: the muscles need time after a race; an unloading massage "
        "is fine from %(from)s."
    ),
    Code.TOO_CLOSE_BEFORE_RACE: _(
        "Too close to %(race)s: the last day for an unloading massage before it is "
        "%(last_day)s (rest days before race day: %(days)s)."
    ),
    Code.TOO_SOON_AFTER_TRAINING: _(
        "Too soon after your %(training)s that ended %(end)s: after a demanding session the "
        "muscles are still sore and inflamed; an unloading massage is fine from %(from)s."
    ),
    Code.DEMANDING_TRAINING_NEXT_DAY: _(
        "Your planned %(training)s on %(day)s is the day after the massage: swap it for an "
        "easy run, or move the massage."
    ),
    Code.SAME_DAY: _(
        "You already have an unloading massage on %(day)s: one a day is enough for your "
        "muscles. Pick another day."
    ),
    Code.OFF_GRID: _(
        "Pick one of the times offered: sessions start every %(minutes)s minutes from the "
        "start of the physiotherapist's hours."
    ),
    Code.TOO_SOON_AFTER_PREVIOUS: _(
        "Close to your session on %(other)s: the clinic recommends at least %(days)s days "
        "between unloading massages, so the muscles recover."
    ),
    Code.INACTIVE: _("That %(what)s is not available for booking."),
    Code.NOT_CANCELLABLE: _("This session can no longer be cancelled."),
    Code.NOT_RESCHEDULABLE: _("This session can no longer be moved."),
    Code.OVERRIDE_NOT_ALLOWED: _(
        "Only the clinic's therapists and admins may override a race rule."
    ),
    Code.THERAPIST_OTHER_CLINIC: _("That therapist does not work at this service's clinic."),
    Code.IDEMPOTENCY_KEY_REUSED: _(
        "That Idempotency-Key was already used for a booking with different details, so "
        "nothing was changed. Use a new key for a new booking."
    ),
}


def format_params(params: dict[str, Any]) -> dict[str, Any]:
    """Dates and times in a sentence, in the active language's words ("Friday 13 March",
    "viernes 13 de marzo, 14:30"); a datetime is shown in its own zone (the rules give it
    in the clinic's)."""
    out = dict(params)
    for key, value in params.items():
        if isinstance(value, datetime):
            out[key] = date_filter(value, str(FORMATS["day_time"]))
        elif isinstance(value, date):
            # Inside a sentence ("on Friday 13 March", "el viernes 13 de marzo").
            out[key] = date_filter(value, str(_("l j F")))
    return out


def warning_dict(violation: Any) -> dict[str, str]:
    """A warning (booked, but said) as the API and the pages show it."""
    return {
        "code": violation.code,
        "detail": str(MESSAGES[violation.code]) % format_params(violation.params),
    }


class BookingError(CodedError):
    """A refused booking. `status_code` is 409 for conflicts, 403 for a forbidden override,
    422 for a reused Idempotency-Key, 400 for rules."""

    def __init__(
        self,
        code: str,
        detail: str | None = None,
        *,
        params: dict[str, Any] | None = None,
        suggestions: list[Slot] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        if detail is None:
            template = MESSAGES.get(code, _("That booking is not possible."))
            detail = str(template) % format_params(params) if params else str(template)
        super().__init__(
            detail,
            code=code,
            status_code=_STATUS.get(code, 400),
            suggestions=suggestions,
            extra=extra,
        )
        self.params = params or {}
        # The time that was refused (set with the suggestions), for the pages.
        self.asked: datetime | None = None
        # The nearest slots that pass, as the engine's Slot objects: the one shape. The
        # edges render them (booking.api.serializers.slot_dict, the refusal page's links).
        self.suggestions: list[Slot] = list(suggestions or [])


class SlotTaken(BookingError):
    def __init__(self, therapist: str, suggestions: list[Slot] | None = None) -> None:
        super().__init__(Code.SLOT_TAKEN, params={"therapist": therapist}, suggestions=suggestions)


class IdempotencyKeyReused(BookingError):
    """An Idempotency-Key sent again with a different request. Not a refusal of the time
    (no suggestions): the request is wrong, and nothing was written. `session_id` is the
    session the key first booked (the runner's own; pages link to it, the API does not
    say it)."""

    def __init__(self, session_id: int) -> None:
        super().__init__(Code.IDEMPOTENCY_KEY_REUSED)
        self.session_id = session_id
