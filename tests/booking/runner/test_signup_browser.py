"""Sign-up in one screen in Chromium at 375 px: the browser's own time zone is
preselected (here Mexico City, and Bangkok, which is not on the short list), the
password shows and hides, and the account keeps the name, language and zone."""

import pytest

from clinic.models import User
from devtools.factories import ClinicFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    ("zone", "lang", "show", "hide"),
    [("America/Mexico_City", "en", "Show", "Hide"), ("Asia/Bangkok", "es", "Mostrar", "Ocultar")],
)
def test_sign_up_on_one_screen_with_the_detected_zone(
    chromium, live_server, artifacts, zone, lang, show, hide
):
    ClinicFactory(name="Fisio Running Madrid", slug="madrid")
    context = chromium.new_context(
        base_url=live_server.url,
        timezone_id=zone,
        locale="es-ES" if lang == "es" else "en-GB",
        viewport={"width": 375, "height": 812},
    )
    context.add_cookies([{"name": "django_language", "value": lang, "url": live_server.url}])
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto("/accounts/signup/")
        assert page.input_value("#id_timezone") == zone
        assert page.input_value("#id_language") == lang
        page.fill("#id_first_name", "Pablo")
        page.fill("#id_email", f"pablo-{lang}@example.com")
        page.fill("#id_password1", "a-long-pass-phrase-42")
        toggle = page.locator(".password-toggle")
        assert toggle.inner_text() == show
        toggle.click()
        assert page.get_attribute("#id_password1", "type") == "text"
        assert toggle.inner_text() == hide and toggle.get_attribute("aria-pressed") == "true"
        toggle.click()
        assert page.get_attribute("#id_password1", "type") == "password"
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        page.screenshot(path=str(artifacts / f"signup-375-{lang}.png"), full_page=True)
        page.locator("form.auth-form button[type=submit]").click()
        page.wait_for_url("**/accounts/confirm-email/")
        user = User.objects.get(email=f"pablo-{lang}@example.com")
        assert user.first_name == "Pablo" and user.language == lang
        assert user.runner.timezone == zone
        assert errors == []
    finally:
        context.close()
