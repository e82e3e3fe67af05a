"""The "time freed" event: a write that makes a therapist's time bookable again (a
session cancelled or moved away, time off removed, working hours added) says so itself,
inside its transaction, as it says clinic.cache.availability_changed; no model signals.

What listens is booking's waitlist (set by booking.apps through `connect`, so clinic
never imports booking): it records the freed time with the change and offers it to the
waiting runners once committed. Without a listener (clinic alone) nothing happens.
"""

from collections.abc import Callable
from datetime import datetime

TimeFreed = Callable[..., None]

_listener: TimeFreed | None = None


def connect(listener: TimeFreed) -> None:
    global _listener
    _listener = listener


def time_freed(*, therapist_id: int, start: datetime, end: datetime, reason: str) -> None:
    """[start, end) of this therapist may be bookable now; `reason` is one of
    booking.models.FreedTime.Reason's values."""
    if _listener is not None and end > start:
        _listener(therapist_id=therapist_id, start=start, end=end, reason=reason)
