"""Journeys in headless Chromium, in English and Spanish, at 375 px and 1280 px: a
therapist marks three sessions in a row (attended as booked, no-show, a record with sides
and scores); a clinic admin reads the dashboard and reminds an overdue runner. The screens
go to test-artifacts/screens/ (staff-*.png)."""

from datetime import datetime, time, timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from booking.models import Reminder, Session
from devtools.factories import RunnerFactory, SessionFactory, UserFactory
from tests.support.browser import ARTIFACTS, AXE, CHROMIUM_ARGS, axe_serious

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

JOURNEYS = [(lang, width) for lang in ("en", "es") for width in (375, 1280)]


@pytest.fixture
def browser(live_server, monkeypatch):
    # Playwright's sync API runs an event loop in this thread; the ORM calls around it are
    # ordinary synchronous ones (scoped to the test by monkeypatch).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _open(browser, live_server, user, lang: str, width: int):
    """A signed-in page for the user, in their language, at the width."""
    user.language = lang
    user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": width, "height": 812 if width == 375 else 900},
        locale="es-ES" if lang == "es" else "en-GB",
        bypass_csp=AXE.exists(),  # only so that axe can be injected
    )
    context.set_default_timeout(15_000)
    context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": client.cookies["sessionid"].value,
                "url": live_server.url,
            },
            {"name": "django_language", "value": lang, "url": live_server.url},
        ]
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.js_errors = errors
    return page


def _shot(page, name: str, lang: str, width: int) -> None:
    shots = ARTIFACTS / "screens"
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / f"staff-{name}-{width}-{lang}.png"), full_page=True)
    assert page.locator("html").get_attribute("lang") == lang
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{name} is {scroll}px wide at {width}px"


@pytest.mark.parametrize(("lang", "width"), JOURNEYS)
def test_a_therapist_marks_three_sessions_in_a_row(
    browser, live_server, therapist, service, lang, width
):
    tz = therapist.clinic.tz
    yesterday = timezone.now().astimezone(tz).date() - timedelta(days=1)
    names = ("Ana Attended", "Nico Noshow", "Rita Record")
    sessions = []
    for hour, name in zip((10, 11, 12), names, strict=True):
        first, last = name.split()
        runner = RunnerFactory(
            clinic=therapist.clinic,
            user=UserFactory(first_name=first, last_name=last),
            health_notes="Left Achilles: no deep work" if first == "Rita" else "",
        )
        sessions.append(
            SessionFactory(
                runner=runner,
                therapist=therapist,
                service=service,
                start=datetime.combine(yesterday, time(hour), tzinfo=tz),
                discomfort_areas=["legs"],
            )
        )
    # Rita's earlier record, shown beside the form.
    SessionFactory(
        runner=sessions[2].runner,
        therapist=therapist,
        service=service,
        start=datetime.combine(yesterday - timedelta(days=15), time(9), tzinfo=tz),
        status="attended",
        areas_treated={"calves": "left", "plantar_fascia": "left"},
        discomfort_before=8,
        discomfort_after=4,
        therapist_note="Left calf very loaded",
    )
    page = _open(browser, live_server, therapist.user, lang, width)
    page.goto("/staff/agenda/")
    # Today's header counts the sessions not marked yet and links to their day.
    page.locator(".message.warning a").click()
    page.wait_for_url(f"**date={yesterday.isoformat()}**")
    _shot(page, "agenda-unmarked", lang, width)
    if width == 375:
        assert axe_serious(page) == []

    def entry(name):
        return page.locator("li.agenda-item", has_text=name)

    # 1. Attended as booked, one tap.
    entry(names[0]).locator("form:has(input[name=as_booked]) button").click()
    page.wait_for_load_state()
    assert page.locator(".message.success").is_visible()
    # 2. No-show, one tap.
    entry(names[1]).locator("form:has(input[name=quick][value=no_show]) button").click()
    page.wait_for_load_state()
    assert page.locator(".message.success").is_visible()
    # 3. A record: sides, discomfort before and after, a note.
    entry(names[2]).locator("h3 a").click()
    page.wait_for_url(f"**/staff/sessions/{sessions[2].pk}/")
    assert page.locator("#previous-records").get_by_text("Left calf very loaded").is_visible()
    page.locator("input[name=status][value=attended]").check()
    page.locator("#id_side_calves").select_option("left")
    page.locator("#id_side_it_band").select_option("right")
    page.locator("#id_discomfort_before").fill("7")
    page.locator("#id_discomfort_after").fill("3")
    page.locator("#id_mobilisation_done").check()
    page.locator("#id_note").fill("Calves and IT band; easy run tomorrow")
    _shot(page, "session-record", lang, width)
    if width == 375:
        assert axe_serious(page) == []
    page.locator("form.record-form button[type=submit]").click()
    page.wait_for_url("**/staff/agenda/**")
    assert page.locator(".message.success").is_visible()
    assert page.locator(".message.warning").count() == 0  # nothing left unmarked
    _shot(page, "agenda-marked", lang, width)
    assert page.js_errors == []

    statuses = dict(
        Session.objects.filter(pk__in=[s.pk for s in sessions]).values_list("pk", "status")
    )
    assert [statuses[s.pk] for s in sessions] == ["attended", "no_show", "attended"]
    first, second, third = (Session.objects.get(pk=s.pk) for s in sessions)
    legs = {"quadriceps": "both", "hamstrings": "both", "calves": "both"}
    assert first.areas_treated == legs and first.mobilisation_done is True
    assert second.areas_treated == {}
    assert third.areas_treated == legs | {"calves": "left", "it_band": "right"}
    assert (third.discomfort_before, third.discomfort_after) == (7, 3)
    assert third.therapist_note == "Calves and IT band; easy run tomorrow"


