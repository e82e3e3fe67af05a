"""sessions_for(user): who sees which sessions."""

import pytest
from django.contrib.auth.models import AnonymousUser

from booking.engine.selectors import sessions_for
from devtools.factories import ServiceFactory, SessionFactory, TherapistFactory
from tests.booking.engine.conftest import local

pytestmark = pytest.mark.django_db


@pytest.fixture
def sessions(alice, bob, therapist, other_therapist, service):
    other_service = ServiceFactory(clinic=other_therapist.clinic)
    colleague = TherapistFactory(clinic=therapist.clinic)
    return {
        "alice": SessionFactory(
            runner=alice, therapist=therapist, service=service, start=local(2026, 12, 2, 10)
        ),
        "bob": SessionFactory(
            runner=bob, therapist=colleague, service=service, start=local(2026, 12, 2, 10)
        ),
        "elsewhere": SessionFactory(
            runner=alice,
            therapist=other_therapist,
            service=other_service,
            start=local(2026, 12, 3, 10),
        ),
    }


def ids(qs):
    return set(qs.values_list("pk", flat=True))


def test_runner_sees_only_own(sessions, alice, bob):
    assert ids(sessions_for(alice.user)) == {sessions["alice"].pk, sessions["elsewhere"].pk}
    assert ids(sessions_for(bob.user)) == {sessions["bob"].pk}


def test_therapist_sees_their_clinic(sessions, therapist, other_therapist):
    assert ids(sessions_for(therapist.user)) == {sessions["alice"].pk, sessions["bob"].pk}
    assert ids(sessions_for(other_therapist.user)) == {sessions["elsewhere"].pk}


def test_clinic_admin_sees_their_clinic(sessions, clinic_admin):
    assert ids(sessions_for(clinic_admin)) == {sessions["alice"].pk, sessions["bob"].pk}


def test_superuser_sees_all(sessions, superuser):
    assert len(ids(sessions_for(superuser))) == 3


def test_anonymous_inactive_and_orphan_staff_see_nothing(sessions, alice, clinic_admin):
    assert not sessions_for(AnonymousUser()).exists()
    assert not sessions_for(None).exists()
    alice.user.is_active = False
    assert not sessions_for(alice.user).exists()
    clinic_admin.clinic = None
    assert not sessions_for(clinic_admin).exists()
