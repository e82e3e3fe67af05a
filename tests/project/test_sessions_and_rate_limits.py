"""Staff session expiry, API throttles per user and per IP, login and reset rate limits."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.throttling import SimpleRateThrottle

from devtools.factories import PASSWORD


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


class TestStaffSessionExpiry:
    def test_a_therapists_session_ends_after_the_staff_age_however_active(
        self, clock, client, therapist, settings
    ):
        settings.STAFF_SESSION_AGE = 8 * 3600
        start = timezone.now()
        clock.move_to(start)
        client.force_login(therapist.user)
        assert client.get("/").status_code == 200
        assert client.session.get_expiry_age() == 8 * 3600
        # Active all day: the session is saved again at 5 h (sliding its expiry)...
        clock.move_to(start + timedelta(hours=5))
        session = client.session
        session["touched"] = True
        session.save()
        assert client.get("/").status_code == 200 and _signed_in(client)
        # ...but 8 h after sign-in it is over.
        clock.move_to(start + timedelta(hours=8, minutes=1))
        response = client.get("/")
        assert response.status_code == 200
        assert not _signed_in(client)
        assert not response.wsgi_request.user.is_authenticated

    def test_a_clinic_admin_is_staff_too(self, persona, clock, client, clinic_admin, settings):
        settings.STAFF_SESSION_AGE = 3600
        start = timezone.now()
        clock.move_to(start)
        client = persona("clinic_admin").page
        client.get("/")
        clock.move_to(start + timedelta(minutes=61))
        session = client.session
        session.set_expiry(3600 * 24)  # even a longer cookie does not keep it alive
        session.save()
        client.get("/")
        assert not _signed_in(client)

    def test_an_expired_staff_api_session_is_refused(
        self, persona, clock, client, therapist, settings
    ):
        settings.STAFF_SESSION_AGE = 3600
        start = timezone.now()
        clock.move_to(start)
        client = persona("therapist").page
        client.get("/")
        clock.move_to(start + timedelta(minutes=30))
        session = client.session
        session.set_expiry(3600 * 24)
        session.save()
        clock.move_to(start + timedelta(minutes=61))
        response = client.get("/api/v1/clinics/")
        # Public endpoint: served, but as anonymous.
        assert response.status_code == 200
        assert not response.wsgi_request.user.is_authenticated

    def test_a_runners_session_keeps_its_two_weeks(self, persona, clock, client, alice, settings):
        settings.STAFF_SESSION_AGE = 3600
        start = timezone.now()
        clock.move_to(start)
        client = persona("alice").page
        client.get("/")
        assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE
        clock.move_to(start + timedelta(hours=9))
        client.get("/")
        assert _signed_in(client)


class TestApiTokenExpiry:
    """Tokens end like sessions: a therapist's after STAFF_SESSION_AGE, a runner's after
    API_TOKEN_AGE; signing in again gives a new one."""

    def sign_in(self, client, user):
        response = client.post(
            "/api/v1/auth/token/",
            {"email": user.email, "password": PASSWORD},
            content_type="application/json",
        )
        assert response.status_code == 200, response.content
        return response.json()

    def me(self, client, token):
        return client.get("/api/v1/sessions/", HTTP_AUTHORIZATION=f"Token {token}")

    def test_a_therapists_token_ends_with_the_staff_age(self, clock, client, therapist, settings):
        settings.STAFF_SESSION_AGE = 8 * 3600
        start = timezone.now()
        clock.move_to(start)
        first = self.sign_in(client, therapist.user)
        assert first["expires"].startswith((start + timedelta(hours=8)).strftime("%Y-%m-%d"))
        clock.move_to(start + timedelta(hours=7, minutes=59))
        assert self.me(client, first["token"]).status_code == 200
        clock.move_to(start + timedelta(hours=8, minutes=1))
        expired = self.me(client, first["token"])
        assert expired.status_code == 401
        assert expired.json()["code"] == "token_expired"
        assert "sign in again" in expired.json()["detail"]
        # Signing in again: a new token that works; the old one stays dead.
        second = self.sign_in(client, therapist.user)
        assert second["token"] != first["token"]
        assert self.me(client, second["token"]).status_code == 200
        assert self.me(client, first["token"]).status_code == 401

    def test_a_runners_token_lasts_the_api_token_age(self, clock, client, alice, settings):
        settings.STAFF_SESSION_AGE = 3600
        settings.API_TOKEN_AGE = 30 * 86400
        start = timezone.now()
        clock.move_to(start)
        token = self.sign_in(client, alice.user)["token"]
        clock.move_to(start + timedelta(days=29))
        assert self.me(client, token).status_code == 200
        # Signing in again (another device) gives a token of its own; the first one
        # keeps its own end.
        other = self.sign_in(client, alice.user)["token"]
        assert other != token
        clock.move_to(start + timedelta(days=30, minutes=1))
        assert self.me(client, token).json()["code"] == "token_expired"
        assert self.me(client, other).status_code == 200


@pytest.fixture
def rates(monkeypatch):
    """Set throttle rates for one test (DRF reads them once, at import)."""

    def set_rates(**values: str) -> None:
        for scope, rate in values.items():
            monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, scope, rate)

    set_rates(anon="1000/min", user="1000/min", ip="1000/min")
    return set_rates


@pytest.mark.redis
class TestApiThrottling:
    url = "/api/v1/clinics/"

    def test_anonymous_clients_are_throttled_per_ip(self, client, clinic, rates):
        rates(anon="3/min")
        codes = [client.get(self.url).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        response = client.get(self.url)
        assert response.json()["code"] == "throttled"
        assert int(response["Retry-After"]) > 0
        # Another address is not affected.
        assert client.get(self.url, REMOTE_ADDR="10.0.0.2").status_code == 200

    def test_a_spoofed_forwarded_for_header_does_not_escape_the_limit(self, client, clinic, rates):
        rates(anon="2/min")
        codes = [
            client.get(self.url, HTTP_X_FORWARDED_FOR=f"203.0.113.{i}").status_code
            for i in range(3)
        ]
        assert codes == [200, 200, 429]

    def test_signed_in_users_are_throttled_per_user(
        self, persona, client, clinic, alice, bob, rates
    ):
        rates(user="3/min")
        client = persona("alice").page
        assert [client.get(self.url).status_code for _ in range(4)] == [200, 200, 200, 429]
        # Bob, from the same address, has his own allowance.
        client = persona("bob").page
        assert client.get(self.url).status_code == 200

    def test_one_address_has_a_ceiling_whoever_signs_in(
        self, persona, client, clinic, alice, bob, rates
    ):
        rates(user="100/min", ip="5/min")
        client = persona("alice").page
        codes = [client.get(self.url).status_code for _ in range(3)]
        client = persona("bob").page
        codes += [client.get(self.url).status_code for _ in range(3)]
        assert codes == [200, 200, 200, 200, 200, 429]

    def test_the_address_ceiling_holds_for_anonymous_clients_when_it_is_stricter(
        self, client, clinic, rates
    ):
        rates(anon="100/min", ip="2/min")
        assert [client.get(self.url).status_code for _ in range(3)] == [200, 200, 429]

    def test_the_user_rate_holds_for_anonymous_clients_when_it_is_stricter(
        self, client, clinic, rates
    ):
        rates(anon="100/min", user="2/min")
        assert [client.get(self.url).status_code for _ in range(3)] == [200, 200, 429]

    def test_the_token_endpoint_is_rate_limited(self, client, alice, rates):
        rates(login="3/min")
        codes = [
            client.post(
                "/api/v1/auth/token/",
                {"email": alice.user.email, "password": "wrong"},
                content_type="application/json",
            ).status_code
            for _ in range(4)
        ]
        assert codes == [400, 400, 400, 429]


@pytest.mark.redis
class TestAccountRateLimits:
    def test_repeated_failed_logins_are_stopped(self, client, alice):
        url = "/accounts/login/"
        for _ in range(5):
            response = client.post(url, {"login": alice.user.email, "password": "wrong"})
            assert "Too many failed login attempts" not in response.content.decode()
        # After five failures even the right password is refused for a while.
        response = client.post(url, {"login": alice.user.email, "password": PASSWORD})
        assert "Too many failed login attempts" in response.content.decode()
        assert not _signed_in(client)

    def test_many_logins_from_one_address_get_429(self, client, settings, db):
        settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "3/m/ip"}
        codes = [
            client.post(
                "/accounts/login/", {"login": f"u{i}@x.test", "password": "wrong"}
            ).status_code
            for i in range(4)
        ]
        assert codes == [200, 200, 200, 429]

    def test_password_reset_requests_are_limited_per_address(self, client, alice):
        url = "/accounts/password/reset/"
        codes = [client.post(url, {"email": alice.user.email}).status_code for _ in range(5)]
        assert 429 in codes
        assert codes[0] in (200, 302)

    def test_the_429_page_says_why(self, client, settings, db):
        settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "1/m/ip"}
        client.post("/accounts/login/", {"login": "a@x.test", "password": "wrong"})
        response = client.post("/accounts/login/", {"login": "a@x.test", "password": "wrong"})
        assert response.status_code == 429
        assert "Too many attempts" in response.content.decode()
