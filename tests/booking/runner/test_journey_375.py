"""A new runner's whole path on a phone (Chromium at 375 px), in English and Spanish: sign
up (the full zone list searched), one tap on the e-mail's link, log a race, book in four
taps from the signed-in home page, add it to a calendar, look at the month, move it,
cancel it, and the app is installable to the home screen (a valid manifest, per Chromium)."""

import re
from datetime import timedelta
from email.utils import parseaddr

import pytest
from django.core import mail
from django.utils import timezone
from icalendar import Calendar

from booking.models import Session
from clinic.models import User
from devtools.factories import ClinicFactory, ServiceFactory, TherapistFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

T = {
    "en": {
        "subject": "[Fisio Running Madrid] Confirm your e-mail address",
        "service": "Unloading massage",
        "saved": "is in your race log.",
        "booked": "You are booked",
        "summary": "Unloading massage with Lucía Martín",
        "month": "See the whole month",
        "move": "Move",
        "moved": "Your session is moved.",
        "cancel": "Cancel",
        "yes": "Yes, cancel it",
        "done": "Nothing to pay",
    },
    "es": {
        "subject": "[Fisio Running Madrid] Confirma tu dirección de correo",
        "service": "Masaje de descarga",
        "saved": "está en tu registro de carreras.",
        "booked": "Tienes tu cita",
        "summary": "Masaje de descarga con Lucía Martín",
        "month": "Ver el mes entero",
        "move": "Cambiar hora",
        "moved": "Tu sesión se ha cambiado.",
        "cancel": "Cancelar",
        "yes": "Sí, cancelarla",
        "done": "No tienes que pagar nada",
    },
}


@pytest.fixture
def clinic_setup(transactional_db):
    clinic = ClinicFactory(name="Fisio Running Madrid", slug="madrid", accent_colour="#7a1f5c")
    service = ServiceFactory(
        clinic=clinic,
        name="Unloading massage",
        name_es="Masaje de descarga",
        duration_minutes=60,
        body_areas=["legs"],
    )
    TherapistFactory(clinic=clinic, display_name="Lucía Martín")
    return clinic, service


def sign_up(page, lang: str, email: str) -> None:
    page.goto("/")
    if lang == "es":
        page.locator(".menu-toggle").click()  # on a phone the switch is in the menu
        page.select_option("#language-select", "es")
        page.locator("form.lang-switch button[type=submit]").click()
        page.wait_for_selector("html[lang=es]")
    page.locator(".hero a.button.big").click()
    page.fill("#id_first_name", "Pablo")
    page.fill("#id_email", email)
    page.fill("#id_password1", "a-long-pass-phrase-42")
    # The full list, searched: a zone off the short list joins the menu and is chosen.
    search = page.locator(".zone-search input")
    search.focus()
    page.wait_for_function("document.querySelectorAll('.zone-search datalist option').length > 300")
    search.fill("Atlantic/Reykjavik")
    search.dispatch_event("change")
    assert page.input_value("#id_timezone") == "Atlantic/Reykjavik"
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.locator("form.auth-form button[type=submit]").click()
    page.wait_for_url("**/accounts/confirm-email/")


def four_taps_from_home(page) -> int:
    page.goto("/")
    taps = 0
    for selector in (
        ".hero a.button.big",
        ".card.service a.card-link",
        "a.slot",
        "#confirm-booking",
    ):
        page.locator(selector).first.click()
        taps += 1
        if selector == "a.slot":
            page.wait_for_url("**/confirm/**")
    page.wait_for_url("**/sessions/*/?booked=1")
    return taps


