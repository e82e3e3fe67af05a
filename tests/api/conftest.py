"""API fixtures: a client per persona (anonymous, alice, bob, therapist, other_therapist,
clinic_admin), signed in the way a real client would be where it matters."""

import pytest
from rest_framework.test import APIClient


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