@pytest.mark.parametrize(("lang", "width"), JOURNEYS)
def test_an_admin_reads_the_dashboard_and_reminds_an_overdue_runner(
    browser, live_server, clinic, clinic_admin, therapist, service, lang, width
):
    tz = clinic.tz
    today = timezone.now().astimezone(tz).date()
    olga = RunnerFactory(
        clinic=clinic,
        user=UserFactory(first_name="Olga", last_name="Overdue"),
        cadence="fortnightly",
    )
    for weeks, status in enumerate(["attended", "no_show", "attended", "late_cancelled"] * 2):
        SessionFactory(
            runner=RunnerFactory(clinic=clinic),
            therapist=therapist,
            service=service,
            start=datetime.combine(today - timedelta(weeks=weeks, days=1), time(10), tzinfo=tz),
            status=status,
        )
    SessionFactory(
        runner=olga,
        therapist=therapist,
        service=service,
        start=datetime.combine(today - timedelta(days=40), time(9), tzinfo=tz),
        status="attended",
    )
    page = _open(browser, live_server, clinic_admin, lang, width)
    page.goto("/staff/reports/")
    assert page.locator("#counts-h").is_visible() and page.locator("#rate-h").is_visible()
    assert page.locator("svg[aria-labelledby=rate-t] polyline").count() >= 1
    _shot(page, "dashboard", lang, width)
    if width == 375:
        assert axe_serious(page) == []
        # Newest first on a phone: the chart opens on its right end, the newest week seen.
        wrap = page.locator(".chart-wrap").first
        box = wrap.bounding_box()
        last = wrap.locator("svg > text[text-anchor=middle]").last.bounding_box()
        assert box["x"] <= last["x"] and last["x"] + last["width"] <= box["x"] + box["width"]
    # The table too: the newest period on top.
    periods = page.locator("tbody th[scope=row]").all_inner_texts()
    assert len(periods) >= 8 and periods[0] != periods[-1]

    page.locator("main .staff-toolbar a[href^='/staff/reports/adherence/']").click()
    page.wait_for_url("**/staff/reports/adherence/**")
    row = page.locator("tr", has_text="Olga Overdue")
    row.locator("form button").click()
    page.wait_for_load_state()
    assert "Olga Overdue" in page.locator(".message.success").inner_text()
    _shot(page, "adherence-reminded", lang, width)
    if width == 375:
        assert axe_serious(page) == []
    assert [m.to for m in mail.outbox] == [[olga.user.email]]
    # Once per due period: the row now says when, in place of the button.
    row = page.locator("tr", has_text="Olga Overdue")
    assert row.locator(".reminded").is_visible() and row.locator("form").count() == 0
    assert len(mail.outbox) == 1
    assert Reminder.objects.filter(runner=olga, kind="cadence").count() == 1
    assert page.js_errors == []
