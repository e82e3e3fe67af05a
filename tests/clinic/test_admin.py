"""Django admin for clinic setup: a clinic admin sees, filters and edits only their clinic."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from clinic.permissions import CLINIC_ADMINS, ensure_role_groups
from devtools.factories import ServiceFactory, TherapistFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(persona, client, clinic_admin):
    ensure_role_groups()
    clinic_admin.groups.add(Group.objects.get(name=CLINIC_ADMINS))
    client = persona("clinic_admin").page
    return client


def test_lists_and_filters_show_only_the_admins_clinic(admin_client, clinic, other_clinic):
    TherapistFactory(clinic=clinic, display_name="Ours")
    TherapistFactory(clinic=other_clinic, display_name="Theirs")
    ServiceFactory(clinic=other_clinic, name="Their massage")
    for name in (
        "clinic_therapist",
        "clinic_service",
        "clinic_workinghours",
        "clinic_timeoff",
        "clinic_clinic",
    ):
        page = admin_client.get(reverse(f"admin:{name}_changelist")).content.decode()
        assert "Theirs" not in page and "Lisboa" not in page and "Their massage" not in page, name
    page = admin_client.get(
        reverse("admin:clinic_therapist_changelist") + "?q=ours"
    ).content.decode()
    assert "Ours" in page


def test_other_clinics_rows_cannot_be_opened(admin_client, other_clinic):
    theirs = TherapistFactory(clinic=other_clinic)
    r = admin_client.get(reverse("admin:clinic_therapist_change", args=[theirs.pk]))
    assert r.status_code in (302, 404)


def test_new_rows_belong_to_the_admins_clinic(admin_client, clinic, other_clinic):
    r = admin_client.post(
        reverse("admin:clinic_service_add"),
        {
            "clinic": other_clinic.pk,
            "name": "Sneaky",
            "description": "",
            "duration_minutes": 45,
            "price": "40.00",
            "body_areas": "[]",
            "active": "on",
        },
    )
    # The other clinic is not a choice: the form refuses it, nothing is created there.
    from clinic.models import Service

    assert not Service.objects.filter(name="Sneaky", clinic=other_clinic).exists()
    assert r.status_code in (200, 302)


def test_a_clinic_admin_cannot_grant_superuser(admin_client, clinic_admin):
    page = admin_client.get(
        reverse("admin:clinic_user_change", args=[clinic_admin.pk])
    ).content.decode()
    assert 'name="is_superuser"' not in page and 'name="user_permissions"' not in page
