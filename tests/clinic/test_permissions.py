"""clinic.permissions: the questions the booking API and engine ask, per persona."""

import pytest

from clinic import permissions
from clinic.models import User
from devtools.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def personas(alice, therapist, other_therapist, clinic_admin, superuser):
    return {
        "alice": alice.user,
        "therapist": therapist.user,
        "other_therapist": other_therapist.user,
        "clinic_admin": clinic_admin,
        "superuser": superuser,
        "therapist_without_profile": UserFactory(role=User.Role.THERAPIST, is_staff=True),
        "admin_without_clinic": UserFactory(role=User.Role.CLINIC_ADMIN, is_staff=True),
        "anonymous": None,
    }


# persona: (uses the booking API, overrides a race rule at Alice's clinic, cancels for it)
EXPECTED = {
    "alice": (True, False, False),
    "therapist": (True, True, True),
    "other_therapist": (True, False, False),
    "clinic_admin": (True, True, True),
    "superuser": (True, True, True),
    "therapist_without_profile": (False, False, False),
    "admin_without_clinic": (False, False, False),
    "anonymous": (False, False, False),
}


@pytest.mark.parametrize("persona", list(EXPECTED))
def test_who_books_overrides_and_cancels_for_the_clinic(personas, clinic, persona):
    user = personas[persona]
    answers = (
        permissions.may_use_booking_api(user),
        permissions.may_override_race_rule(user, clinic.pk),
        permissions.cancels_for_the_clinic(user, clinic.pk),
    )
    assert answers == EXPECTED[persona]
