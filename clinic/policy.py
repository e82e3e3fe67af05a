"""A clinic's booking policy as plain values: notice, horizon, buffer, slot step, and
the race windows (how long before and after a race no unloading massage is booked).

Pure: no Django, no ORM. `Policy.from_clinic` reads a clinic's fields (and its race
window rules); every caller decides with the same object."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Protocol
from zoneinfo import ZoneInfo


class RaceFields(Protocol):
    """What a race window rule looks at (booking.engine.rules.RaceInfo has it)."""

    @property
    def distance_km(self) -> Decimal | None: ...

    @property
    def priority(self) -> str: ...


class RaceTimes(RaceFields, Protocol):
    """A race with its times (runners.models.Race and booking.engine.rules.RaceInfo)."""

    @property
    def start(self) -> datetime: ...

    @property
    def finish(self) -> datetime: ...


HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class ForbiddenWindow:
    """The time a race keeps free of massages: `before` up to its start, and from its
    start until `after` past its finish (half-open: a session may end exactly at
    `starts` or start exactly at `ends`)."""

    before: timedelta
    after: timedelta
    starts: datetime  # race start - before
    race_start: datetime
    ends: datetime  # race finish + after

    @property
    def before_hours(self) -> int:
        return self.before // HOUR

    @property
    def after_hours(self) -> int:
        return self.after // HOUR


@dataclass(frozen=True)
class RaceWindowRule:
    """A longer window for races from a distance and/or of a priority (both must match)."""

    after: timedelta
    before: timedelta
    min_distance_km: Decimal | None = None
    priority: str = ""

    def matches(self, race: RaceFields) -> bool:
        if self.min_distance_km is not None and (
            race.distance_km is None or Decimal(race.distance_km) < self.min_distance_km
        ):
            return False
        return not (self.priority and race.priority != self.priority)


@dataclass(frozen=True)
class Policy:
    tz: ZoneInfo
    min_notice: timedelta
    max_ahead: timedelta
    buffer: timedelta
    step: timedelta
    after_race: timedelta
    before_race: timedelta
    race_windows: tuple[RaceWindowRule, ...] = ()

    @classmethod
    def from_clinic(cls, clinic: Any, race_windows: Iterable[Any] = ()) -> Policy:
        return cls(
            tz=ZoneInfo(clinic.timezone),
            min_notice=timedelta(minutes=clinic.min_notice_minutes),
            max_ahead=timedelta(days=clinic.max_days_ahead),
            buffer=timedelta(minutes=clinic.buffer_minutes),
            step=timedelta(minutes=clinic.slot_step_minutes),
            after_race=timedelta(hours=clinic.after_race_hours),
            before_race=timedelta(hours=clinic.before_race_hours),
            race_windows=tuple(
                RaceWindowRule(
                    after=timedelta(hours=rw.after_race_hours),
                    before=timedelta(hours=rw.before_race_hours),
                    min_distance_km=rw.min_distance_km,
                    priority=rw.priority or "",
                )
                for rw in race_windows
            ),
        )

    def race_window(self, race: RaceFields) -> tuple[timedelta, timedelta]:
        """(after, before) for a race: the largest of the default and every matching rule."""
        after, before = self.after_race, self.before_race
        for rule in self.race_windows:
            if rule.matches(race):
                after, before = max(after, rule.after), max(before, rule.before)
        return after, before

    def forbidden_window(self, race: RaceTimes) -> ForbiddenWindow:
        """The one answer to "when may this runner not have a massage because of this
        race": the validator, the slot sweep, the reminders and the race pages ask it."""
        after, before = self.race_window(race)
        return ForbiddenWindow(
            before=before,
            after=after,
            starts=race.start - before,
            race_start=race.start,
            ends=race.finish + after,
        )

    @property
    def longest_race_windows(self) -> tuple[timedelta, timedelta]:
        after = max([self.after_race, *(r.after for r in self.race_windows)])
        before = max([self.before_race, *(r.before for r in self.race_windows)])
        return after, before
