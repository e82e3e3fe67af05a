"""API tokens: one per sign-in (device), listed and revoked one by one, signed out with
DELETE, ended by a new password, a reset or deactivation, and expiring per role.

Personas: runner Alice (a phone and a laptop script), runner Bob, therapist Lucía.
"""

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from clinic.models import ApiToken
from devtools.factories import PASSWORD
from tests.support.api import assert_error

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-brand-new-horse-battery"


def sign_in(user, *, device=None, user_agent=None, password=PASSWORD) -> dict:
    body = {"email": user.email, "password": password}
    if device is not None:
        body["device"] = device
    extra = {"HTTP_USER_AGENT": user_agent} if user_agent else {}
    response = APIClient().post("/api/v1/auth/token/", body, format="json", **extra)
    assert response.status_code == 200, response.content
    return response.json()


def api(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def works(token: str) -> bool:
    # Any signed-in user's list (runner or staff).
    status = api(token).get("/api/v1/sessions/").status_code
    assert status in (200, 401), status
    return status == 200


def browser_signed_in(client: Client) -> bool:
    return client.get("/api/v1/sessions/").status_code == 200


class TestOneTokenPerSignIn:
    def test_two_sign_ins_give_two_distinct_working_tokens(self, alice):
        phone = sign_in(alice.user, device="Alice's phone")
        laptop = sign_in(alice.user, device="Laptop script")
        assert phone["token"] != laptop["token"]
        assert phone["id"] != laptop["id"]
        assert works(phone["token"]) and works(laptop["token"])
        assert set(phone) >= {"token", "expires", "id", "device"}

    def test_only_a_hash_of_the_token_is_stored(self, alice):
        token = sign_in(alice.user)["token"]
        row = ApiToken.objects.get(user=alice.user)
        assert token not in (row.digest, row.token_key)
        assert len(row.digest) == 128

    def test_the_device_is_named_by_the_client_else_by_its_user_agent(self, alice):
        # A control character in the name is refused (400 control_characters, with every
        # text input: tests/project/test_control_characters.py); spaces are trimmed.
        sign_in(alice.user, device="  Alice's phone\n", user_agent="ignored")
        sign_in(alice.user, user_agent="RunClinic/2.1 (iPhone; iOS 18) " + "x" * 400)
        listed = api(sign_in(alice.user)["token"]).get("/api/v1/auth/tokens/").json()["results"]
        devices = {d["device"] for d in listed}
        assert "Alice's phone" in devices
        from_agent = next(d for d in devices if d.startswith("RunClinic/2.1"))
        assert len(from_agent) == 200

    def test_sign_in_works_whatever_stale_token_the_client_still_sends(self, alice):
        client = api("0" * 64)
        response = client.post(
            "/api/v1/auth/token/", {"email": alice.user.email, "password": PASSWORD}
        )
        assert response.status_code == 200

    def test_a_new_sign_in_beyond_the_limit_signs_out_the_least_recently_used(
        self, clock, alice, settings
    ):
        settings.API_TOKENS_PER_USER = 2
        start = timezone.now()
        clock.move_to(start)
        old = sign_in(alice.user, device="old tablet")["token"]
        clock.shift(timedelta(minutes=5))
        used = sign_in(alice.user, device="phone")["token"]
        clock.shift(timedelta(minutes=5))
        assert works(used) and works(old)
        clock.shift(timedelta(minutes=5))
        assert works(used)  # the phone is now the most recently used
        new = sign_in(alice.user, device="new laptop")["token"]
        assert works(new) and works(used)
        assert not works(old)


class TestSignOut:
    def test_delete_signs_out_the_token_that_made_the_request(self, alice):
        phone = sign_in(alice.user, device="phone")["token"]
        laptop = sign_in(alice.user, device="laptop")["token"]
        response = api(phone).delete("/api/v1/auth/token/")
        assert response.status_code == 204
        assert_error(api(phone).get("/api/v1/me/"), 401)
        assert works(laptop)

    def test_delete_without_credentials_is_a_401(self, db):
        assert_error(APIClient().delete("/api/v1/auth/token/"), 401)

    def test_delete_from_a_browser_session_signs_that_browser_out(self, persona, client, alice):
        client = persona("alice").page
        assert client.delete("/api/v1/auth/token/").status_code == 204
        assert not browser_signed_in(client)


class TestDevicesApi:
    def test_a_runner_lists_her_devices_without_their_keys(self, alice, bob):
        phone = sign_in(alice.user, device="phone")
        laptop = sign_in(alice.user, device="laptop")
        sign_in(bob.user, device="Bob's phone")
        response = api(phone["token"]).get("/api/v1/auth/tokens/")
        assert response.status_code == 200
        listed = response.json()["results"]
        assert {d["id"] for d in listed} == {phone["id"], laptop["id"]}
        current = {d["device"]: d["current"] for d in listed}
        assert current == {"phone": True, "laptop": False}
        assert phone["token"] not in response.content.decode()
        assert {"created", "last_used", "expires"} <= set(listed[0])

    def test_revoking_one_device_leaves_the_other(self, alice):
        phone = sign_in(alice.user, device="phone")
        laptop = sign_in(alice.user, device="laptop")
        response = api(phone["token"]).delete(f"/api/v1/auth/tokens/{laptop['id']}/")
        assert response.status_code == 204
        assert not works(laptop["token"])
        assert works(phone["token"])
        listed = api(phone["token"]).get("/api/v1/auth/tokens/").json()["results"]
        assert [d["id"] for d in listed] == [phone["id"]]

    def test_a_runner_cannot_list_or_revoke_another_users_tokens(self, alice, bob, therapist):
        alices = sign_in(alice.user, device="Alice's phone")
        bobs = sign_in(bob.user)["token"]
        listed = api(bobs).get("/api/v1/auth/tokens/").json()["results"]
        assert alices["id"] not in {d["id"] for d in listed}
        assert_error(api(bobs).delete(f"/api/v1/auth/tokens/{alices['id']}/"), 404, "not_found")
        # Not even the clinic's staff revoke a runner's device through this endpoint.
        lucias = sign_in(therapist.user)["token"]
        assert_error(api(lucias).delete(f"/api/v1/auth/tokens/{alices['id']}/"), 404)
        assert works(alices["token"])

    def test_last_use_is_written_at_most_once_a_minute(self, clock, alice):
        start = timezone.now()
        clock.move_to(start)
        token = sign_in(alice.user)["token"]
        client = api(token)
        client.get("/api/v1/me/")
        row = ApiToken.objects.get(user=alice.user)
        assert row.last_used == start
        clock.shift(timedelta(seconds=50))
        with CaptureQueriesContext(connection) as queries:
            client.get("/api/v1/me/")
        writes = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("UPDATE")]
        assert writes == []
        clock.shift(timedelta(seconds=20))
        client.get("/api/v1/me/")
        row.refresh_from_db()
        assert row.last_used == start + timedelta(seconds=70)


