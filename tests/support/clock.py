"""The one frozen clock of the suite.

    def test_x(clock): ...                          # frozen at the folder's start
    @pytest.mark.clock(at(2026, 12, 1, 9))          # a test's, class's or module's own start
    @pytest.mark.clock(start, tick=True)            # a clock that runs on from start

The marker alone freezes the clock (from before the test's fixtures run); a test that needs
to move it asks for `clock`: `clock.start`, `clock.now()`, `clock.move_to(when)`,
`clock.shift(timedelta)`, `with clock.travel(when): ...` (a while elsewhere). A folder chooses its own start by overriding `clock_start` (and
`clock_tick`) in its conftest.py.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

__all__ = ["MADRID", "NOW", "Clock", "_clock_marker", "clock", "clock_start", "clock_tick"]

MADRID = ZoneInfo("Europe/Madrid")
# Monday 30 November 2026, 08:00 in Madrid: the clinic's week lies ahead.
NOW = datetime(2026, 11, 30, 8, 0, tzinfo=MADRID)


@dataclass
class Clock:
    start: datetime
    traveller: time_machine.Traveller

    def now(self) -> datetime:
        return timezone.now()

    def move_to(self, when: datetime) -> None:
        self.traveller.move_to(when)

    def shift(self, delta: timedelta) -> None:
        self.traveller.shift(delta)

    @contextmanager
    def travel(self, when: datetime, *, tick: bool = False) -> Iterator[None]:
        """A while at another moment (frozen unless tick), then back to this clock."""
        with time_machine.travel(when, tick=tick):
            yield


@pytest.fixture
def clock_start() -> datetime:
    """Where the clock starts unless a `clock` marker says otherwise (override per folder)."""
    return NOW


@pytest.fixture
def clock_tick() -> bool:
    return False


@pytest.fixture
def clock(request, clock_start, clock_tick):
    marker = request.node.get_closest_marker("clock")
    start, tick = clock_start, clock_tick
    if marker is not None:
        start = marker.args[0] if marker.args else marker.kwargs.get("start", start)
        tick = marker.kwargs.get("tick", tick)
    with time_machine.travel(start, tick=tick) as traveller:
        yield Clock(start=start, traveller=traveller)


@pytest.fixture(autouse=True)
def _clock_marker(request):
    """A test marked `clock` is frozen even when it does not ask for the fixture."""
    if request.node.get_closest_marker("clock") is not None:
        request.getfixturevalue("clock")