def assert_installable(page) -> None:
    """What Chromium itself says about installing the app: the manifest it parsed from the
    page has no error, and it names the app, its icons (each fetched), start and display."""
    cdp = page.context.new_cdp_session(page)
    found = cdp.send("Page.getAppManifest")
    assert found["errors"] == [], found["errors"]
    manifest = page.evaluate(f"fetch({found['url']!r}).then(r => r.json())")
    assert manifest["name"] == "Fisio Running Madrid" and manifest["short_name"]
    assert manifest["start_url"].startswith("/") and manifest["display"] == "standalone"
    sizes = set()
    for icon in manifest["icons"]:
        response = page.request.get(icon["src"])
        assert response.ok and response.headers["content-type"] == icon["type"], icon
        sizes.add(icon["sizes"])
    assert {"192x192", "512x512"} <= sizes
    # Chromium's own verdict; Playwright's contexts are incognito, which only says where
    # the test runs, not what the app lacks.
    errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
    assert [e for e in errors if e["errorId"] != "in-incognito"] == [], errors


@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_new_runners_journey_on_a_phone(page, clinic_setup, artifacts, lang):
    t = T[lang]
    shots = artifacts / "journey"
    shots.mkdir(exist_ok=True)
    email = f"journey-{lang}@runner.test"
    page.set_viewport_size({"width": 375, "height": 812})
    # 1. Sign up; the e-mail comes from the clinic, in the runner's language; one tap.
    sign_up(page, lang, email)
    (message,) = [m for m in mail.outbox if m.to == [email]]
    assert message.subject == t["subject"]
    assert parseaddr(message.from_email)[0] == "Fisio Running Madrid"
    page.goto(re.search(r"/accounts/confirm-email/\S+/", message.body)[0])
    page.wait_for_url("**/book/")
    assert t["service"] in page.inner_text("main")
    user = User.objects.get(email=email)
    assert user.language == lang and user.runner.timezone == "Atlantic/Reykjavik"
    # 2. Log a race, well away from the next days.
    race_day = timezone.localdate() + timedelta(days=40)
    page.goto("/races/add/")
    page.fill("#id_name", "Maratón de Valencia")
    page.fill("#id_start", f"{race_day.isoformat()}T09:00")
    page.fill("#id_distance_km", "42.195")
    page.fill("#id_duration", "3:30")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/races/")
    assert t["saved"] in page.inner_text(".messages")
    # 3. Four taps from the signed-in home page.
    assert four_taps_from_home(page) == 4
    assert t["booked"] in page.inner_text("h1")
    page.screenshot(path=str(shots / f"booked-375-{lang}.png"), full_page=True)
    session = Session.objects.get(runner__user__email=email)
    # 4. Add to calendar: Google and Outlook at the clinic's local time, Apple's .ics.
    google = page.get_attribute("#add-google", "href")
    assert google.startswith("https://calendar.google.com/") and "ctz=Europe%2FMadrid" in google
    local = session.start.astimezone(session.clinic.tz)
    assert f"dates={local:%Y%m%dT%H%M%S}" in google
    assert page.get_attribute("#add-outlook", "href").startswith("https://outlook.live.com/")
    ics = page.request.get(page.get_attribute("#add-apple", "href"))
    assert ics.ok and ics.headers["content-type"].startswith("text/calendar")
    (event,) = Calendar.from_ical(ics.body()).walk("VEVENT")
    assert str(event["summary"]) == t["summary"]
    # 5. Move it: the picker, its month view, a day, a time, confirm.
    page.get_by_role("link", name=t["move"], exact=True).click()
    page.get_by_role("link", name=t["month"]).click()
    page.wait_for_selector("table.month")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=str(shots / f"month-375-{lang}.png"), full_page=True)
    page.locator("table.month a.mday.free").last.click()
    page.wait_for_selector("a.slot")
    page.locator("a.slot").last.click()
    page.locator("#confirm-move").click()
    page.wait_for_url("**/sessions/*/")
    assert t["moved"] in page.inner_text(".messages")
    moved = Session.objects.get(runner__user__email=email, status="booked")
    assert moved.start.date() > session.start.date()
    # 6. Cancel it.
    page.get_by_role("link", name=t["cancel"], exact=True).first.click()
    page.get_by_role("button", name=t["yes"]).click()
    page.wait_for_url("**/sessions/")
    assert t["done"] in page.inner_text(".messages")
    assert not Session.objects.filter(runner__user__email=email, status="booked").exists()
    # 7. Installable to the home screen.
    page.goto("/")
    assert_installable(page)
    assert page.js_errors == []
