"""Signed-in devices in Chromium: the runner's profile and the staff's account page at
375 px, with axe, revoking by clicking (plain forms, JavaScript off)."""

import pytest

from clinic.models import ApiToken, User
from clinic.tokens import token_create
from devtools.factories import PASSWORD, ClinicFactory, RunnerFactory, TherapistFactory, UserFactory
from tests.support.browser import axe_serious

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG_AGENT = "RunClinicAndroid/3.4.1(" + "Pixel8Pro;" * 12 + ")"


def log_in(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_login", email)
    page.fill("#id_password", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def test_a_runner_revokes_a_device_on_a_phone_without_javascript(chromium, live_server, artifacts):
    clinic = ClinicFactory(slug="madrid")
    runner = RunnerFactory(clinic=clinic, user=UserFactory(email="devices@runner.test"))
    token_create(user=runner.user, device="Alice's phone")
    token_create(user=runner.user, device=LONG_AGENT)
    context = chromium.new_context(
        base_url=live_server.url,
        java_script_enabled=False,
        viewport={"width": 375, "height": 812},
    )
    page = context.new_page()
    try:
        log_in(page, "devices@runner.test")
        page.goto("/profile/#devices")
        devices = page.locator("#devices .device")
        assert devices.count() == 2
        page.screenshot(path=str(artifacts / "375-profile-devices.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        page.get_by_role("button", name="Revoke Alice's phone").click()
        page.wait_for_url("**/profile/#devices")
        assert page.get_by_text("That device is signed out.").is_visible()
        assert devices.count() == 1
        page.get_by_role("button", name="Sign out everywhere else").click()
        page.wait_for_url("**/profile/#devices")
        assert page.get_by_text("No app or device is signed in to your account.").is_visible()
        assert not ApiToken.objects.filter(user=runner.user).exists()
    finally:
        context.close()


def test_the_devices_pages_have_no_serious_accessibility_violations(page):
    clinic = ClinicFactory(slug="madrid")
    runner = RunnerFactory(clinic=clinic, user=UserFactory(email="axe-devices@runner.test"))
    token_create(user=runner.user, device="Alice's phone")
    therapist = TherapistFactory(
        clinic=clinic,
        user=UserFactory(email="axe-devices@clinic.test", role=User.Role.THERAPIST, is_staff=True),
    )
    token_create(user=therapist.user, device="Reception tablet")
    log_in(page, "axe-devices@runner.test")
    page.goto("/profile/")
    found = {"/profile/": axe_serious(page)}
    page.context.clear_cookies()
    log_in(page, "axe-devices@clinic.test")
    page.goto("/account/devices/")
    found["/account/devices/"] = axe_serious(page)
    assert {url: v for url, v in found.items() if v} == {}
