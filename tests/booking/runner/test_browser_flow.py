"""The runner's whole path in a real browser: sign up, log a race, try to book the
morning after it and read why not, book a valid time with the keyboard, find it under
My sessions, cancel it. Once in English, once in Spanish; a 375 px screenshot; axe."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone

from booking.models import Session
from devtools.factories import (
    PASSWORD,
    ClinicFactory,
    RunnerFactory,
    ServiceFactory,
    SessionFactory,
    TherapistFactory,
    UserFactory,
)
from tests.support.browser import axe_serious

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MADRID = ZoneInfo("Europe/Madrid")


@pytest.fixture
def clinic_setup(transactional_db):
    # The clinic's own figure: 24 h after a race (the default is 6 h).
    clinic = ClinicFactory(
        name="Fisio Running Madrid", slug="madrid", phone="+34 910 000 000", after_race_hours=24
    )
    service = ServiceFactory(
        clinic=clinic, name="Unloading massage", duration_minutes=60, body_areas=["legs", "glutes"]
    )
    therapist = TherapistFactory(clinic=clinic, display_name="Lucía Martín")
    return clinic, service, therapist


def log_in(page, email: str, *, goto: bool = True) -> None:
    if goto:
        page.goto("/accounts/login/")
    page.fill("#id_login", email)
    page.fill("#id_password", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def race_day():
    """A Monday to Thursday at least four days ahead, so the morning after is a working day."""
    day = timezone.localdate(timezone.now(), MADRID) + timedelta(days=4)
    while day.weekday() > 3:
        day += timedelta(days=1)
    return day


T = {
    "en": {
        "saved": "is in your race log.",
        "blocks": "No massage from",
        "reason": "Too soon after {race}: the muscles need time after a race",
        "refused": "Your muscles need rest after the race",
        "confirm": "Confirm booking",
        "booked": "You are booked",
        "my_sessions": "My sessions",
        "cancel": "Cancel",
        "policy": "You are cancelling in time.",
        "yes": "Yes, cancel it",
        "done": "Nothing to pay",
        "cancelled": "Cancelled",
    },
    "es": {
        "saved": "está en tu registro de carreras.",
        "blocks": "Sin masaje desde",
        "reason": "Demasiado pronto después de {race}",
        "refused": "Tus músculos necesitan descanso tras la carrera",
        "confirm": "Confirmar reserva",
        "booked": "Tienes tu cita",
        "my_sessions": "Mis sesiones",
        "cancel": "Cancelar",
        "policy": "Cancelas a tiempo.",
        "yes": "Sí, cancelarla",
        "done": "No tienes que pagar nada",
        "cancelled": "Cancelada",
    },
}


def run_flow(page, *, lang, service, therapist, email, race_name, artifacts=None, shots=None):
    t = T[lang]
    page.goto("/")
    if lang == "es":
        page.select_option("#language-select", "es")
        page.locator("form.lang-switch button[type=submit]").click()
        page.wait_for_selector("html[lang=es]")
    # 1. Sign up from the home page's call to action.
    page.locator(".hero a.button.big").click()
    page.fill("#id_first_name", "Pablo")
    page.fill("#id_email", email)
    page.fill("#id_password1", "a-long-pass-phrase-42")
    page.locator("form.auth-form button[type=submit]").click()
    # The address is confirmed first (so that sign-up never tells whether an address has
    # an account): one tap on the e-mail's link, and the runner is signed in.
    page.wait_for_url("**/accounts/confirm-email/")
    (message,) = [m for m in mail.outbox if m.to == [email]]
    page.goto(re.search(r"/accounts/confirm-email/\S+/", message.body)[0])
    page.wait_for_url("**/book/")
    # 2. Log a race.
    day = race_day()
    page.goto("/races/add/")
    page.fill("#id_name", race_name)
    page.fill("#id_start", f"{day.isoformat()}T09:00")
    page.fill("#id_distance_km", "10")
    page.fill("#id_duration", "1:00")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/races/")
    assert t["saved"] in page.inner_text(".messages")
    assert t["blocks"] in page.inner_text("#upcoming-races")
    # 3. The morning after: 09:00 is shown disabled, with the reason.
    after = day + timedelta(days=1)
    page.goto("/book/")
    page.locator(".card.service a.card-link").first.click()
    page.goto(f"/book/{service.pk}/?therapist={therapist.pk}&day={after.isoformat()}")
    reason = t["reason"].format(race=race_name)
    assert reason in page.inner_text(".race-block")
    blocked = page.locator(".slot.disabled", has_text="09:00")
    assert blocked.count() == 1 and reason in blocked.get_attribute("title")
    if artifacts is not None:
        page.set_viewport_size({"width": 375, "height": 812})
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        page.screenshot(path=str(artifacts / "booking-375.png"), full_page=True)
        page.set_viewport_size({"width": 1024, "height": 800})
    # 4. Trying to book it anyway gets the refusal with its reason.
    start = timezone.make_aware(
        timezone.datetime.combine(after, timezone.datetime.min.time()), MADRID
    )
    start_9 = (start + timedelta(hours=9)).isoformat()
    page.goto(
        f"/book/{service.pk}/confirm/?start={start_9.replace('+', '%2B')}&therapist={therapist.pk}"
    )
    page.get_by_role("button", name=t["confirm"]).click()
    assert t["refused"] in page.inner_text("h1")
    assert reason in page.inner_text(".refusal-detail")
    if shots is not None:
        page.screenshot(path=str(shots / f"refusal-{lang}.png"), full_page=True)
    # 5. Back to the times, and book 11:00 with the keyboard alone.
    page.locator("main a.button.secondary").first.click()
    page.locator("a.slot", has_text="11:00").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/confirm/**")
    page.locator("input[name=discomfort_areas][value=glutes]").focus()
    page.keyboard.press("Space")
    page.locator("#confirm-booking").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/sessions/*/?booked=1")
    assert t["booked"] in page.inner_text("h1")
    # One .ics download; Apple Calendar's link opens the same file.
    assert page.locator("a[href$='calendar.ics'][download]").count() == 1
    # 6. It is under My sessions; cancel it, with the policy shown first.
    page.get_by_role("link", name=t["my_sessions"], exact=True).first.click()
    # count() does not wait: under load it could still be counting the booked page's cards.
    page.wait_for_url("**/sessions/")
    card = page.locator("#upcoming-sessions .card.session")
    assert card.count() == 1 and "11:00" in card.inner_text()
    card.get_by_role("link", name=t["cancel"], exact=True).click()
    assert t["policy"] in page.inner_text("#cancel-policy")
    page.get_by_role("button", name=t["yes"]).click()
    page.wait_for_url("**/sessions/")
    assert t["done"] in page.inner_text(".messages")
    assert t["cancelled"] in page.inner_text("#past-sessions")
    assert page.js_errors == []


def test_runner_signs_up_logs_a_race_is_refused_books_and_cancels(page, clinic_setup, artifacts):
    _clinic, service, therapist = clinic_setup
    run_flow(
        page,
        lang="en",
        service=service,
        therapist=therapist,
        email="new@runner.test",
        race_name="Valencia 10K",
        artifacts=artifacts,
        shots=artifacts,
    )
    session = Session.objects.get(runner__user__email="new@runner.test")
    assert session.status == "cancelled" and session.discomfort_areas == ["glutes"]
    assert (artifacts / "booking-375.png").exists()


def test_the_same_flow_in_spanish(page, clinic_setup, artifacts):
    _clinic, service, therapist = clinic_setup
    run_flow(
        page,
        lang="es",
        service=service,
        therapist=therapist,
        email="nueva@corredora.test",
        race_name="10K de Sevilla",
        shots=artifacts,
    )
    session = Session.objects.get(runner__user__email="nueva@corredora.test")
    assert session.status == "cancelled"
    assert session.runner.user.language == "es"


def test_main_pages_have_no_serious_accessibility_violations(page, clinic_setup):
    clinic, service, therapist = clinic_setup
    runner = RunnerFactory(clinic=clinic, user=UserFactory(email="axe@runner.test"))
    page.goto("/")
    found = {"/": axe_serious(page)}
    page.goto("/accounts/login/")
    found["/accounts/login/"] = axe_serious(page)
    log_in(page, "axe@runner.test", goto=False)
    day = race_day() + timedelta(days=1)
    start = timezone.make_aware(
        timezone.datetime.combine(day, timezone.datetime.min.time()), MADRID
    ) + timedelta(hours=11)
    for url in (
        "/book/",
        f"/book/{service.pk}/?therapist=any&day={day.isoformat()}",
        f"/book/{service.pk}/confirm/?start={start.isoformat().replace('+', '%2B')}&therapist={therapist.pk}",
        "/sessions/",
        "/races/",
        "/races/add/",
        "/races/import/",
        "/profile/",
        "/self-care/",
    ):
        page.goto(url)
        found[url] = axe_serious(page)
    assert runner.pk
    assert {url: v for url, v in found.items() if v} == {}


def test_pages_fit_a_375_px_screen(page, clinic_setup, artifacts):
    clinic, service, therapist = clinic_setup
    runner = RunnerFactory(clinic=clinic, user=UserFactory(email="narrow@runner.test"))
    soon = timezone.now() + timedelta(days=3)
    SessionFactory(runner=runner, therapist=therapist, service=service, start=soon)
    SessionFactory(
        runner=runner,
        therapist=therapist,
        service=service,
        start=soon - timedelta(days=30),
        status="attended",
    )
    page.set_viewport_size({"width": 375, "height": 812})
    log_in(page, "narrow@runner.test")
    day = race_day() + timedelta(days=1)
    too_wide = {}
    for url in (
        "/",
        "/book/",
        f"/book/{service.pk}/?therapist=any&day={day.isoformat()}",
        "/sessions/",
        "/races/",
        "/races/add/",
        "/profile/",
        "/self-care/",
    ):
        page.goto(url)
        name = re.sub(r"\d+", "N", url.strip("/").split("?")[0]).replace("/", "-") or "home"
        page.screenshot(path=str(artifacts / f"375-{name}.png"), full_page=True)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 375:
            too_wide[url] = width
    assert too_wide == {}


def test_days_swap_in_place_with_htmx_and_work_without_it(page, clinic_setup):
    clinic, service, therapist = clinic_setup
    RunnerFactory(clinic=clinic, user=UserFactory(email="htmx@runner.test"))
    log_in(page, "htmx@runner.test")
    day = race_day()
    page.goto(f"/book/{service.pk}/?therapist={therapist.pk}&day={day.isoformat()}")
    assert page.evaluate("typeof window.htmx") == "object"
    page.evaluate("window.__same_document = true")
    target = page.locator(".day-strip a.day").nth(1)
    wanted = (day + timedelta(days=1)).isoformat()
    target.click()
    page.wait_for_url(f"**day={wanted}**")
    page.wait_for_selector(f".day-strip a.day.selected[href*='{wanted}']")
    # Swapped in place: the page was not reloaded.
    assert page.evaluate("window.__same_document") is True
    assert page.locator("html").count() == 1 and page.locator("#picker .day-strip").count() == 1
    assert page.js_errors == []
    # Changing the physiotherapist keeps the day just picked.
    page.select_option("#therapist-select", "any")
    page.wait_for_url("**therapist=any**")
    assert f"day={wanted}" in page.url


def _tab_to(page, predicate_js: str, limit: int = 120) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(predicate_js):
            return
    raise AssertionError(
        f"never reached with Tab: {predicate_js}; at "
        + page.evaluate("document.activeElement.outerHTML.slice(0, 200)")
        + " on "
        + page.url
    )


def test_booking_with_the_keyboard_alone_and_visible_focus(page, clinic_setup):
    clinic, service, therapist = clinic_setup
    RunnerFactory(clinic=clinic, user=UserFactory(email="keys@runner.test"))
    log_in(page, "keys@runner.test")
    day = race_day()
    page.goto(f"/book/{service.pk}/?therapist={therapist.pk}&day={day.isoformat()}")
    _tab_to(page, "document.activeElement.matches('a.slot')")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("none", "")
    chosen = page.evaluate("document.activeElement.textContent.trim().slice(0, 5)")
    page.keyboard.press("Enter")
    page.wait_for_url("**/confirm/**")
    _tab_to(page, "document.activeElement.id === 'confirm-booking'")
    page.keyboard.press("Enter")
    page.wait_for_url("**/sessions/*/?booked=1")
    assert chosen in page.inner_text(".summary")
    assert (
        Session.objects.filter(runner__user__email="keys@runner.test", status="booked").count() == 1
    )
