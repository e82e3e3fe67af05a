"""The clinic admin brands the clinic in the Django admin (through clinic.services): an
accent colour checked for WCAG AA against white, and a logo; its runners see both."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from clinic import colours

from .test_schedule_writes import change_page_data

pytestmark = pytest.mark.django_db

PNG_1PX = (Path(settings.BASE_DIR) / "static" / "icons" / "icon-32.png").read_bytes()


@pytest.fixture
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_the_clinic_admin_sets_the_accent_and_logo_and_runners_see_them(
    as_persona, world, media, django_capture_on_commit_callbacks
):
    clinic = world.a.clinic
    client = as_persona("admin_a")
    address = reverse("admin:clinic_clinic_change", args=[clinic.pk])
    data = change_page_data(client.get(address))
    data["accent_colour"] = "#7a1f5c"
    data["logo"] = SimpleUploadedFile("logo.png", PNG_1PX, content_type="image/png")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(address, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    clinic.refresh_from_db()
    assert clinic.accent_colour == "#7a1f5c" and clinic.logo

    runner = as_persona("runner_a")
    html = runner.get("/").content.decode()
    header = html.split('<header class="site-header">')[1].split("</header>")[0]
    assert clinic.name in header
    assert reverse("brand-logo", args=[clinic.slug]) in header
    assert reverse("brand-css", args=[clinic.slug]) in html
    css = runner.get(reverse("brand-css", args=[clinic.slug]))
    assert css["Content-Type"].startswith("text/css")
    assert b"--accent:#7a1f5c" in css.content
    logo = runner.get(reverse("brand-logo", args=[clinic.slug]))
    assert logo["Content-Type"] == "image/png" and b"".join(logo.streaming_content) == PNG_1PX


def test_a_colour_white_text_cannot_be_read_on_is_refused_with_the_ratio(as_persona, world):
    clinic = world.a.clinic
    client = as_persona("admin_a")
    address = reverse("admin:clinic_clinic_change", args=[clinic.pk])
    data = change_page_data(client.get(address))
    data["accent_colour"] = "#ffcc00"
    response = client.post(address, data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["accent_colour"]
    assert "contrast of 1.5:1" in errors[0] and "4.5:1" in errors[0]
    clinic.refresh_from_db()
    assert clinic.accent_colour == colours.DEFAULT_ACCENT


def test_the_refusal_in_spanish(as_persona, world):
    clinic = world.a.clinic
    client = as_persona("admin_a")
    client.cookies["django_language"] = "es"
    address = reverse("admin:clinic_clinic_change", args=[clinic.pk])
    data = change_page_data(client.get(address))
    data["accent_colour"] = "#ffcc00"
    errors = client.post(address, data).context["adminform"].form.errors["accent_colour"]
    assert "contraste" in errors[0]
