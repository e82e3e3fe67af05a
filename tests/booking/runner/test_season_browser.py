"""Issue 14's "done when", in a real browser on a 375 px phone, in English and Spanish:
a runner logs a marathon abroad (New York) three weeks out, sees which booked session now
clashes, moves it in one tap, and books the proposed season plan around the race.
Screenshots in test-artifacts/season-*.png."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from booking.engine import conflicts
from booking.models import Session
from clinic.services import clinic_seed_race_rules
from devtools.factories import (
    ClinicFactory,
    RunnerFactory,
    ServiceFactory,
    SessionFactory,
    TherapistFactory,
    UserFactory,
)
from runners.models import Race
from tests.booking.runner.test_browser_flow import log_in
from tests.support.browser import AXE, axe_serious

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MADRID = ZoneInfo("Europe/Madrid")
PHONE = {"width": 375, "height": 812}

T = {
    "en": {
        "clash": "It clashes with booked sessions",
        "plan": "Plan my season",
        "before": "Your last unloading massage before NYC Marathon",
        "book_all": "Book all",
    },
    "es": {
        "clash": "Choca con sesiones reservadas",
        "plan": "Planifica tu temporada",
        "before": "Tu último masaje de descarga antes de NYC Marathon",
        "book_all": "Reservar todas",
    },
}


@pytest.fixture
def season(transactional_db):
    clinic = ClinicFactory(name="Fisio Running Madrid", slug="madrid", timezone="Europe/Madrid")
    clinic_seed_race_rules(clinic=clinic)  # a marathon: 4 rest days before, 3 after
    service = ServiceFactory(clinic=clinic, name="Unloading massage", duration_minutes=60)
    ServiceFactory(clinic=clinic, name="Recovery massage", duration_minutes=30, kind="recovery")
    therapist = TherapistFactory(clinic=clinic, display_name="Lucía Martín")
    return clinic, service, therapist


def _race_sunday() -> datetime:
    """The Sunday about three weeks out."""
    day = timezone.localdate(timezone.now(), MADRID) + timedelta(days=21)
    return day + timedelta(days=(6 - day.weekday()))


def journey(page, artifacts, *, lang, season, email):
    clinic, service, therapist = season
    t = T[lang]
    race_day = _race_sunday()
    runner = RunnerFactory(
        clinic=clinic, user=UserFactory(email=email, first_name="Ana", language=lang)
    )
    # Booked earlier: the Friday before the race, 18:00 in Madrid.
    friday = SessionFactory(
        runner=runner,
        therapist=therapist,
        service=service,
        start=datetime.combine(race_day - timedelta(days=2), time(18), tzinfo=MADRID),
    )
    page.goto("/")
    if lang == "es":
        page.select_option("#language-select", "es")
        page.locator("form.lang-switch button[type=submit]").click()
        page.wait_for_selector("html[lang=es]")
    log_in(page, email)
    page.set_viewport_size(PHONE)  # on the phone from here (the language menu is wider)
    # 1. Log the marathon abroad: 09:10 in New York.
    page.goto("/races/add/")
    page.fill("#id_name", "NYC Marathon")
    page.fill("#id_start", f"{race_day.isoformat()}T09:10")
    page.select_option("#id_timezone", "America/New_York")
    page.fill("#id_distance_km", "42.195")
    page.fill("#id_duration", "4:30")
    page.select_option("#id_priority", "A")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/races/")
    race = Race.objects.get(runner=runner)
    assert race.timezone == "America/New_York"
    assert race.start == datetime.combine(race_day, time(9, 10), tzinfo=ZoneInfo(race.timezone))
    # 2. The race log says which booked session clashes.
    clash = page.locator("#upcoming-races .race-conflict")
    assert t["clash"] in clash.inner_text()
    page.screenshot(path=str(artifacts / f"season-1-race-log-{lang}.png"), full_page=True)
    # 3. One tap to the session, one tap on a time that fits, then confirm.
    clash.locator("a").first.click()
    page.wait_for_url(f"**/sessions/{friday.pk}/")
    moves = page.locator(".race-conflict a.button")
    assert moves.count() == 3
    page.screenshot(path=str(artifacts / f"season-2-session-{lang}.png"), full_page=True)
    moves.first.click()
    page.locator("#confirm-move").click()
    page.wait_for_url(f"**/sessions/{friday.pk}/**")
    friday.refresh_from_db()
    assert friday.status == Session.Status.BOOKED
    assert conflicts.conflicts_for_sessions([friday])[friday.pk] == []
    # 4. The season plan, from the menu, around the race; booked in one tap.
    page.goto("/races/")
    page.locator("#plan-link").click()
    page.wait_for_url("**/plan/")
    assert page.locator("h1").inner_text() == t["plan"]
    proposals = page.locator(".proposal")
    assert proposals.count() >= 3
    assert page.locator("input[name=pick]:checked").count() == proposals.count()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(artifacts / f"season-3-plan-{lang}.png"), full_page=True)
    if AXE.exists():  # make browser-deps
        assert axe_serious(page) == []
    offered = proposals.count()
    page.locator("#book-all").click()
    page.wait_for_selector(".plan-result")
    page.screenshot(path=str(artifacts / f"season-4-booked-{lang}.png"), full_page=True)
    booked = Session.objects.filter(runner=runner, status=Session.Status.BOOKED)
    assert booked.count() == offered + 1
    assert page.locator(".plan-result li.ok").count() == offered
    # Around the race: nothing booked clashes with it.
    found = conflicts.conflicts_for_sessions(booked)
    assert all(v == [] for v in found.values())
    return runner


def test_a_runner_plans_the_season_around_a_marathon_abroad(page, artifacts, season):
    journey(page, artifacts, lang="en", season=season, email="ana@runner.test")
    assert not page.js_errors


def test_the_same_in_spanish(page, artifacts, season):
    journey(page, artifacts, lang="es", season=season, email="ana.es@runner.test")
    assert not page.js_errors
