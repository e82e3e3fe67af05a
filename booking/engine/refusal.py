"""A refusal as the booking services raise it: the validator's violation turned into a
BookingError (code, sentence, race), with the nearest slots that pass (`Slot` objects:
the edges render them), and the race rules a staff override lets pass set apart."""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext as _

from booking.engine import rules
from booking.engine.availability import Slot, suggest_slots
from booking.engine.codes import Code
from booking.engine.exceptions import BookingError
from clinic.models import Service, Therapist
from runners.models import Runner


def _what(code_params: dict) -> dict:
    what = code_params.get("what")
    if what == "service":
        return {**code_params, "what": _("service")}
    if what == "therapist":
        return {**code_params, "what": _("therapist")}
    return code_params


def violation_error(
    violation: rules.Violation, *, suggestions: list[Slot] | None = None
) -> BookingError:
    """The validator's first violation as the refusal the runner reads."""
    extra = {"race": violation.race_id} if violation.race_id else None
    error = BookingError(
        violation.code, params=_what(violation.params), suggestions=suggestions, extra=extra
    )
    return error


def attach_suggestions(
    error: BookingError,
    *,
    runner: Runner | None,
    service: Service,
    therapist: Therapist | None,
    around: datetime,
    now: datetime,
    exclude_session_id: int | None = None,
) -> BookingError:
    """The nearest slots that pass, offered with a refusal (not for a service that is off)."""
    if error.code in (Code.INACTIVE,) and not service.active:
        return error
    slots = suggest_slots(
        runner=runner,
        service=service,
        around=around,
        therapist=therapist,
        now=now,
        exclude_session_id=exclude_session_id,
    )
    error.suggestions = slots
    return error


def set_apart_overridden(violations: list, override_reason: str) -> tuple[list, list]:
    """(the violations that stand, the race-rule ones a staff override lets pass)."""
    if not override_reason:
        return violations, []
    return (
        [v for v in violations if not v.is_race_rule],
        [v for v in violations if v.is_race_rule],
    )
