"""A runner joins the waitlist and claims a freed time, in real Chromium at 375 px, in
English and in Spanish: the form, the e-mail's one-click link, the claim. Screenshots in
test-artifacts/screens/."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone

from booking.engine.services import session_book, session_cancel
from booking.models import FreedTime, Session, WaitlistEntry
from booking.reminders import tasks
from devtools.factories import (
    PASSWORD,
    ClinicFactory,
    RunnerFactory,
    ServiceFactory,
    TherapistFactory,
    UserFactory,
)
from tests.support.browser import *  # noqa: F403

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MADRID = ZoneInfo("Europe/Madrid")

T = {
    "en": {
        "join": "Join the waitlist",
        "joined": "You are on the waitlist",
        "claim": "Claim this time",
        "claimed": "It is yours: your massage is booked",
        "subject": "A time you waited for is free",
    },
    "es": {
        "join": "Apuntarme a la lista de espera",
        "joined": "Estás en la lista de espera",
        "claim": "Quiero esta hora",
        "claimed": "Es tuya: tu masaje está reservado",
        "subject": "Se ha liberado una hora que esperabas",
    },
}


@pytest.fixture
def setup(transactional_db):
    clinic = ClinicFactory(name="Fisio Running Madrid", slug="madrid")
    service = ServiceFactory(clinic=clinic, name="Unloading massage", duration_minutes=60)
    therapist = TherapistFactory(clinic=clinic, display_name="Lucía Martín")
    return clinic, service, therapist


def a_weekday_ahead():
    day = timezone.localdate(timezone.now(), MADRID) + timedelta(days=3)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_runner_joins_the_waitlist_and_claims_a_freed_time(page, setup, artifacts, lang):
    clinic, service, therapist = setup
    t = T[lang]
    shots = artifacts / "screens"
    shots.mkdir(exist_ok=True)
    runner = RunnerFactory(
        clinic=clinic, user=UserFactory(email=f"wait-{lang}@runner.test", language=lang)
    )
    holder = RunnerFactory(clinic=clinic, user=UserFactory(email=f"holder-{lang}@runner.test"))
    day = a_weekday_ahead()
    start = timezone.make_aware(
        timezone.datetime.combine(day, timezone.datetime.min.time()), MADRID
    ) + timedelta(hours=18)
    held = session_book(
        runner=holder, service=service, therapist=therapist, start=start, by=holder.user
    )

    page.goto("/accounts/login/")
    if lang == "es":
        page.select_option("#language-select", "es")
        page.locator("form.lang-switch button[type=submit]").click()
        page.wait_for_selector("html[lang=es]")
    page.set_viewport_size({"width": 375, "height": 812})
    page.fill("#id_login", runner.user.email)
    page.fill("#id_password", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)

    # 1. Join: weekday evenings, from today to the day of the held session.
    page.goto("/waitlist/")
    page.select_option("#id_service", str(service.pk))
    page.fill("#id_last_day", day.isoformat())
    page.fill("#id_earliest", "17:00")
    page.fill("#id_latest", "20:00")
    page.get_by_role("button", name=t["join"]).click()
    page.wait_for_selector(".messages")
    assert t["joined"] in page.inner_text(".messages")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=str(shots / f"waitlist-joined-{lang}.png"), full_page=True)
    assert WaitlistEntry.objects.filter(runner=runner, left_at__isnull=True).count() == 1

    # 2. The holder cancels: the freed time is offered (what the worker runs).
    session_cancel(session=held, by=holder.user)
    freed = FreedTime.objects.get(reason="cancelled")
    assert tasks.run_waitlist_offer(freed.pk) == []
    (offer_mail,) = [m for m in mail.outbox if m.to == [runner.user.email]]
    assert offer_mail.subject.startswith(t["subject"])
    link = re.search(r"https?://\S+(/reminders/offer/\S+/)", offer_mail.body)[1]

    # 3. One click from the e-mail, then claim.
    page.goto(link)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=str(shots / f"waitlist-offer-{lang}.png"), full_page=True)
    page.get_by_role("button", name=t["claim"]).click()
    page.wait_for_selector("[role=status]")
    assert t["claimed"] in page.inner_text("h1")
    page.screenshot(path=str(shots / f"waitlist-claimed-{lang}.png"), full_page=True)
    booked = Session.objects.get(runner=runner)
    assert booked.start == start and booked.status == "booked"
    assert WaitlistEntry.objects.get(runner=runner).left_reason == "booked"
    assert page.js_errors == []
