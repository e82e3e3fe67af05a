"""clinic.permissions: one meaning for each role and each clinic scope, asked by the admin,
the staff pages, the API and the booking services alike."""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied

from clinic import permissions
from clinic.models import User
from devtools.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_roles_and_clinics(world):
    a, b = world.a, world.b
    assert permissions.clinic_ids(world.superuser) is None
    assert permissions.clinic_ids(a.admin) == [a.clinic.pk]
    assert permissions.clinic_ids(b.therapist.user) == [b.clinic.pk]
    assert permissions.clinic_ids(a.runner.user) == []
    assert permissions.is_clinic_staff(a.therapist.user) and not permissions.is_clinic_admin(
        a.therapist.user
    )
    assert permissions.may_use_admin(a.admin) and permissions.may_use_admin(world.superuser)
    # A therapist has the staff flag, yet no admin: their staff pages cover their work.
    assert a.therapist.user.is_staff and not permissions.may_use_admin(a.therapist.user)


@pytest.mark.parametrize(
    "account",
    [
        {"role": User.Role.THERAPIST, "is_staff": True},  # no therapist profile
        {"role": User.Role.CLINIC_ADMIN, "is_staff": True},  # no clinic
    ],
)
def test_a_half_made_staff_account_has_no_staff_power_anywhere(world, client, account):
    user = UserFactory(**account)
    for ask in (permissions.is_clinic_staff, permissions.may_use_booking_api):
        assert not ask(user)
    # The staff pages' gate (it was booking.staff.access.is_staff_member) refuses it too.
    with pytest.raises(PermissionDenied):
        permissions.require_clinic_staff(user)
    assert not permissions.acts_for_clinic(user, world.a.clinic.pk)
    assert not permissions.acts_for_clinic(user, world.a.clinic.pk)
    assert not permissions.may_use_admin(user)
    client.force_login(user)
    assert client.get("/admin/").status_code == 403
    # The booking API refuses the account instead of treating it as a runner.
    response = client.post(
        "/api/v1/sessions/", {"service": world.a.service.pk}, content_type="application/json"
    )
    assert response.status_code == 403


def test_an_inactive_admin_acts_for_no_clinic(world):
    admin = world.a.admin
    admin.is_active = False
    assert permissions.clinic_ids(admin) == []
    assert not permissions.acts_for_clinic(admin, world.a.clinic.pk)


def test_who_a_clinic_admin_may_manage(world):
    a, b = world.a, world.b
    fellow = UserFactory(role=User.Role.CLINIC_ADMIN, clinic=a.clinic, is_staff=True)
    may = permissions.may_manage_user
    assert may(a.admin, a.admin) and may(a.admin, a.runner.user) and may(a.admin, a.therapist.user)
    assert not may(a.admin, fellow)  # a peer: the superuser manages admins
    assert not may(a.admin, world.superuser)
    assert not may(a.admin, b.runner.user) and not may(a.admin, b.admin)
    assert may(world.superuser, fellow) and may(world.superuser, b.admin)
    assert not may(a.therapist.user, a.runner.user)


def test_a_model_the_module_does_not_know_is_for_superusers_only(world):
    groups = Group.objects.all()
    assert groups.exists()
    assert not permissions.scope(groups, world.a.admin).exists()
    assert permissions.scope(groups, world.superuser).count() == groups.count()


def test_a_runner_scopes_to_their_own_rows_only(world):
    """One scope for every reader (issue 13): the API's sessions_for asks it too."""
    from booking.engine.selectors import sessions_for
    from booking.models import Session
    from runners.models import Race, Runner

    runner = world.a.runner
    for model in (Session, Race, Runner):
        rows = permissions.scope(model.objects.all(), runner.user)
        assert rows.exists()
        owner = "user" if model is Runner else "runner__user"
        assert not rows.exclude(**{owner: runner.user}).exists()
    assert set(sessions_for(runner.user)) == set(Session.objects.filter(runner=runner))
    assert not permissions.scope(User.objects.none(), runner.user).exists()
    assert not permissions.scope(Group.objects.all(), runner.user).exists()
