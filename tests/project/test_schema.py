"""The OpenAPI schema generates without a warning and documents every endpoint."""

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_schema_generates_without_warnings(tmp_path):
    out = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    text = out.read_text()
    for path in (
        "/api/v1/me/",
        "/api/v1/races/",
        "/api/v1/races/{id}/",
        "/api/v1/availability/",
        "/api/v1/sessions/",
        "/api/v1/sessions/{id}/",
        "/api/v1/sessions/{id}/cancel/",
        "/api/v1/sessions/{id}/reschedule/",
        "/api/v1/sessions/{id}/ics/",
        "/api/v1/sessions/series/",
        "/api/v1/auth/token/",
        "/api/v1/auth/tokens/",
        "/api/v1/auth/tokens/{id}/",
    ):
        assert f"{path}:" in text, path


def test_schema_is_served(client):
    r = client.get("/api/schema/")
    assert r.status_code == 200
    assert b"/api/v1/races/" in r.content


def test_booking_refusals_are_documented_with_examples(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    create = schema["paths"]["/api/v1/sessions/"]["post"]
    assert {"201", "400", "401", "403", "409", "422"} <= set(create["responses"])
    conflict = create["responses"]["409"]["content"]["application/json"]
    assert {e["value"]["code"] for e in conflict["examples"].values()} == {
        "slot_taken",
        "runner_overlap",
    }
    params = {p["name"] for p in create["parameters"]}
    assert "Idempotency-Key" in params
    ics = schema["paths"]["/api/v1/sessions/{id}/ics/"]["get"]["responses"]["200"]
    assert "text/calendar" in ics["content"]


def test_docs_work_offline(client):
    """Swagger UI and ReDoc load their assets from our own static files, not a CDN."""
    for url in ("/api/docs/", "/api/redoc/"):
        r = client.get(url)
        assert r.status_code == 200
        html = r.content.decode()
        assert "cdn" not in html.lower() and "unpkg" not in html.lower()
        assert "/static/drf_spectacular_sidecar/" in html


def test_sign_in_sign_out_and_devices_are_documented(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    assert schema["components"]["securitySchemes"]["tokenAuth"] == {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": 'Token-based authentication with required prefix "Token"',
    }
    token = schema["paths"]["/api/v1/auth/token/"]
    assert token["post"]["security"] == [{}]  # signing in needs no token
    assert {"token", "expires", "id", "device"} <= set(
        schema["components"]["schemas"]["Token"]["properties"]
    )
    assert "204" in token["delete"]["responses"]
    assert {"tokenAuth": []} in token["delete"]["security"]
    assert "204" in schema["paths"]["/api/v1/auth/tokens/{id}/"]["delete"]["responses"]
    device = schema["components"]["schemas"]["Device"]["properties"]
    assert set(device) == {"id", "device", "created", "last_used", "expires", "current"}


def test_docs_pages_need_no_inline_script_or_style(client):
    """The site's CSP has no 'unsafe-inline': every script and style of the docs pages is a
    file (tests/project/test_api_docs_browser.py renders them in Chromium)."""
    import re

    for url in ("/api/docs/", "/api/redoc/"):
        r = client.get(url)
        html = r.content.decode()
        assert "unsafe-inline" not in r["Content-Security-Policy"]
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), url
        assert "<style" not in html and " style=" not in html, url
    script = client.get("/api/docs/?script=")
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle(" in script.content.decode()
