"""The runner's cadence in the booking engine: which slots fall in their recommended
window. Pure: no ORM, no clock (`now` is passed in)."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from datetime import datetime, timedelta

# A little early still counts as on time; the window then stays open a week.
IDEAL_EARLY = timedelta(days=2)
IDEAL_LENGTH = timedelta(days=7)


def is_ideal(
    start: datetime, *, cadence_days: int | None, runner_sessions: Sequence[datetime], now
) -> bool:
    """A slot is in the runner's recommended window when the cadence says they are due
    then (no other session of theirs within the cadence, less two days, on either side)
    and it falls within a week of becoming due. Race-blocked slots never get here.
    `runner_sessions`: the starts of the runner's active sessions, sorted."""
    if not cadence_days:
        return False
    gap = timedelta(days=cadence_days) - IDEAL_EARLY
    i = bisect_right(runner_sessions, start)
    previous = runner_sessions[i - 1] if i else None
    following = runner_sessions[i] if i < len(runner_sessions) else None
    if previous is not None and start - previous < gap:
        return False
    if following is not None and following - start < gap:
        return False
    due = now if previous is None else max(now, previous + gap)
    return due <= start < due + IDEAL_LENGTH
