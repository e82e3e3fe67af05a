"""The exclusion constraints hold the time of the sessions the code calls active, and only
those: they are built from Session.ACTIVE_STATUSES, not from strings of their own."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction

from booking.models import Session
from devtools.factories import RunnerFactory, ServiceFactory, SessionFactory, TherapistFactory
from tests.booking.engine.conftest import local

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

SLOT = local(2026, 12, 2, 10)
NO_OVERLAP = ("session_therapist_no_overlap", "session_runner_no_overlap")


def test_the_constraints_hold_exactly_the_active_statuses():
    for constraint in Session._meta.constraints:
        if constraint.name in NO_OVERLAP:
            (lookup, statuses) = constraint.condition.children[0]
            assert lookup == "status__in"
            assert sorted(statuses) == sorted(Session.ACTIVE_STATUSES)


@pytest.mark.parametrize("status", [Session.Status.CANCELLED, Session.Status.LATE_CANCELLED])
def test_a_cancelled_session_frees_its_slot_in_the_database(clinic, status):
    therapist = TherapistFactory(clinic=clinic)
    service = ServiceFactory(clinic=clinic, duration_minutes=60)
    runner = RunnerFactory(clinic=clinic)
    SessionFactory(therapist=therapist, service=service, runner=runner, start=SLOT, status=status)
    again = SessionFactory(therapist=therapist, service=service, runner=runner, start=SLOT)
    assert again.pk is not None


@pytest.mark.parametrize(
    "status", [Session.Status.BOOKED, Session.Status.ATTENDED, Session.Status.NO_SHOW]
)
def test_a_held_session_blocks_its_slot_in_the_database(clinic, status):
    therapist = TherapistFactory(clinic=clinic)
    service = ServiceFactory(clinic=clinic, duration_minutes=60)
    SessionFactory(
        therapist=therapist,
        service=service,
        runner=RunnerFactory(clinic=clinic),
        start=SLOT,
        status=status,
    )
    with pytest.raises(IntegrityError, match="session_therapist_no_overlap"), transaction.atomic():
        SessionFactory(
            therapist=therapist,
            service=service,
            runner=RunnerFactory(clinic=clinic),
            start=SLOT + timedelta(minutes=30),
        )
