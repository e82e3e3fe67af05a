"""The OpenAPI schema generates without a warning and documents every endpoint."""

import pytest
from django.core.management import call_command

from tests.support.api import assert_error

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


def test_request_bodies_are_json_only_required_and_cleanly_named(client):
    """Issue 19: generators (openapi-python-client) build one body type per operation.
    A file upload (the training import, issue 20) is the one body that is a multipart form."""
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    bodies = [
        (path, method, op["requestBody"])
        for path, item in schema["paths"].items()
        for method, op in item.items()
        if isinstance(op, dict) and "requestBody" in op
    ]
    assert bodies
    for path, method, body in bodies:
        expected = ["multipart/form-data"] if path.endswith("/import/") else ["application/json"]
        assert list(body["content"]) == expected, (path, method)
        # A partial update may be empty; every other body is required.
        assert body.get("required", False) is (method != "patch"), (path, method)
        op = schema["paths"][path][method]
        assert "415" in op["responses"], (path, method)
    names = set(schema["components"]["schemas"])
    assert not {n for n in names if n.endswith("RequestRequest") or n.startswith("_")}
    assert not names & {"AttendanceInRequest", "AttendanceOut", "WorkingHoursOut"}
    assert {"SignInRequest", "SessionCreateRequest", "RescheduleRequest"} <= names


def test_booking_bodies_and_errors_carry_examples(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    create = schema["paths"]["/api/v1/sessions/"]["post"]
    book = create["requestBody"]["content"]["application/json"]["examples"]
    assert {"service", "therapist", "start"} <= set(next(iter(book.values()))["value"])
    booked = create["responses"]["201"]["content"]["application/json"]["examples"]
    assert next(iter(booked.values()))["value"]["status"] == "booked"
    move = schema["paths"]["/api/v1/sessions/{id}/reschedule/"]["post"]
    assert move["requestBody"]["content"]["application/json"]["examples"]
    assert schema["components"]["schemas"]["Error"]["example"]["code"]
    assert schema["components"]["schemas"]["BookingError"]["example"]["suggestions"]


def test_a_form_body_is_refused_with_415_and_a_sentence(client, alice):
    response = client.post(
        "/api/v1/auth/token/",
        {"email": alice.user.email, "password": "x"},
    )
    body = assert_error(response, 415, "unsupported_media_type")
    assert "application/json" in body["detail"]
    # The pages keep their forms.
    response = client.post("/accounts/login/", {"login": alice.user.email, "password": "x"})
    assert response.status_code == 200
