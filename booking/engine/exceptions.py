"""Booking refusals: a stable machine code, a sentence for the runner, nearest slots.

Every sentence lives here, translated, so the API, the pages and the e-mails say the same.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

from booking.engine.codes import CONFLICT_CODES, FORBIDDEN_CODES, UNPROCESSABLE_CODES, Code
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
        "Too soon after %(race)s: allow %(hours)s h after a race before an unloading massage."
    ),
    Code.TOO_CLOSE_BEFORE_RACE: _(
        "Too close to %(race)s: leave %(hours)s h between the massage and the race, so a rest "
        "day fits."
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
            detail = str(template) % (params or {}) if params else str(template)
        super().__init__(
            detail,
            code=code,
            status_code=_STATUS.get(code, 400),
            suggestions=suggestions,
            extra=extra,
        )
        self.params = params or {}
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