class TestExpiry:
    """A staff token lasts STAFF_SESSION_AGE, a runner's API_TOKEN_AGE, to the second."""

    @pytest.mark.parametrize(
        ("persona", "age"), [("therapist", timedelta(hours=8)), ("alice", timedelta(days=30))]
    )
    def test_a_token_ends_at_its_roles_age(self, clock, request, settings, persona, age):
        settings.STAFF_SESSION_AGE = 8 * 3600
        settings.API_TOKEN_AGE = 30 * 86400
        user = request.getfixturevalue(persona).user
        start = timezone.now().replace(microsecond=0)
        clock.move_to(start)
        body = sign_in(user)
        assert body["expires"] == (start + age).isoformat().replace("+00:00", "Z")
        clock.move_to(start + age - timedelta(seconds=1))
        assert works(body["token"])
        clock.move_to(start + age)
        expired = assert_error(api(body["token"]).get("/api/v1/sessions/"), 401, "token_expired")
        assert expired["detail"] == "Your sign-in has expired. Please sign in again."
        assert not ApiToken.objects.filter(pk=body["id"]).exists()

    def test_the_expired_sentence_is_in_spanish_too(self, clock, alice, settings):
        start = timezone.now()
        clock.move_to(start)
        token = sign_in(alice.user)["token"]
        clock.move_to(start + timedelta(seconds=settings.API_TOKEN_AGE))
        body = assert_error(
            api(token).get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE="es"), 401, "token_expired"
        )
        assert body["detail"] == "Tu inicio de sesión ha caducado. Vuelve a iniciar sesión."

    def test_an_expired_token_is_not_listed(self, clock, alice, settings):
        start = timezone.now()
        clock.move_to(start)
        old = sign_in(alice.user, device="old")
        clock.move_to(start + timedelta(days=20))
        new = sign_in(alice.user, device="new")
        clock.move_to(start + timedelta(seconds=settings.API_TOKEN_AGE, minutes=1))
        listed = api(new["token"]).get("/api/v1/auth/tokens/").json()["results"]
        assert [d["id"] for d in listed] == [new["id"]]
        assert old["id"] != new["id"]


