"""The packs journey in Chromium, in English and in Spanish, at 375 px: the clinic's staff
sell a pack at the desk and record the payment; the runner books with it and sees the
balance on the confirmation; cancels late and sees the right balance (a late cancellation
uses the credit) on My sessions and the home page, where "Book my plan" comes first."""

from datetime import datetime, time
from decimal import Decimal

import pytest

from billing.models import CreditGrant, LedgerEntry, Offer
from devtools.factories import (
    PASSWORD,
    ClinicFactory,
    RunnerFactory,
    ServiceFactory,
    TherapistFactory,
    UserFactory,
)
from tests.support.browser import *  # noqa: F403
from tests.support.clock import MADRID

# Monday 30 November 2026, 08:00 in Madrid, running on.
START = datetime(2026, 11, 30, 8, 0, tzinfo=MADRID)
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.clock(START, tick=True),
]

T = {
    "en": {
        "sold": "Sold Bono 5",
        "five": "5 sessions left in your pack, valid until 27 February.",
        "booked": "You are booked",
        "four": "4 sessions left in your pack, valid until 27 February.",
        "late": "This is a late cancellation.",
        "uses": "It uses the session of your pack or membership it was booked with.",
        "plan": "Book my plan",
    },
    "es": {
        "sold": "Bono 5 vendido",
        "five": "Te quedan 5 sesiones en tu bono, válidas hasta el 27 de febrero.",
        "booked": "Tienes tu cita",
        "four": "Te quedan 4 sesiones en tu bono, válidas hasta el 27 de febrero.",
        "late": "Es una cancelación tardía.",
        "uses": "Gasta la sesión de tu bono o cuota con la que reservaste.",
        "plan": "Reservar mi plan",
    },
}


@pytest.fixture
def desk(transactional_db):
    clinic = ClinicFactory(name="Fisio Running Madrid", slug="madrid")
    service = ServiceFactory(clinic=clinic, name="Unloading massage", duration_minutes=60)
    therapist = TherapistFactory(clinic=clinic, display_name="Lucía Martín")
    offer = Offer.objects.create(
        clinic=clinic, name="Bono 5", sessions=5, price=Decimal("200.00"), valid_months=3
    )
    offer.services.set([service])
    return clinic, service, therapist, offer


def sign_in(page, email):
    """Each account keeps its language: the pages follow it once signed in."""
    page.goto("/accounts/login/")
    page.fill("#id_login", email)
    page.fill("#id_password", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def narrow_shot(page, path):
    page.set_viewport_size({"width": 375, "height": 812})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=str(path), full_page=True)


@pytest.mark.parametrize("lang", ["en", "es"])
def test_staff_sell_a_pack_the_runner_books_with_it_and_cancels_late(
    chromium, live_server, desk, artifacts, lang
):
    clinic, service, therapist, offer = desk
    t = T[lang]
    email = f"pack-{lang}@runner.test"
    RunnerFactory(clinic=clinic, user=UserFactory(email=email, first_name="Pablo", language=lang))
    desk_email = f"desk-{lang}@clinic.test"
    UserFactory(email=desk_email, role="clinic_admin", clinic=clinic, is_staff=True, language=lang)
    shots = artifacts / "screens"
    shots.mkdir(parents=True, exist_ok=True)

    def context():
        made = chromium.new_context(base_url=live_server.url, locale="en-GB")
        made.set_default_timeout(15_000)
        return made.new_page()

    # 1. The desk sells the pack and records the card payment.
    staff = context()
    sign_in(staff, desk_email)
    staff.wait_for_selector(f"html[lang={lang}]")
    staff.goto("/staff/packs/")
    staff.fill("#id_runner", email)
    staff.select_option("#id_offer", str(offer.pk))
    staff.select_option("#id_method", "card")
    staff.fill("#id_amount", "200.00")
    staff.fill("#id_reference", "TPV 0042")
    staff.locator("main form button[type=submit]").last.click()
    staff.wait_for_url("**/staff/packs/runners/*/")
    assert t["sold"] in staff.inner_text(".messages")
    assert t["five"] in staff.inner_text("#runner-balance")
    narrow_shot(staff, shots / f"packs-staff-sold-{lang}.png")

    # 2. The runner books this afternoon (less than 24 h ahead) and sees the balance.
    runner = context()
    sign_in(runner, email)
    start = datetime.combine(START.date(), time(15), tzinfo=MADRID).isoformat()
    runner.goto(
        f"/book/{service.pk}/confirm/?start={start.replace('+', '%2B')}&therapist={therapist.pk}"
    )
    runner.locator("#confirm-booking").click()
    runner.wait_for_url("**/sessions/*/?booked=1")
    assert t["booked"] in runner.inner_text("h1")
    assert t["four"] in runner.inner_text("#credit-balance")
    narrow_shot(runner, shots / f"packs-runner-booked-{lang}.png")

    # 3. A late cancellation: the clinic counts it, the credit stays used.
    runner.set_viewport_size({"width": 1024, "height": 800})
    session_url = runner.url.split("?")[0]
    runner.goto(session_url + "cancel/")
    assert t["late"] in runner.inner_text("#cancel-policy")
    assert t["uses"] in runner.inner_text("#cancel-credit")
    runner.locator("#confirm-cancel").click()
    runner.wait_for_url("**/sessions/")
    assert t["four"] in runner.inner_text("#credit-balance")
    narrow_shot(runner, shots / f"packs-runner-after-late-cancel-{lang}.png")
    runner.goto("/")
    assert t["four"] in runner.inner_text("#credit-balance")
    first_button = runner.locator("main a.button").first
    assert first_button.inner_text().strip() == t["plan"]
    narrow_shot(runner, shots / f"packs-runner-home-{lang}.png")

    grant = CreditGrant.objects.get(runner__user__email=email)
    assert grant.remaining == 4
    assert list(
        LedgerEntry.objects.filter(grant=grant).order_by("pk").values_list("kind", flat=True)
    ) == ["grant", "use"]
    assert staff.evaluate("1") == 1 and runner.evaluate("1") == 1
