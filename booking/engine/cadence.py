"""The runner's cadence, one definition of "due" for the reminder scans, the ideal marks on
slots and the adherence report. Pure: no ORM, no clock (`now`/`today` are passed in).

In the clinic's calendar: a runner on a cadence of `days` days whose last session was on
local day L is due from local day L + days (`due_day`); with no session at all they are
due now. The set-based scan asks the same question the other way round: due on `today`
when nothing counting started on or after local day `counting_since(today, days)`.

A slot is ideal when it falls in the recommended window: from `IDEAL_EARLY_DAYS` before
the due day, for `IDEAL_LENGTH` (and not within that gap of another session of theirs).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from clinic.timeutils import local_date, local_midnight

# A little early still counts as on time; the window then stays open a week.
IDEAL_EARLY_DAYS = 2
IDEAL_EARLY = timedelta(days=IDEAL_EARLY_DAYS)
IDEAL_LENGTH = timedelta(days=7)


def due_day(last_day: date, days: int) -> date:
    """The first clinic-local day a runner whose last session was on `last_day` is due."""
    return last_day + timedelta(days=days)


def counting_until(today: date, days: int) -> date:
    """Only a session within the cadence counts: one booked on or after this local day
    (e.g. 60 days ahead on a fortnightly cadence) leaves the runner due today."""
    return today + timedelta(days=days)


def is_due(*, last_day: date | None, today: date, days: int) -> bool:
    """Whether a runner on a cadence of `days` is due on local day `today`. `last_day`:
    the local day of their last counting session (attended or booked) before
    `counting_until(today, days)`; a later one does not count."""
    if last_day is None or last_day >= counting_until(today, days):
        return True
    return today >= due_day(last_day, days)


def counting_since(today: date, days: int) -> date:
    """`is_due` for a query: due on `today` exactly when no counting session started on
    or after this local day (last_day <= today - days  <=>  last_day < today - days + 1)."""
    return today - timedelta(days=days - 1)


def cadence_period(*, last: date | None, joined: date, today: date, days: int) -> date:
    """The first day of the due period `today` falls in: periods of `days` days starting
    on the due day after the last session (or on the day the runner joined, if never)."""
    anchor = due_day(last, days) if last else joined
    if today < anchor:
        return anchor
    return anchor + timedelta(days=((today - anchor).days // days) * days)


def _window_opens(last_day: date, days: int) -> date:
    return due_day(last_day, days) - IDEAL_EARLY


def is_ideal(
    start: datetime,
    *,
    cadence_days: int | None,
    runner_sessions: Sequence[datetime],
    now: datetime,
    tz: ZoneInfo,
) -> bool:
    """A slot is in the runner's recommended window when they are due then, a little
    early allowed (no other session of theirs within the cadence less two days, on either
    side) and it falls within a week of the window opening. Race-blocked slots never get
    here. `runner_sessions`: the starts of the runner's active sessions, sorted."""
    if not cadence_days or not runner_sessions:
        # Without a session to count from every time would be "ideal": that tells a new
        # runner nothing, so nothing is marked.
        return False
    i = bisect_right(runner_sessions, start)
    previous = runner_sessions[i - 1] if i else None
    following = runner_sessions[i] if i < len(runner_sessions) else None
    start_day = local_date(start, tz)
    if previous is not None and start_day < _window_opens(local_date(previous, tz), cadence_days):
        return False
    if following is not None and local_date(following, tz) < _window_opens(start_day, cadence_days):
        return False
    opens = now
    if previous is not None:
        opens = max(now, local_midnight(_window_opens(local_date(previous, tz), cadence_days), tz))
    return opens <= start < opens + IDEAL_LENGTH
