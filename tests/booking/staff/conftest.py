"""Staff fixtures: logged-in clients per persona and a frozen clinic day."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from rest_framework.test import APIClient

from devtools.factories import RunnerFactory, ServiceFactory, SessionFactory, UserFactory

MADRID = ZoneInfo("Europe/Madrid")


def at(y, m, d, hh=10, mm=0, tz=MADRID):
    return datetime(y, m, d, hh, mm, tzinfo=tz)


@pytest.fixture
def api():
    return APIClient()


def _api_as(user):
    c = APIClient()
    c.force_authenticate(user)
    return c


@pytest.fixture
def therapist_api(therapist):
    return _api_as(therapist.user)


@pytest.fixture
def admin_api(clinic_admin):
    return _api_as(clinic_admin)


@pytest.fixture
def runner_api(alice):
    return _api_as(alice.user)


@pytest.fixture
def other_api(other_therapist):
    return _api_as(other_therapist.user)


@pytest.fixture
def make_session(therapist, service):
    def make(start, status="booked", runner=None, **kw):
        return SessionFactory(
            therapist=kw.pop("therapist", therapist),
            service=kw.pop("service", service),
            runner=runner or RunnerFactory(clinic=therapist.clinic),
            start=start,
            status=status,
            **kw,
        )

    return make


@pytest.fixture
def other_session(other_therapist, other_clinic):
    return SessionFactory(
        therapist=other_therapist,
        service=ServiceFactory(clinic=other_clinic),
        runner=RunnerFactory(clinic=other_clinic, user=UserFactory(email="carla@runners.test")),
        start=at(2026, 11, 20, 10, tz=ZoneInfo("Europe/Lisbon")),
    )
