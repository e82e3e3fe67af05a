"""Fixtures for the runner's pages: a logged-in runner, a Spanish client, the engine guard,
and the pages' frozen clock. The conftests of the page test folders star-import this module."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from booking.engine import selectors

__all__ = [
    "MADRID",
    "NOW",
    "alice_client",
    "engine",
    "engine_ready",
    "es_client",
    "frozen",
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
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice.user)
    return client


@pytest.fixture
def es_client(client, alice):
    client.force_login(alice.user)
    client.cookies["django_language"] = "es"
    return client


def local(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(day, time(hh, mm), tzinfo=MADRID)


def next_weekday(d: date, weekday: int) -> date:
    return d + timedelta(days=(weekday - d.weekday()) % 7)
