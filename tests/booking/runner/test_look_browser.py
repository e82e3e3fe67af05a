"""The look on a phone, in Chromium at 375 px: one compact header row (at most 64 px)
with the clinic's name and a menu that opens, closes with Escape and reaches every link;
the clinic's accent on the buttons; no favicon error on first load; and at 1280 px the
menu is laid out inline."""

import pytest

from devtools.factories import (
    PASSWORD,
    ClinicFactory,
    RunnerFactory,
    ServiceFactory,
    TherapistFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADER_MAX_PX = 64


@pytest.fixture
def branded(transactional_db):
    clinic = ClinicFactory(name="Fisio Running Madrid", slug="madrid", accent_colour="#7a1f5c")
    ServiceFactory(clinic=clinic, name="Unloading massage")
    TherapistFactory(clinic=clinic)
    RunnerFactory(clinic=clinic, user=UserFactory(email="look@runner.test"))
    return clinic


def sign_in(page) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_login", "look@runner.test")
    page.fill("#id_password", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_compact_branded_header_with_a_menu_on_phones(page, branded, artifacts, lang):
    failed: list[str] = []
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    page.set_viewport_size({"width": 375, "height": 812})
    sign_in(page)
    if lang == "es":
        page.locator(".menu-toggle").click()
        page.select_option("#language-select", "es")
        page.locator("form.lang-switch button[type=submit]").click()
        page.wait_for_selector("html[lang=es]")
    for url in ("/", "/book/", "/sessions/", "/races/", "/profile/"):
        page.goto(url)
        header = page.locator(".site-header").bounding_box()
        assert header is not None and header["height"] <= HEADER_MAX_PX, (url, header)
        assert "Fisio Running Madrid" in page.inner_text(".site-header .brand")
        assert page.locator(".site-header nav").is_hidden()
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, url
    page.goto("/")
    background = page.evaluate(
        "getComputedStyle(document.querySelector('.hero a.button.big')).backgroundColor"
    )
    assert background == "rgb(122, 31, 92)"  # the clinic's #7a1f5c
    page.screenshot(path=str(artifacts / f"home-375-{lang}.png"), full_page=True)
    toggle = page.locator(".menu-toggle")
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    assert page.locator(".site-header nav").is_visible()
    page.screenshot(path=str(artifacts / f"menu-375-{lang}.png"))
    page.keyboard.press("Escape")
    assert toggle.get_attribute("aria-expanded") == "false"
    assert page.locator(".site-header nav").is_hidden()
    toggle.click()
    page.locator(".site-header nav a[href='/sessions/']").click()
    page.wait_for_url("**/sessions/")
    page.set_viewport_size({"width": 1280, "height": 800})
    assert page.locator(".site-header nav").is_visible() and toggle.is_hidden()
    page.screenshot(path=str(artifacts / f"sessions-1280-{lang}.png"), full_page=True)
    assert failed == [] and page.js_errors == []
