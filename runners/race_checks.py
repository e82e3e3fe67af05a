"""Which booked sessions a race (or a demanding training) clashes with, and what a race change sets off: decided in
booking (its engine holds the race rules and the sessions), asked through this one seam so
that runners never imports booking. booking.apps sets both at start-up; without them
(runners alone) there is nothing to flag."""

from collections.abc import Callable, Iterable
from typing import Any

AffectedSessions = Callable[[Iterable[Any]], dict[int, list[dict[str, Any]]]]
RacesChanged = Callable[[list[Any]], None]

_affected: AffectedSessions | None = None
_changed: RacesChanged | None = None
_training_affected: AffectedSessions | None = None


def connect(
    *,
    affected: AffectedSessions,
    changed: RacesChanged,
    training_affected: AffectedSessions | None = None,
) -> None:
    global _affected, _changed, _training_affected
    _affected, _changed, _training_affected = affected, changed, training_affected


def training_affected_sessions(trainings: Iterable[Any]) -> dict[int, list[dict[str, Any]]]:
    """{training id: [{"session", "start", "code", "detail"}]}: the same answer as for a
    race (one vocabulary), for a demanding training's window."""
    trainings = list(trainings)
    if _training_affected is None:
        return {training.pk: [] for training in trainings}
    return _training_affected(trainings)


def affected_sessions(races: Iterable[Any]) -> dict[int, list[dict[str, Any]]]:
    """{race id: [{"session", "start", "code", "detail"}]} for the runner's booked sessions
    still to come that the race now clashes with."""
    races = list(races)
    if _affected is None:
        return {race.pk: [] for race in races}
    return _affected(races)


def races_changed(races: Iterable[Any]) -> None:
    """After races are logged, edited or imported (one change: a form, an API call, one
    .ics import): the clashes they make are told to the runner once (booking records one
    e-mail per change, whatever the number of races)."""
    races = list(races)
    if _changed is not None and races:
        _changed(races)
