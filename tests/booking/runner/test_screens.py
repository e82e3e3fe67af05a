"""Screens worth looking at: every runner page captured at 375 px and 1280 px in English
and Spanish into test-artifacts/screens/, each with no horizontal overflow and no serious
or critical axe finding (WCAG 2.1 A/AA) at either width, the phone menu opened included."""

from datetime import timedelta

import pytest
from django.utils import timezone

from clinic.models import User
from devtools.factories import (
    PASSWORD,
    ClinicFactory,
    RaceFactory,
    RunnerFactory,
    ServiceFactory,
    SessionFactory,
    TherapistFactory,
    UserFactory,
)
from tests.support.browser import axe_serious

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (375, 1280)


@pytest.fixture
def world(transactional_db):
    clinic = ClinicFactory(name="Fisio Running Madrid", slug="madrid", accent_colour="#7a1f5c")
    service = ServiceFactory(
        clinic=clinic, name="Unloading massage", name_es="Masaje de descarga", body_areas=["legs"]
    )
    therapist = TherapistFactory(clinic=clinic, display_name="Lucía Martín")
    runner = RunnerFactory(clinic=clinic, user=UserFactory(email="screens@runner.test"))
    now = timezone.now()
    race = RaceFactory(runner=runner, name="Valencia 10K", start=now + timedelta(days=12))
    upcoming = SessionFactory(
        runner=runner,
        therapist=therapist,
        service=service,
        start=(now + timedelta(days=3)).replace(hour=10, minute=0, second=0, microsecond=0),
    )
    SessionFactory(
        runner=runner,
        therapist=therapist,
        service=service,
        start=now - timedelta(days=20),
        status="attended",
    )
    return service, therapist, upcoming, race


def pages(service, therapist, upcoming, race) -> dict[str, str]:
    start = (upcoming.start + timedelta(days=1)).isoformat().replace("+", "%2B")
    return {
        "home": "/",
        "book": "/book/",
        "pick-a-time": f"/book/{service.pk}/",
        "month": f"/book/{service.pk}/month/",
        "confirm": f"/book/{service.pk}/confirm/?start={start}&therapist={therapist.pk}",
        "booked": f"/sessions/{upcoming.pk}/?booked=1",
        "session": f"/sessions/{upcoming.pk}/",
        "move": f"/sessions/{upcoming.pk}/reschedule/",
        "move-month": f"/sessions/{upcoming.pk}/reschedule/month/",
        "cancel": f"/sessions/{upcoming.pk}/cancel/",
        "my-sessions": "/sessions/",
        "races": "/races/",
        "race-add": "/races/add/",
        "race-edit": f"/races/{race.pk}/edit/",
        "race-import": "/races/import/",
        "plan": "/plan/",
        "profile": "/profile/",
        "calendar-feed": "/calendar/feed/",
        "devices": "/account/devices/",
        "privacy": "/account/privacy/",
        "self-care": "/self-care/",
    }


@pytest.mark.parametrize("lang", ["en", "es"])
def test_every_runner_page_at_two_widths_with_no_overflow_and_no_serious_axe_finding(
    page, live_server, world, artifacts, lang
):
    # Signing in brings back the account's own language.
    User.objects.filter(email="screens@runner.test").update(language=lang)
    shots = artifacts / "screens"
    shots.mkdir(exist_ok=True)
    page.context.add_cookies([{"name": "django_language", "value": lang, "url": live_server.url}])
    found: dict[str, list] = {}
    too_wide: dict[str, int] = {}
    page.set_viewport_size({"width": 375, "height": 812})
    for name, url in (("sign-up", "/accounts/signup/"), ("log-in", "/accounts/login/")):
        page.goto(url)
        page.screenshot(path=str(shots / f"{name}-375-{lang}.png"), full_page=True)
        found[name] = axe_serious(page)
    page.fill("#id_login", "screens@runner.test")
    page.fill("#id_password", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda u: "/accounts/login/" not in u)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 812 if width == 375 else 900})
        for name, url in pages(*world).items():
            page.goto(url)
            assert page.locator("html").get_attribute("lang") == lang
            page.screenshot(path=str(shots / f"{name}-{width}-{lang}.png"), full_page=True)
            scroll = page.evaluate("document.documentElement.scrollWidth")
            if scroll > width:
                too_wide[f"{name}@{width}"] = scroll
            found[f"{name}@{width}"] = axe_serious(page)
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto("/")
    page.locator(".menu-toggle").click()
    page.screenshot(path=str(shots / f"menu-375-{lang}.png"))
    found["menu-open"] = axe_serious(page)
    assert too_wide == {}
    assert {name: v for name, v in found.items() if v} == {}
    assert page.js_errors == []
