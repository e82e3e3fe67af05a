"""The API tests' start of the clock and their local times. Clients: the one `persona`
fixture (tests/support/personas.py); clock: the one `clock` (tests/support/clock.py).
The conftests of the API test folders star-import this module."""

from datetime import datetime

import pytest

from tests.support.clock import MADRID, NOW

__all__ = [
    "MADRID",
    "NOW",
    "clock_start",
    "local",
]


@pytest.fixture
def clock_start():
    """The API tests' clock: Monday 30 November 2026, 08:00 in Madrid (the suite's NOW)."""
    return NOW


def local(y, m, d, h, mi=0) -> datetime:
    return datetime(y, m, d, h, mi, tzinfo=MADRID)
