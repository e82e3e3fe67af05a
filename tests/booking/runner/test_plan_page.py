"""The "Plan my season" page: the proposals, all ticked, booked in one tap without
JavaScript ("Book all" or "Book selected"), in English and Spanish; the race log and the
race e-mail lead to it; a .ics import of several clashing races sends one e-mail."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from booking.models import Reminder, Session
from booking.runner.plan import parse_choice
from devtools.factories import RaceFactory, SessionFactory
from tests.support.page_fixtures import local

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("engine", "clock")]

# NOW is Monday 2 March 2026, 08:00 in Madrid.
PLAN = "/plan/"
RACE_DAY = date(2026, 3, 22)  # a Sunday, three weeks out


@pytest.fixture
def marathon(alice):
    return RaceFactory(
        runner=alice,
        name="Maratón de Barcelona",
        start=local(RACE_DAY, 8, 30),
        finish=local(RACE_DAY, 12, 30),
        distance_km=Decimal("42.195"),
        priority="A",
    )


def _values(html: str, name: str) -> list[str]:
    import re

    return re.findall(rf'name="{name}" value="([^"]+)"', html)


def test_the_page_has_a_stable_name_and_lists_the_proposals_ticked(
    persona, alice, service, therapist, marathon
):
    assert reverse("booking:plan") == PLAN
    html = persona("alice").page.get(PLAN).content.decode()
    assert "Plan my season" in html
    picks = _values(html, "pick")
    assert picks and picks == _values(html, "offer")
    assert html.count(" checked>") == len(picks)
    assert "Your last unloading massage before Maratón de Barcelona" in html
    assert 'id="book-all"' in html and 'id="book-selected"' in html
    # In the runner's menu.
    assert (
        f'href="{PLAN}"'
        in persona("alice").page.get(reverse("booking:my_sessions")).content.decode()
    )


def test_book_all_in_one_tap(persona, alice, service, therapist, marathon):
    client = persona("alice").page
    html = client.get(PLAN).content.decode()
    token = _values(html, "token")[0]
    offers = _values(html, "offer")
    r = client.post(PLAN, {"book": "all", "offer": offers, "pick": [], "token": token})
    assert r.status_code == 200
    page = r.content.decode()
    assert page.count("booked ·") == len(offers)
    assert Session.objects.filter(runner=alice, status="booked").count() == len(offers)
    # Sent again (back button): nothing booked twice.
    client.post(PLAN, {"book": "all", "offer": offers, "token": token})
    assert Session.objects.filter(runner=alice).count() == len(offers)


def test_book_selected_books_only_the_ticked(persona, alice, service, therapist, marathon):
    client = persona("alice").page
    html = client.get(PLAN).content.decode()
    offers = _values(html, "offer")
    client.post(
        PLAN,
        {
            "book": "selected",
            "offer": offers,
            "pick": offers[:2],
            "token": _values(html, "token")[0],
        },
    )
    starts = sorted(s.start for s in Session.objects.filter(runner=alice))
    assert starts == sorted(parse_choice(v)[2] for v in offers[:2])


def test_nothing_ticked_says_so(persona, alice, service, therapist, marathon):
    r = persona("alice").page.post(PLAN, {"book": "selected", "pick": []}, follow=True)
    assert "Tick at least one session to book." in r.content.decode()
    assert not Session.objects.exists()


def test_a_clashing_session_is_named_on_the_page(persona, alice, service, therapist, marathon):
    session = SessionFactory(
        runner=alice, therapist=therapist, service=service, start=local(date(2026, 3, 21), 10)
    )
    html = persona("alice").page.get(PLAN).content.decode()
    assert 'id="plan-clashes"' in html
    assert reverse("booking:session_detail", args=[session.pk]) in html


def test_in_spanish(es_client, alice, service, therapist, marathon):
    html = es_client.get(PLAN).content.decode()
    assert "Planifica tu temporada" in html and "Reservar todas" in html
    assert "Maratón de Barcelona" in html


def test_the_race_log_leads_to_the_plan(persona, alice, marathon):
    assert f'href="{PLAN}"' in persona("alice").page.get(reverse("runners:races")).content.decode()


ICS = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//y//EN\r\n"
    "BEGIN:VEVENT\r\nUID:a\r\nSUMMARY:Media A\r\nDTSTART;TZID=Europe/Madrid:20260307T090000\r\n"
    "DTEND;TZID=Europe/Madrid:20260307T110000\r\nEND:VEVENT\r\n"
    "BEGIN:VEVENT\r\nUID:b\r\nSUMMARY:10K B\r\nDTSTART;TZID=Europe/Madrid:20260314T090000\r\n"
    "DTEND;TZID=Europe/Madrid:20260314T100000\r\nEND:VEVENT\r\n"
    "END:VCALENDAR\r\n"
)


def test_an_ics_import_of_two_clashing_races_sends_one_email(
    persona, alice, service, therapist, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    for day in (date(2026, 3, 6), date(2026, 3, 13)):  # the Fridays before each race
        SessionFactory(runner=alice, therapist=therapist, service=service, start=local(day, 18))
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = persona("alice").page
    client.post(
        "/races/import/", {"file": SimpleUploadedFile("r.ics", ICS.encode(), "text/calendar")}
    )
    html = client.get("/races/import/preview/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/races/import/preview/", {"pick": _values(html, "pick")})
    assert alice.races.count() == 2
    assert Reminder.objects.filter(kind=Reminder.Kind.RACE_CONFLICT).count() == 1
    (message,) = [m for m in mailoutbox if "clashes" in m.subject]
    assert "Media A" in message.subject and "10K B" in message.subject
    assert message.body.count("/reschedule/confirm/?start=") == 6  # three per session
    assert PLAN in message.body


def test_the_page_reads_in_a_fixed_number_of_queries(
    persona, alice, service, therapist, marathon, django_assert_max_num_queries
):
    SessionFactory(
        runner=alice, therapist=therapist, service=service, start=local(date(2026, 3, 3), 10)
    )
    client = persona("alice").page
    client.get(PLAN)
    with django_assert_max_num_queries(20) as few:
        client.get(PLAN)
    for week in range(1, 6):
        RaceFactory(
            runner=alice,
            priority="A",
            start=local(RACE_DAY, 9) + timedelta(weeks=week),
            finish=local(RACE_DAY, 12) + timedelta(weeks=week),
        )
        SessionFactory(
            runner=alice,
            therapist=therapist,
            service=service,
            start=local(date(2026, 3, 4), 10) + timedelta(weeks=week),
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(PLAN)
