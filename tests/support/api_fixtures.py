"""API fixtures: the API clients of the personas and the API tests' start of the clock,
as names over the one persona fixture and the one clock (tests/support/personas.py,
tests/support/clock.py). The conftests of the API test folders star-import this module."""

from datetime import datetime

import pytest

from tests.support.clock import MADRID, NOW

__all__ = [
    "MADRID",
    "NOW",
    "admin_client_api",
    "alice_client",
    "anon_client",
    "bob_client",
    "clock_start",
    "frozen",
    "frozen_now",
    "local",
    "other_therapist_client",
    "persona_client",
    "therapist_client",
]


@pytest.fixture
def clock_start():
    """The API tests' clock: Monday 30 November 2026, 08:00 in Madrid (the suite's NOW)."""
    return NOW


@pytest.fixture
def anon_client(persona):
    return persona(None).api


@pytest.fixture
def alice_client(persona):
    return persona("alice").api


@pytest.fixture
def bob_client(persona):
    return persona("bob").api


@pytest.fixture
def therapist_client(persona):
    return persona("therapist").api


@pytest.fixture
def other_therapist_client(persona):
    return persona("other_therapist").api


@pytest.fixture
def admin_client_api(persona):
    return persona("clinic_admin").api


@pytest.fixture
def persona_client(request, persona):
    """Indirect: `persona_client` parametrised with a persona's name (or None)."""
    return persona(request.param).api


def local(y, m, d, h, mi=0) -> datetime:
    return datetime(y, m, d, h, mi, tzinfo=MADRID)


@pytest.fixture
def frozen(clock):
    return clock


@pytest.fixture
def frozen_now(clock):
    return clock.start
