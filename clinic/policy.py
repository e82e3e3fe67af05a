"""A clinic's booking policy as plain values: notice, horizon, buffer, slot step, and
the race windows (which days and hours around a race keep free of unloading massages).

Race windows are counted as the articles count them, in calendar days of the race's own
zone: the massage's day must leave `rest_days_before` full rest days before race day
(1: Friday is fine for a Sunday race, Saturday is not), and after the finish no massage
for `after` hours and not before the `days_after`-th local day after the finish day
(0: later the same day, once the hours are over). Per distance and priority a clinic's
rules widen or narrow this: the most specific matching rule replaces the default
(docs/race-rules.md).

Pure: no Django, no ORM. `Policy.from_clinic` reads a clinic's fields (and its race
window rules); every caller decides with the same object."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from clinic.timeutils import local_date, local_midnight

DAY = timedelta(days=1)
# No rest day asked at all: a session may end right at the race's start (recovery).
NO_REST = -1


class ServiceKind:
    """Service kinds with their own race rules (docs/race-rules.md)."""

    UNLOADING = "unloading"  # the articles' rules: rest days before, hours/days after
    RECOVERY = "recovery"  # light post-race massage: from the clinic's hours after a finish
    ACTIVATION = "activation"  # short pre-race activation: up to the day before


HOUR = timedelta(hours=1)


class EffortKind:
    """What a massage keeps clear of (docs/training.md): a race, or a demanding training.
    One window, one vocabulary; the training's window is the hours after its end."""

    RACE = "race"
    TRAINING = "training"


# The longest race the product accepts (stage races, ultras): web form, API and import.
MAX_RACE_LENGTH = timedelta(days=14)


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


@dataclass(frozen=True)
class WindowFigures:
    """The figures of a race window: rest days before race day, hours after the finish,
    and from which local day after the finish day a massage is fine again."""

    rest_days_before: int
    after: timedelta
    days_after: int = 0

    @property
    def after_hours(self) -> int:
        return self.after // HOUR


@dataclass(frozen=True)
class ForbiddenWindow:
    """The time a race keeps free of massages: from local midnight `rest_days_before`
    days before race day up to the start, and from the start until `ends` (half-open: a
    session may end exactly at `starts` or start exactly at `ends`). `last_day` is the
    last local day a massage may be on before the race; `ideal_day` the local day after
    the finish day, the one the articles recommend."""

    figures: WindowFigures
    tz: ZoneInfo
    starts: datetime
    race_start: datetime
    finish: datetime
    ends: datetime

    @property
    def rest_days_before(self) -> int:
        return self.figures.rest_days_before

    @property
    def days_after(self) -> int:
        return self.figures.days_after

    @property
    def after_hours(self) -> int:
        return self.figures.after_hours

    @property
    def last_day(self) -> date:
        return local_date(self.starts, self.tz) - DAY

    @property
    def race_days(self) -> tuple[date, date]:
        return local_date(self.race_start, self.tz), local_date(self.finish, self.tz)

    @property
    def ideal_day(self) -> date:
        return max(self.race_days[1] + DAY, local_date(self.ends, self.tz))


@dataclass(frozen=True)
class RaceWindowRule:
    """Other figures for races from a distance and/or of a priority (both must match)."""

    figures: WindowFigures
    min_distance_km: Decimal | None = None
    priority: str = ""

    def matches(self, race: RaceFields) -> bool:
        if self.min_distance_km is not None and (
            race.distance_km is None or Decimal(race.distance_km) < self.min_distance_km
        ):
            return False
        return not (self.priority and race.priority != self.priority)

    @property
    def specificity(self) -> tuple[int, Decimal]:
        """More conditions first, then the longer distance: a C marathon rule beats the
        marathon rule, which beats the half-marathon rule."""
        conditions = (self.min_distance_km is not None) + bool(self.priority)
        return conditions, self.min_distance_km or Decimal(-1)


# Starting points a clinic can edit (seeded in the demo and for new clinics; the
# reasoning is in docs/race-rules.md): (from km, priority, rest days before, days after,
# hours after the finish).
DEFAULT_RACE_RULES: tuple[tuple[Decimal, str, int, int, int], ...] = (
    (Decimal("5"), "", 1, 1, 6),
    (Decimal("21"), "", 2, 2, 6),
    (Decimal("42"), "", 4, 3, 6),
    (Decimal("50"), "", 5, 5, 6),
    (Decimal("21"), "C", 1, 1, 6),
    (Decimal("42"), "C", 2, 2, 6),
)


