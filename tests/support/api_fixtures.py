"""API fixtures: a client per persona (anonymous, alice, bob, therapist, other_therapist,
clinic_admin), signed in the way a real client would be where it matters, and the API
tests' frozen clock. The conftests of the API test folders star-import this module."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from rest_framework.test import APIClient

__all__ = [
    "MADRID",
    "NOW",
    "admin_client_api",
    "alice_client",
    "anon_client",
    "bob_client",
    "frozen",
    "frozen_now",
    "local",
    "other_therapist_client",
    "persona_client",
    "therapist_client",
]


def _client_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def anon_client():
    return APIClient()


@pytest.fixture
def alice_client(alice):
    return _client_for(alice.user)


@pytest.fixture
def bob_client(bob):
    return _client_for(bob.user)


@pytest.fixture
def therapist_client(therapist):
    return _client_for(therapist.user)


@pytest.fixture
def other_therapist_client(other_therapist):
    return _client_for(other_therapist.user)


@pytest.fixture
def admin_client_api(clinic_admin):
    return _client_for(clinic_admin)


@pytest.fixture
def persona_client(request):
    """Indirect: `persona_client` parametrised with a persona fixture name (or None)."""
    name = request.param
    if name is None:
        return APIClient()
    obj = request.getfixturevalue(name)
    user = getattr(obj, "user", obj)
    return _client_for(user)


MADRID = ZoneInfo("Europe/Madrid")
# Monday 30 November 2026, 08:00 in Madrid: the clinic's week lies ahead.
NOW = datetime(2026, 11, 30, 8, 0, tzinfo=MADRID)


def local(y, m, d, h, mi=0) -> datetime:
    return datetime(y, m, d, h, mi, tzinfo=MADRID)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def frozen_now(frozen):
    return NOW
