"""In Chromium, English and Spanish, at 375 px and 1280 px: a therapist runs the day from
the calendar. Books a walk-in from a free time (adding the runner on the spot), moves a
session to a colleague (dragging it on a wide screen, from its page on a phone), adds time
off and moves what is in the way. Screens into test-artifacts/screens/ (staff-cal-*)."""

from datetime import datetime, time, timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from booking.models import Session
from clinic.models import TimeOff
from devtools.factories import RunnerFactory, ServiceFactory, SessionFactory, TherapistFactory
from runners.models import Runner
from tests.support.browser import *  # noqa: F403 (Chromium, the page, artifacts)
from tests.support.browser import axe_serious

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LANGS = ("en", "es")
WIDTHS = (375, 1280)


@pytest.fixture
def day_world(clinic, therapist):
    """Lucía and her colleague Marta; the day: the next Monday to Thursday at least two days
    ahead (so the next day is a working day too), in the clinic's time."""
    ServiceFactory(clinic=clinic, name="Unloading massage", duration_minutes=60)
    marta = TherapistFactory(clinic=clinic, display_name="Marta Ruiz")
    day = timezone.now().astimezone(clinic.tz).date() + timedelta(days=2)
    while day.weekday() > 3:
        day += timedelta(days=1)
    return therapist, marta, day


def _at(day, hour, tz):
    return datetime.combine(day, time(hour), tzinfo=tz)


def _sign_in(page, live_server, user, lang):
    user.language = lang
    user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": client.cookies["sessionid"].value,
                "url": live_server.url,
            },
            {"name": "django_language", "value": lang, "url": live_server.url},
        ]
    )


def _check_screen(page, shots, name, width):
    assert page.evaluate("document.documentElement.scrollWidth") <= width, name
    assert axe_serious(page) == [], name
    page.screenshot(path=str(shots / f"staff-cal-{name}.png"), full_page=True)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", LANGS)
def test_a_therapist_books_a_walk_in_from_a_free_time(
    page, live_server, artifacts, day_world, lang, width
):
    lucia, marta, day = day_world
    tz = lucia.clinic.tz
    SessionFactory(therapist=lucia, start=_at(day, 10, tz))
    SessionFactory(therapist=marta, start=_at(day, 12, tz))
    shots = artifacts / "screens"
    shots.mkdir(exist_ok=True)
    page.set_viewport_size({"width": width, "height": 900})
    _sign_in(page, live_server, lucia.user, lang)
    page.goto(f"/staff/calendar/?date={day.isoformat()}")
    _check_screen(page, shots, f"day-{lang}-{width}", width)
    with translation.override(lang):
        free = _("free, book with %(name)s") % {"name": "Lucía Martín"}
        added_text = _("%(name)s added; they get an e-mail to choose a password. Now book.")
        booked = _("Session booked; the runner gets an e-mail.")
        add_them = _("A new runner? Add them now")
    page.get_by_role("link", name=f"16:00 · {free}").click()
    page.wait_for_url("**/staff/sessions/new/**")
    page.get_by_text(add_them).click()
    page.locator("[name=new-first_name]").fill("Nuria")
    page.locator("[name=new-last_name]").fill("Walk-in")
    page.locator("[name=new-email]").fill(f"nuria.{lang}.{width}@runners.test")
    page.locator("[name=new-phone]").fill("600 123 456")
    page.locator("[name=new-language]").select_option(lang)
    page.locator("[name=new-consent]").check()
    _check_screen(page, shots, f"walk-in-form-{lang}-{width}", width)
    page.locator("form:has([name=new-email]) button[type=submit]").click()
    page.get_by_text(added_text % {"name": "Nuria Walk-in"}).wait_for()
    # The runner found and chosen, the time kept: one tap to book.
    assert page.locator("[name=runner]:checked").count() == 1
    assert page.locator("#id_start").input_value() == f"{day.isoformat()}T16:00"
    page.locator("form:has([name=runner]) button[type=submit]").click()
    page.wait_for_url("**/staff/calendar/**")
    page.get_by_text(booked).wait_for()
    assert page.get_by_role("link", name="16:00–17:00 Nuria Walk-in").is_visible()
    _check_screen(page, shots, f"walk-in-booked-{lang}-{width}", width)
    runner = Runner.objects.get(user__email=f"nuria.{lang}.{width}@runners.test")
    assert runner.consent_recorded_by == lucia.user and runner.user.language == lang
    assert Session.objects.get(runner=runner).start == _at(day, 16, tz)
    invite = next(m for m in mail.outbox if m.to == [runner.user.email] and "password" in m.body)
    assert "/accounts/password/reset/key/" in invite.body


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", LANGS)
def test_a_therapist_moves_a_session_to_a_colleague(
    page, live_server, artifacts, day_world, lang, width
):
    lucia, marta, day = day_world
    tz = lucia.clinic.tz
    runner = RunnerFactory(clinic=lucia.clinic, user__first_name="Pablo", user__last_name="Mora")
    session = SessionFactory(therapist=lucia, runner=runner, start=_at(day, 10, tz))
    shots = artifacts / "screens"
    shots.mkdir(exist_ok=True)
    page.set_viewport_size({"width": width, "height": 900})
    _sign_in(page, live_server, lucia.user, lang)
    page.goto(f"/staff/calendar/?date={day.isoformat()}")
    with translation.override(lang):
        moved = _("Session moved; the runner gets an e-mail.")
    if width >= 900:
        # Drag the session onto Marta's free 11:00.
        target = page.locator(
            f'.cal-free[data-therapist="{marta.pk}"][data-start="{day.isoformat()}T11:00"]'
        )
        page.locator(".cal-session[data-move]").drag_to(target)
        page.wait_for_url("**/staff/calendar/**")
    else:
        # On a phone: open the session, its move form.
        page.get_by_role("link", name="10:00–11:00 Pablo Mora").click()
        page.wait_for_url(f"**/staff/sessions/{session.pk}/")
        page.locator(f"[name=s{session.pk}-start]").fill(f"{day.isoformat()}T11:00")
        page.locator(f"[name=s{session.pk}-therapist]").select_option(str(marta.pk))
        page.locator(f"form:has([name=s{session.pk}-start]) button[type=submit]").click()
    page.get_by_text(moved).wait_for()
    session.refresh_from_db()
    assert (session.therapist, session.start) == (marta, _at(day, 11, tz))
    page.goto(f"/staff/calendar/?date={day.isoformat()}")
    marta_column = page.locator("section.cal-col", has_text="Marta Ruiz")
    assert marta_column.get_by_role("link", name="11:00–12:00 Pablo Mora").is_visible()
    _check_screen(page, shots, f"moved-{lang}-{width}", width)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", LANGS)
