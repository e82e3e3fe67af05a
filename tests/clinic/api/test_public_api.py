"""Public reads (clinics, services, therapists) and the token endpoint."""

import pytest
from rest_framework.test import APIClient

from devtools.factories import PASSWORD, ServiceFactory, TherapistFactory
from tests.support.api import assert_error

pytestmark = pytest.mark.django_db


def test_clinics_services_and_therapists_are_public(
    persona, clinic, other_clinic, service, therapist, other_therapist
):
    clinics = persona(None).api.get("/api/v1/clinics/").json()["results"]
    assert {c["slug"] for c in clinics} == {"madrid", "lisboa"}
    assert {"after_race_hours", "before_race_hours", "cancellation_window_hours"} <= set(clinics[0])
    services = persona(None).api.get("/api/v1/services/", {"clinic": clinic.pk}).json()["results"]
    assert [s["id"] for s in services] == [service.pk]
    therapists = (
        persona(None).api.get("/api/v1/therapists/", {"clinic": clinic.pk}).json()["results"]
    )
    assert [t["display_name"] for t in therapists] == ["Lucía Martín"]
    assert "qualifications" in therapists[0]


def test_inactive_services_and_therapists_are_not_listed(persona, clinic):
    ServiceFactory(clinic=clinic, active=False, name="Retired")
    TherapistFactory(clinic=clinic, active=False, display_name="Gone")
    assert persona(None).api.get("/api/v1/services/").json()["count"] == 0
    assert persona(None).api.get("/api/v1/therapists/").json()["count"] == 0


def test_public_reads_are_read_only(persona, clinic):
    assert_error(persona(None).api.post("/api/v1/clinics/", {}, format="json"), 405)


def test_token_for_email_and_password(alice):
    r = APIClient().post(
        "/api/v1/auth/token/",
        {"email": "ALICE@runners.test", "password": PASSWORD},
        format="json",
    )
    # knox's keys: 64 hex characters (DRF's were 40); clients treat them as opaque.
    assert r.status_code == 200 and len(r.json()["token"]) == 64


def test_wrong_password_is_a_coded_400(alice):
    body = assert_error(
        APIClient().post(
            "/api/v1/auth/token/",
            {"email": "alice@runners.test", "password": "wrong"},
            format="json",
        ),
        400,
        "invalid_login",
    )
    assert "do not match" in body["detail"]


def test_bad_token_is_401(persona):
    persona(None).api.credentials(HTTP_AUTHORIZATION="Token nope")
    assert_error(persona(None).api.get("/api/v1/me/"), 401, "authentication_failed")
