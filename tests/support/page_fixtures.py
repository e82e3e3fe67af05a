"""Fixtures for the runner's pages: Alice's page client in Spanish, the engine guard and
the pages' start of the clock. Clients: the one `persona` fixture
(tests/support/personas.py); clock: the one `clock` (tests/support/clock.py). The
conftests of the page test folders star-import this module."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from booking.engine import selectors

__all__ = [
    "MADRID",
    "NOW",
    "clock_start",
    "engine",
    "engine_ready",
    "es_client",
    "local",
    "next_weekday",
]

MADRID = ZoneInfo("Europe/Madrid")
# A Monday at 08:00 in Madrid: the week ahead is open, the therapist works Mon-Fri.
NOW = datetime(2026, 3, 2, 8, 0, tzinfo=MADRID)


def engine_ready() -> bool:
    try:
        selectors.sessions_for(None)
    except NotImplementedError:
        return False
    except Exception:  # noqa: BLE001 - anything but the stub means it is there
        return True
    return True


@pytest.fixture
def engine():
    if not engine_ready():
        pytest.skip("the booking engine has not landed on main yet")


@pytest.fixture
def clock_start():
    """The pages' clock: Monday 2 March 2026, 08:00 in Madrid."""
    return NOW


@pytest.fixture
def es_client(persona):
    client = persona("alice").page
    client.cookies["django_language"] = "es"
    return client


def local(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(day, time(hh, mm), tzinfo=MADRID)


def next_weekday(d: date, weekday: int) -> date:
    return d + timedelta(days=(weekday - d.weekday()) % 7)