def test_a_therapist_adds_time_off_and_moves_what_is_in_the_way(
    page, live_server, artifacts, day_world, lang, width
):
    lucia, _marta, day = day_world
    tz = lucia.clinic.tz
    runner = RunnerFactory(clinic=lucia.clinic, user__first_name="Irene", user__last_name="Sanz")
    session = SessionFactory(therapist=lucia, runner=runner, start=_at(day, 11, tz))
    shots = artifacts / "screens"
    shots.mkdir(exist_ok=True)
    page.set_viewport_size({"width": width, "height": 900})
    _sign_in(page, live_server, lucia.user, lang)
    page.goto("/staff/schedule/time-off/")
    page.locator("[name=start_date]").fill(day.isoformat())
    page.locator("[name=end_date]").fill(day.isoformat())
    page.locator("[name=reason]").fill("Congreso")
    page.locator("form:has([name=start_date]) button[type=submit]").click()
    page.wait_for_url("**/staff/schedule/in-the-way/**")
    with translation.override(lang):
        moved = _("Session moved; the runner gets an e-mail.")
        all_day = _("Time off, all day")
    assert page.locator("h2", has_text="Irene Sanz").is_visible()
    _check_screen(page, shots, f"in-the-way-{lang}-{width}", width)
    next_day = day + timedelta(days=1)
    page.locator(f"[name=s{session.pk}-start]").fill(f"{next_day.isoformat()}T11:00")
    page.locator(f"form:has([name=s{session.pk}-start]) button[type=submit]").first.click()
    page.get_by_text(moved).wait_for()
    session.refresh_from_db()
    assert session.start == _at(next_day, 11, tz)
    assert TimeOff.objects.filter(therapist=lucia, reason="Congreso").exists()
    # The calendar shows the day off, and the session on the next day.
    page.goto(f"/staff/calendar/week/?date={day.isoformat()}")
    assert page.get_by_text(f"{all_day} · Congreso").is_visible()
    assert page.get_by_role("link", name="11:00–12:00 Irene Sanz").is_visible()
    _check_screen(page, shots, f"week-time-off-{lang}-{width}", width)
