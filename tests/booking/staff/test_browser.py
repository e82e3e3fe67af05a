"""In headless Chromium: today's agenda on a phone, and marking attendance."""

from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from booking.models import Session
from devtools.factories import RaceFactory, SessionFactory

pytestmark = [pytest.mark.browser, pytest.mark.postgres]

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def browser_page(live_server, monkeypatch):
    # Playwright's sync API runs an event loop in this thread; the ORM calls the test makes
    # around it are ordinary synchronous ones. Scoped to the test (monkeypatch), so that no
    # later subprocess (e.g. `check --deploy`) inherits it.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=LAUNCH_ARGS)
        context = browser.new_context(viewport={"width": 375, "height": 800}, locale="en-GB")
        yield context
        context.close()
        browser.close()


def _login(context, live_server, user):
    client = Client()
    client.force_login(user)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


@pytest.mark.django_db(transaction=True)
def test_agenda_and_marking_attendance_on_a_phone(
    browser_page, live_server, therapist, service, bob
):
    ARTIFACTS.mkdir(exist_ok=True)
    # A session that has just begun, on today's agenda: five minutes ago, or the clinic's
    # midnight when that is later (just after midnight, five minutes ago is yesterday).
    now = timezone.now().replace(second=0, microsecond=0)
    tz = therapist.clinic.tz
    midnight = datetime.combine(now.astimezone(tz).date(), time(0), tzinfo=tz)
    start = max(now - timedelta(minutes=5), midnight)
    session = SessionFactory(
        therapist=therapist, service=service, runner=bob, start=start, discomfort_areas=["legs"]
    )
    RaceFactory(runner=bob, name="Valencia Marathon", start=start + timedelta(days=9))
    _login(browser_page, live_server, therapist.user)
    page = browser_page.new_page()
    page.goto(f"{live_server.url}/staff/")
    page.wait_for_url("**/staff/agenda/")
    assert page.get_by_role("heading", name="Bob Runner").is_visible()
    assert page.get_by_text("Valencia Marathon in 9 days").is_visible()
    assert page.get_by_text("Bob's private knee note").is_visible()
    # Usable at 375 px: nothing wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=str(ARTIFACTS / "staff-agenda-375.png"), full_page=True)

    page.get_by_role("link", name="Mark attendance").click()
    page.get_by_label("Attended", exact=True).check()
    page.get_by_label("Calves").select_option("left")
    page.get_by_label("Glutes").select_option("both")
    page.get_by_label("Closed with joint mobilisation and stretching").check()
    page.get_by_label("Note").fill("Calves tight; easy run tomorrow")
    page.get_by_role("button", name="Save attendance").click()
    page.wait_for_url("**/staff/agenda/**")
    assert page.get_by_text("Attendance saved.").is_visible()
    page.screenshot(path=str(ARTIFACTS / "staff-attendance-saved-375.png"), full_page=True)

    session.refresh_from_db()
    assert session.status == Session.Status.ATTENDED
    # Pre-set from Bob's discomfort (legs: the leg muscle groups), calves changed to left.
    assert session.areas_treated == {
        "quadriceps": "both",
        "hamstrings": "both",
        "calves": "left",
        "glutes": "both",
    }
    assert session.mobilisation_done is True
    assert session.events.filter(kind="attended", by=therapist.user).exists()


@pytest.mark.django_db(transaction=True)
def test_working_hours_error_is_shown_next_to_the_day(browser_page, live_server, therapist):
    _login(browser_page, live_server, therapist.user)
    page = browser_page.new_page()
    page.goto(f"{live_server.url}/staff/schedule/")
    # Tuesday's hours are time fields: 09:00-14:00, 15:00-20:00 and an empty pair.
    page.get_by_label("Until · Tuesday 2").fill("16:00")
    page.get_by_label("From · Tuesday 2").fill("13:00")
    page.get_by_role("button", name="Save working hours").click()
    # is_visible() does not wait: let the form's answer arrive first.
    page.get_by_text("Tuesday: 09:00–14:00 and 13:00–16:00 overlap.").wait_for()
    assert page.get_by_text("Tuesday: 09:00–14:00 and 13:00–16:00 overlap.").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


@pytest.mark.django_db(transaction=True)
def test_dashboard_charts_fit_a_phone(browser_page, live_server, clinic_admin, therapist, service):
    ARTIFACTS.mkdir(exist_ok=True)
    now = timezone.now().replace(second=0, microsecond=0)
    for days, status in [
        (3, "attended"),
        (10, "no_show"),
        (17, "attended"),
        (24, "late_cancelled"),
    ]:
        SessionFactory(
            therapist=therapist, service=service, start=now - timedelta(days=days), status=status
        )
    _login(browser_page, live_server, clinic_admin)
    page = browser_page.new_page()
    page.goto(f"{live_server.url}/staff/reports/")
    assert page.get_by_role("img", name="Sessions by outcome").is_visible()
    assert page.get_by_role("img", name="Attendance rate").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=str(ARTIFACTS / "staff-dashboard-375.png"), full_page=True)