class TrainingFields(Protocol):
    """What "demanding" looks at (runners.models.Training and plain rows have it)."""

    @property
    def start(self) -> datetime: ...

    @property
    def minutes(self) -> int: ...

    @property
    def distance_km(self) -> Decimal | None: ...

    @property
    def kind(self) -> str: ...

    @property
    def rpe(self) -> int | None: ...

    @property
    def hard(self) -> bool: ...


# Kinds that are demanding by nature, whatever their length (docs/training.md).
QUALITY_KINDS = frozenset({"intervals", "race_pace", "hills"})
# The runner's own recent training: done sessions in the 28 days before, at least 3 of them.
USUAL_DAYS = 28
USUAL_MIN_COUNT = 3


@dataclass(frozen=True)
class Usual:
    """The runner's usual training (medians of the recent sessions): a long run is long for
    this runner, not against a fixed figure."""

    minutes: float
    km: float | None


def usual_training(history: Iterable[TrainingFields], before: datetime) -> Usual | None:
    """The medians of the done trainings (the caller passes done ones) in the USUAL_DAYS
    before `before`, or None with fewer than USUAL_MIN_COUNT (the fixed figures decide)."""
    since = before - USUAL_DAYS * DAY
    recent = [t for t in history if since <= t.start < before and t.kind != "strength"]
    if len(recent) < USUAL_MIN_COUNT:
        return None
    minutes = sorted(t.minutes for t in recent)
    kms = sorted(float(t.distance_km) for t in recent if t.distance_km)
    return Usual(
        minutes=minutes[len(minutes) // 2],
        km=kms[len(kms) // 2] if len(kms) >= USUAL_MIN_COUNT else None,
    )


@dataclass(frozen=True)
class DemandingThresholds:
    """When a training is demanding: the one decision (docs/training.md). A clinic edits
    the figures; the defaults are the documented ones."""

    rpe: int = 7  # an RPE at or above this
    ratio_percent: int = 150  # longer or farther than this share of the runner's usual
    minutes: int = 90  # without enough history: at least this long
    km: int = 18  # without enough history: at least this far

    def reason(self, training: TrainingFields, usual: Usual | None) -> str:
        """Why the training is demanding ("flag", "rpe", "kind", "long", "far"), or ""
        when it is not. Strength counts by the runner's flag and the RPE only."""
        if training.hard:
            return "flag"
        if training.rpe is not None and training.rpe >= self.rpe:
            return "rpe"
        if training.kind in QUALITY_KINDS:
            return "kind"
        if training.kind == "strength":
            return ""
        km = float(training.distance_km) if training.distance_km else None
        if usual is None:
            if training.minutes >= self.minutes:
                return "long"
            return "far" if km is not None and km >= self.km else ""
        ratio = self.ratio_percent / 100
        if training.minutes >= usual.minutes * ratio:
            return "long"
        if km is not None and usual.km is not None and km >= usual.km * ratio:
            return "far"
        return ""


def demanding_reasons(
    trainings: Iterable[TrainingFields], thresholds: DemandingThresholds
) -> list[str]:
    """The reason (or "") for each training given, in order, each against the done ones
    among them in the USUAL_DAYS before it (one runner's, in start order, reaching back
    USUAL_DAYS before the first one that matters)."""
    trainings = list(trainings)
    done = [t for t in trainings if not getattr(t, "planned", False)]
    return [thresholds.reason(t, usual_training(done, t.start)) for t in trainings]


def _tz(name: str | None, default: ZoneInfo) -> ZoneInfo:
    try:
        return ZoneInfo(name) if name else default
    except (ValueError, KeyError):  # ZoneInfoNotFoundError is a KeyError
        return default


@dataclass(frozen=True)
class Policy:
    tz: ZoneInfo
    min_notice: timedelta
    max_ahead: timedelta
    buffer: timedelta
    step: timedelta
    after_race: timedelta
    rest_days_before: int = 1
    days_after: int = 0
    race_windows: tuple[RaceWindowRule, ...] = ()
    # Spacing: a session closer than this to another is booked with a warning.
    min_days_between: int = 7
    # One unloading massage a day (same_day); other kinds are not counted.
    one_a_day: bool = True
    # After a demanding training's end (the race's hours by default; docs/training.md).
    after_training: timedelta = timedelta(hours=6)
    demanding: DemandingThresholds = DemandingThresholds()

    @classmethod
    def from_clinic(cls, clinic: Any, race_windows: Iterable[Any] = ()) -> Policy:
        return cls(
            tz=ZoneInfo(clinic.timezone),
            min_notice=timedelta(minutes=clinic.min_notice_minutes),
            max_ahead=timedelta(days=clinic.max_days_ahead),
            buffer=timedelta(minutes=clinic.buffer_minutes),
            step=timedelta(minutes=clinic.slot_step_minutes),
            after_race=timedelta(hours=clinic.after_race_hours),
            rest_days_before=clinic.rest_days_before_race,
            days_after=clinic.days_after_race,
            min_days_between=clinic.min_days_between_sessions,
            after_training=timedelta(hours=clinic.after_training_hours),
            demanding=DemandingThresholds(
                rpe=clinic.demanding_rpe,
                ratio_percent=clinic.demanding_ratio_percent,
                minutes=clinic.demanding_minutes,
                km=clinic.demanding_km,
            ),
            race_windows=tuple(
                RaceWindowRule(
                    figures=WindowFigures(
                        rest_days_before=rw.rest_days_before,
                        after=timedelta(hours=rw.after_race_hours),
                        days_after=rw.days_after,
                    ),
                    min_distance_km=rw.min_distance_km,
                    priority=rw.priority or "",
                )
                for rw in race_windows
            ),
        )

    def for_service(self, kind: str) -> Policy:
        """The policy for a service kind: the unloading massage keeps every rule; a
        recovery massage only waits the clinic's hours after a finish (no rest day, no
        days after); a pre-race activation may be on the day before (no rest day), and
        keeps the after-race figures. Spacing and one-a-day are the unloading massage's."""
        if kind == ServiceKind.RECOVERY:
            return replace(
                self,
                rest_days_before=NO_REST,
                days_after=0,
                race_windows=(),
                min_days_between=0,
                one_a_day=False,
            )
        if kind == ServiceKind.ACTIVATION:
            return replace(
                self,
                rest_days_before=0,
                race_windows=tuple(
                    replace(r, figures=replace(r.figures, rest_days_before=0))
                    for r in self.race_windows
                ),
                min_days_between=0,
                one_a_day=False,
            )
        return self

    @property
    def default_figures(self) -> WindowFigures:
        return WindowFigures(self.rest_days_before, self.after_race, self.days_after)

    def race_window(self, race: RaceFields) -> WindowFigures:
        """The figures for an effort. A demanding training: the hours after its end, no
        rest day before (that is a warning: booking.engine.rules.next_day_warnings). A
        race: the most specific matching rule's (it may widen or narrow the clinic
        default), else the clinic default."""
        if getattr(race, "kind", EffortKind.RACE) == EffortKind.TRAINING:
            return WindowFigures(NO_REST, self.after_training, 0)
        matching = [rule for rule in self.race_windows if rule.matches(race)]
        if not matching:
            return self.default_figures
        return max(matching, key=lambda rule: rule.specificity).figures

    def race_tz(self, race: Any) -> ZoneInfo:
        """The race's own zone (a race abroad), else the clinic's."""
        return _tz(getattr(race, "timezone", None), self.tz)

    def forbidden_window(self, race: RaceTimes) -> ForbiddenWindow:
        """The one answer to "when may this runner not have a massage because of this
        race": the validator, the slot sweep, the reminders and the race pages ask it.
        Days are counted in the race's zone (a New York race's Saturday is New York's)."""
        figures = self.race_window(race)
        tz = self.race_tz(race)
        race_day = local_date(race.start, tz)
        finish_day = local_date(race.finish, tz)
        starts = min(local_midnight(race_day - figures.rest_days_before * DAY, tz), race.start)
        ends = max(
            race.finish + figures.after, local_midnight(finish_day + figures.days_after * DAY, tz)
        )
        return ForbiddenWindow(
            figures=figures,
            tz=tz,
            starts=starts,
            race_start=race.start,
            finish=race.finish,
            ends=ends,
        )

    @property
    def longest_race_windows(self) -> tuple[timedelta, timedelta]:
        """(after, before): bounds, in real time from the finish and to the start, that
        every race window fits in (to load the races a range of days may meet); a spare
        day covers local midnights and zone offsets."""
        figures = [
            self.default_figures,
            WindowFigures(NO_REST, self.after_training, 0),
            *(r.figures for r in self.race_windows),
        ]
        after = max(max(f.after, (f.days_after + 1) * DAY) for f in figures) + DAY
        before = max((f.rest_days_before + 1) * DAY for f in figures) + DAY
        return after, before
