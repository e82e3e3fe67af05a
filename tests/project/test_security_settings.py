"""Production settings: the deploy check, secure cookies, HSTS, CSP, frames, referrer."""

import json

from django.conf import settings

HEADERS_SNIPPET = r"""
import json, django
django.setup()
from django.conf import settings
from django.test import Client
c = Client()
secure = c.get("/healthz", secure=True)
plain = c.get("/api/v1/", secure=False)
plain_health = c.get("/healthz", secure=False)
print(json.dumps({
    "headers": dict(secure.headers),
    "status": secure.status_code,
    "plain_status": plain.status_code,
    "plain_location": plain.headers.get("Location", ""),
    "plain_health_status": plain_health.status_code,
    "cookies": {
        "session_secure": settings.SESSION_COOKIE_SECURE,
        "session_httponly": settings.SESSION_COOKIE_HTTPONLY,
        "csrf_secure": settings.CSRF_COOKIE_SECURE,
        "language_secure": settings.LANGUAGE_COOKIE_SECURE,
        "samesite": settings.SESSION_COOKIE_SAMESITE,
    },
    "debug": settings.DEBUG,
}))
"""


def test_deploy_check_is_clean_with_production_settings(run_production):
    result = run_production("manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key(run_production):
    result = run_production("manage.py", "check", extra_env={"SECRET_KEY": ""})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_responses_carry_the_security_headers(run_production):
    result = run_production("-c", HEADERS_SNIPPET)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout.strip().splitlines()[-1])
    headers = {k.lower(): v for k, v in data["headers"].items()}
    assert data["debug"] is False
    assert data["status"] == 200
    hsts = headers["strict-transport-security"]
    assert "max-age=31536000" in hsts and "includeSubDomains" in hsts and "preload" in hsts
    csp = headers["content-security-policy"]
    for directive in (
        "default-src 'self'",
        "script-src 'self'",
        "frame-ancestors 'none'",
        "object-src 'none'",
    ):
        assert directive in csp
    assert "unsafe-inline" not in csp
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "same-origin"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["cross-origin-opener-policy"] == "same-origin"
    # Plain HTTP is redirected to HTTPS, except the orchestrator's probes.
    assert data["plain_status"] == 301 and data["plain_location"].startswith("https://")
    assert data["plain_health_status"] == 200
    assert data["cookies"] == {
        "session_secure": True,
        "session_httponly": True,
        "csrf_secure": True,
        "language_secure": True,
        "samesite": "Lax",
    }


def test_pages_are_served_with_csp_and_no_framing(client, clinic):
    response = client.get("/")
    assert response.status_code == 200
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


def test_error_reports_use_the_personal_data_filter():
    assert settings.DEFAULT_EXCEPTION_REPORTER_FILTER == "clinic.logging.PersonalDataReporterFilter"
    assert settings.DEFAULT_EXCEPTION_REPORTER == "clinic.logging.PersonalDataExceptionReporter"


def _language_cookie(response):
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    return cookie.value, bool(cookie["secure"]), cookie["samesite"]


def test_the_language_cookie_set_at_login_and_on_the_profile_is_secure_in_production(
    client, settings, alice
):
    """Production turns LANGUAGE_COOKIE_SECURE on (the subprocess test above); the cookies the
    project sets itself follow it, as Django's language switcher does."""
    from django.urls import reverse

    from devtools.factories import PASSWORD

    settings.LANGUAGE_COOKIE_SECURE = True
    alice.user.language = "es"
    alice.user.save(update_fields=["language"])
    response = client.post(
        reverse("account_login"), {"login": alice.user.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert _language_cookie(response) == ("es", True, "Lax")
    response = client.post(
        reverse("runners:profile"),
        {"language": "en", "timezone": "Europe/Madrid", "cadence": "monthly"},
    )
    assert response.status_code == 302
    assert _language_cookie(response) == ("en", True, "Lax")
    response = client.post(reverse("set_language"), {"language": "es"}, secure=True)
    assert _language_cookie(response) == ("es", True, "Lax")