class TestRevokedWithTheCredentials:
    """A new password, a reset or deactivation ends every token and other browser."""

    def test_a_password_change_revokes_every_token_and_other_browsers(self, alice):
        phone = sign_in(alice.user)["token"]
        laptop = sign_in(alice.user)["token"]
        other_browser, this_browser = Client(), Client()
        other_browser.force_login(alice.user)
        this_browser.force_login(alice.user)
        response = this_browser.post(
            "/accounts/password/change/",
            {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        )
        assert response.status_code == 302, response.content[:2000]
        assert not works(phone) and not works(laptop)
        assert not ApiToken.objects.filter(user=alice.user).exists()
        assert not browser_signed_in(other_browser)
        assert browser_signed_in(this_browser)
        assert works(sign_in(alice.user, password=NEW_PASSWORD)["token"])

    def test_a_password_reset_revokes_every_token_and_every_browser(self, alice):
        token = sign_in(alice.user)["token"]
        signed_in_browser = Client()
        signed_in_browser.force_login(alice.user)
        stranger = Client()  # whoever holds the e-mail: not signed in
        stranger.post("/accounts/password/reset/", {"email": alice.user.email})
        link = re.search(
            r"https?://[^/\s]+(/accounts/password/reset/key/\S+/)", mail.outbox[-1].body
        )
        assert link, mail.outbox[-1].body
        form_page = stranger.get(link.group(1), follow=True)
        response = stranger.post(
            form_page.redirect_chain[-1][0] if form_page.redirect_chain else link.group(1),
            {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        )
        assert response.status_code == 302, response.content[:2000]
        alice.user.refresh_from_db()
        assert alice.user.check_password(NEW_PASSWORD)
        assert not works(token)
        assert not browser_signed_in(signed_in_browser)

    def test_deactivation_revokes_every_token_and_browser_even_after_reactivation(self, alice):
        token = sign_in(alice.user)["token"]
        browser = Client()
        browser.force_login(alice.user)
        user = alice.user
        user.is_active = False
        user.save()
        assert not ApiToken.objects.filter(user=user).exists()
        assert not works(token)
        assert not browser_signed_in(browser)
        user.is_active = True
        user.save()
        assert not works(token)
        assert not browser_signed_in(browser)

    def test_an_inactive_users_token_is_refused(self, alice):
        token = sign_in(alice.user)["token"]
        # A change made behind the model's back (a bulk update) is refused all the same.
        type(alice.user).objects.filter(pk=alice.user.pk).update(is_active=False)
        assert_error(api(token).get("/api/v1/me/"), 401)

    def test_saving_other_fields_keeps_the_tokens(self, alice):
        token = sign_in(alice.user)["token"]
        user = alice.user
        user.first_name = "Alicia"
        user.save()
        user.language = "es"
        user.save(update_fields=["language"])
        assert works(token)


@pytest.mark.parametrize(
    "header",
    ["Token " + "g" * 64, "Token " + "a" * 10, "Token abc\x00def", "Token ñandú", "Token"],
)
def test_a_key_that_cannot_be_a_token_is_a_401_not_a_500(db, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    assert_error(client.get("/api/v1/me/"), 401)


def test_a_drf_token_from_before_knox_keeps_working_until_its_old_expiry(alice, settings):
    """The data migration: an old plain-text key becomes a knox digest, and the plain
    text is gone from the database."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("clinic.migrations.0003_move_drf_tokens_to_api_tokens")
    key = "0123456789abcdef0123456789abcdef01234567"
    created = timezone.now() - timedelta(days=10)
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, "
            "created timestamp with time zone NOT NULL, user_id bigint NOT NULL)"
            if connection.vendor == "postgresql"
            else "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, "
            "created datetime NOT NULL, user_id bigint NOT NULL)"
        )
        cursor.execute(
            "INSERT INTO authtoken_token (key, created, user_id) VALUES (%s, %s, %s)",
            [key, created, alice.user.pk],
        )
    migration.move_tokens(apps, SimpleNamespace(connection=connection))
    assert works(key)
    row = ApiToken.objects.get(user=alice.user)
    assert row.expiry == created + timedelta(seconds=settings.API_TOKEN_AGE)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM authtoken_token")
        assert cursor.fetchone()[0] == 0


class TestUnconfirmedAddress:
    """The site asks for a confirmed address before signing in; so does the API."""

    def test_an_unconfirmed_address_gets_no_token_and_a_fresh_link(self, alice):
        from allauth.account.models import EmailAddress

        EmailAddress.objects.filter(user=alice.user).update(verified=False)
        response = APIClient().post(
            "/api/v1/auth/token/",
            {"email": alice.user.email, "password": PASSWORD},
            format="json",
        )
        assert_error(response, 403, "email_unverified")
        assert not ApiToken.objects.filter(user=alice.user).exists()
        assert [m.to for m in mail.outbox] == [[alice.user.email]]

    def test_a_wrong_password_says_nothing_about_the_address(self, alice):
        from allauth.account.models import EmailAddress

        EmailAddress.objects.filter(user=alice.user).update(verified=False)
        response = APIClient().post(
            "/api/v1/auth/token/",
            {"email": alice.user.email, "password": "not-the-password"},
            format="json",
        )
        assert_error(response, 400, "invalid_login")
        assert mail.outbox == []

    def test_once_confirmed_the_api_signs_in(self, alice):
        assert sign_in(alice.user)["token"]
