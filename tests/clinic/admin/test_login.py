"""One sign-in for the whole site, with its rate limit and lockout.

The issue: 15 wrong passwords on /admin/login/, then the right one, and a therapist was
in. The admin's own form is gone: /admin/login/ sends to the site's sign-in (allauth),
which refuses even the right password after five failures for a while.
"""

import pytest
from django.urls import reverse

from devtools.factories import PASSWORD

pytestmark = pytest.mark.django_db

SITE_LOGIN = "/accounts/login/"


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.mark.parametrize("persona", ["therapist_a", "admin_a"])
def test_the_admin_login_form_signs_no_one_in(client, world, persona):
    email = world.users[persona].email
    address = reverse("admin:login") + "?next=/admin/"
    for _ in range(15):
        response = client.post(address, {"username": email, "password": "wrong"})
        assert response.status_code == 302
    response = client.post(address, {"username": email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == f"{SITE_LOGIN}?next=/admin/"
    assert not signed_in(client)


def test_the_admin_sends_to_the_site_login_and_back(client, world):
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"] == f"{SITE_LOGIN}?next=/admin/"
    response = client.post(
        response["Location"], {"login": world.a.admin.email, "password": PASSWORD}
    )
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    # Signed in, /admin/login/ goes on to the admin; a next off the site is ignored.
    assert client.get("/admin/login/?next=https://evil.example/")["Location"] == "/admin/"


def test_staff_sign_in_locks_out_after_repeated_failures(client, world):
    email = world.a.admin.email
    address = f"{SITE_LOGIN}?next=/admin/"
    for _ in range(15):
        client.post(address, {"login": email, "password": "wrong"})
    response = client.post(address, {"login": email, "password": PASSWORD})
    assert "Too many failed login attempts" in response.content.decode()
    assert not signed_in(client)
    assert client.get("/admin/").status_code == 302


def test_a_signed_in_therapist_is_refused_at_the_admin_login(as_persona, world):
    client = as_persona("therapist_a")
    assert client.get(reverse("admin:login")).status_code == 403
