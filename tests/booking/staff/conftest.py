"""Staff fixtures: sessions of the clinic's day (clients: `persona`, clock: `clock`)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from devtools.factories import RunnerFactory, ServiceFactory, SessionFactory, UserFactory

MADRID = ZoneInfo("Europe/Madrid")


def at(y, m, d, hh=10, mm=0, tz=MADRID):
    return datetime(y, m, d, hh, mm, tzinfo=tz)


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
