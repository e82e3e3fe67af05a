"""A runner's profile is made at sign-up or on a write, never by a read (issue 13):
`runner_get_or_create` gave the first clinic by id to whoever opened a page."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from clinic.models import User
from devtools.factories import UserFactory
from runners.models import Runner
from tests.support.api import assert_error

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_profile(db):
    return UserFactory(email="new@runner.test", role=User.Role.RUNNER)


def test_a_runner_page_read_without_a_profile_asks_for_the_clinic_and_writes_nothing(
    client, clinic, other_clinic, no_profile
):
    client.force_login(no_profile)
    for name in ("runners:profile", "runners:races", "booking:my_sessions"):
        response = client.get(reverse(name))
        assert response.status_code == 200
        assert b'name="runner_clinic"' in response.content
        assert other_clinic.name in response.content.decode()
    assert not Runner.objects.filter(user=no_profile).exists()


def test_the_profile_is_made_on_the_post_with_the_clinic_the_runner_chose(
    client, clinic, other_clinic, no_profile
):
    client.force_login(no_profile)
    address = reverse("runners:profile")
    response = client.post(address, {"runner_clinic": other_clinic.pk})
    assert response.status_code == 302 and response["Location"] == address
    assert Runner.objects.get(user=no_profile).clinic == other_clinic
    assert client.get(address).status_code == 200


def test_a_post_without_a_clinic_when_there_are_several_makes_nothing(
    client, clinic, other_clinic, no_profile
):
    client.force_login(no_profile)
    response = client.post(reverse("runners:profile"), {"runner_clinic": "nope"})
    assert response.status_code == 200 and b'name="runner_clinic"' in response.content
    assert not Runner.objects.filter(user=no_profile).exists()


def test_the_api_read_without_a_profile_is_a_403_with_a_code_and_writes_nothing(
    clinic, other_clinic, no_profile
):
    api = APIClient()
    api.force_authenticate(no_profile)
    assert_error(api.get("/api/v1/me/"), 403, "no_runner_profile")
    assert_error(api.get("/api/v1/races/"), 403, "no_runner_profile")
    assert not Runner.objects.filter(user=no_profile).exists()


def test_signup_gives_no_clinic_when_the_choice_is_ambiguous(client, clinic, other_clinic):
    response = client.post(
        reverse("account_signup"),
        {
            "first_name": "Pablo",
            "email": "new@runner.test",
            "password1": "a-long-pass-phrase",
        },
    )
    assert response.status_code == 302
    # Not the first clinic by id: the runner's home clinic is theirs to choose.
    assert Runner.objects.get(user__email="new@runner.test").clinic is None


def test_a_fragment_request_without_a_profile_sends_the_whole_page_to_ask(
    client, clinic, other_clinic, no_profile
):
    client.force_login(no_profile)
    page = reverse("runners:races")
    response = client.get(page, HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL=page)
    assert response.status_code == 204 and response["HX-Redirect"] == page
    assert not Runner.objects.filter(user=no_profile).exists()
