"""A clinic puts its name, accent colour and logo on the pages: set by its admin (through
clinic.services), refused when white text on the colour would fail WCAG AA, shown in the
header of its runners' pages; favicon, app icons and a valid web app manifest."""

import json
import struct
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from clinic import colours

pytestmark = pytest.mark.django_db

ICONS = Path(settings.BASE_DIR) / "static" / "icons"
PNG_1PX = (ICONS / "icon-32.png").read_bytes()


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_contrast_is_the_wcag_ratio():
    assert round(colours.contrast("#ffffff", "#000000"), 1) == 21.0
    assert colours.accent_problem(colours.DEFAULT_ACCENT) is None
    kind, ratio = colours.accent_problem("#ffcc00")
    assert kind == "contrast" and ratio < 4.5
    assert colours.accent_problem("blue") == ("format", 0.0)


def test_the_manifest_is_valid_and_its_icons_exist(persona, clinic, alice):
    response = persona("alice").page.get(reverse("manifest"))
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["name"] == "Fisio Running Madrid"
    assert 0 < len(manifest["short_name"]) <= 12
    assert manifest["display"] == "standalone" and manifest["start_url"].startswith("/")
    assert manifest["scope"] == "/" and manifest["theme_color"] == colours.DEFAULT_ACCENT
    sizes = set()
    for icon in manifest["icons"]:
        path = ICONS / icon["src"].rsplit("/", 1)[1]
        w, h = png_size(path.read_bytes())
        assert icon["sizes"] == f"{w}x{h}" and icon["type"] == "image/png"
        sizes.add((w, icon.get("purpose", "any")))
    assert {(192, "any"), (512, "any"), (512, "maskable")} <= sizes


def test_every_page_links_the_favicon_icons_and_manifest(persona):
    html = persona(None).page.get("/").content.decode()
    for needle in ('rel="icon"', "icon.svg", 'rel="apple-touch-icon"', 'rel="manifest"'):
        assert needle in html
    assert png_size((ICONS / "apple-touch-icon.png").read_bytes()) == (180, 180)
    favicon = persona(None).page.get("/favicon.ico")
    assert favicon.status_code == 301 and favicon["Location"].endswith("icons/icon-32.png")
