"""The booking engine's refusal codes, and which of them are conflicts (409), forbidden
(403), unprocessable (422) or race rules. Pure: no Django; the translated sentences live
in booking.engine.exceptions."""


class Code:
    IN_THE_PAST = "in_the_past"
    TOO_SHORT_NOTICE = "too_short_notice"
    TOO_FAR_AHEAD = "too_far_ahead"
    OUTSIDE_WORKING_HOURS = "outside_working_hours"
    THERAPIST_TIME_OFF = "therapist_time_off"
    SLOT_TAKEN = "slot_taken"
    RUNNER_OVERLAP = "runner_overlap"
    TOO_SOON_AFTER_RACE = "too_soon_after_race"
    TOO_CLOSE_BEFORE_RACE = "too_close_before_race"
    TOO_SOON_AFTER_TRAINING = "too_soon_after_training"
    INACTIVE = "inactive"
    NOT_CANCELLABLE = "not_cancellable"
    NOT_RESCHEDULABLE = "not_reschedulable"
    INVALID = "invalid"
    OVERRIDE_NOT_ALLOWED = "override_not_allowed"
    IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused"
    THERAPIST_OTHER_CLINIC = "therapist_other_clinic"
    SAME_DAY = "same_day"
    OFF_GRID = "off_grid"
    # A warning, not a refusal: the session is booked and the answer says it.
    TOO_SOON_AFTER_PREVIOUS = "too_soon_after_previous"
    DEMANDING_TRAINING_NEXT_DAY = "demanding_training_next_day"


# Refusals that are a conflict with other data (HTTP 409) rather than a rule (HTTP 400).
CONFLICT_CODES = {Code.SLOT_TAKEN, Code.RUNNER_OVERLAP}
FORBIDDEN_CODES = {Code.OVERRIDE_NOT_ALLOWED}

# Understood but not acceptable as it stands (HTTP 422).
UNPROCESSABLE_CODES = {Code.IDEMPOTENCY_KEY_REUSED}
# The effort rules (a race or a demanding training: docs/training.md); one vocabulary.
RACE_CODES = {Code.TOO_SOON_AFTER_RACE, Code.TOO_CLOSE_BEFORE_RACE, Code.TOO_SOON_AFTER_TRAINING}
# What a staff override (with a reason) lets pass: the effort rules and a second unloading
# massage on one day.
OVERRIDABLE_CODES = RACE_CODES | {Code.SAME_DAY}
