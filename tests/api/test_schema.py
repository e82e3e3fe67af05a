"""The OpenAPI schema generates without a warning and documents every endpoint."""

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_schema_generates_without_warnings(tmp_path):
    out = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    text = out.read_text()
    for path in ("/api/v1/me/", "/api/v1/races/", "/api/v1/races/{id}/"):
        assert f"{path}:" in text, path


def test_schema_is_served(client):
    r = client.get("/api/schema/")
    assert r.status_code == 200
    assert b"/api/v1/races/" in r.content
