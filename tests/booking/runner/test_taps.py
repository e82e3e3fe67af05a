"""Booking on a phone, counted: from the signed-in home page to a confirmed booking in
Chromium at 375 px, in English and in Spanish, tap by tap (target: four). The day strip
shows all seven days on that screen."""

import pytest

from booking.models import Session
from devtools.factories import (
    PASSWORD,
    ClinicFactory,
    RunnerFactory,
    ServiceFactory,
    TherapistFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TARGET_TAPS = 4


@pytest.fixture
def clinic_setup(transactional_db):
    clinic = ClinicFactory(name="Fisio Running Madrid", slug="madrid")
    service = ServiceFactory(clinic=clinic, name="Unloading massage", duration_minutes=60)
    TherapistFactory(clinic=clinic, display_name="Lucía Martín")
    return clinic, service


def sign_in(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_login", email)
    page.fill("#id_password", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


@pytest.mark.parametrize("lang", ["en", "es"])
def test_booking_from_the_signed_in_home_page_takes_four_taps(page, clinic_setup, artifacts, lang):
    clinic, _service = clinic_setup
    RunnerFactory(clinic=clinic, user=UserFactory(email=f"taps-{lang}@runner.test", language=lang))
    page.set_viewport_size({"width": 375, "height": 812})
    sign_in(page, f"taps-{lang}@runner.test")
    page.goto("/")
    taps = 0

    def tap(locator) -> None:
        nonlocal taps
        locator.first.click()
        taps += 1

    tap(page.locator(".hero a.button.big"))  # Book a session
    tap(page.locator(".card.service a.card-link"))  # the massage
    # The picker opened on a day with free times (even when today has none).
    page.wait_for_selector("a.slot")
    cells = page.locator(".day-strip a.day")
    assert cells.count() == 7
    for i in range(7):
        box = cells.nth(i).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375
        assert cells.nth(i).evaluate("e => e.scrollWidth <= e.clientWidth + 1")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=str(artifacts / f"picker-375-{lang}.png"), full_page=True)
    tap(page.locator("a.slot"))  # the first free time
    page.wait_for_url("**/confirm/**")
    tap(page.locator("#confirm-booking"))
    page.wait_for_url("**/sessions/*/?booked=1")
    page.screenshot(path=str(artifacts / f"booked-375-{lang}.png"), full_page=True)
    assert Session.objects.filter(runner__user__email=f"taps-{lang}@runner.test").count() == 1
    print(f"TAPS {lang} {taps}")
    assert taps == TARGET_TAPS
    assert page.js_errors == []
