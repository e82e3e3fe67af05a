"""The month view of the picker: the days with free times, closed and race-blocked days
marked, each day a plain link to its times, in a fixed number of queries."""

from datetime import date, timedelta
from decimal import Decimal
from html import unescape
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from devtools.factories import RaceFactory, SessionFactory, TherapistFactory
from tests.support.page_fixtures import local

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("engine", "clock")]

# NOW is Monday 2 March 2026, 08:00 in Madrid; the therapist works Mon-Fri 09-14, 15-20.


def month_url(service, **params):
    return f"{reverse('booking:book_month', args=[service.pk])}?{urlencode(params)}"


def cells(html: str) -> dict[str, str]:
    """Each linked day's markup by its ISO date."""
    table = html.split('class="month"')[1].split("</table>")[0]
    return {c.split('"')[0]: c.split("</a>")[0] for c in table.split("day=")[1:]}


@pytest.fixture
def race_on_tuesday_10(alice):
    start = local(date(2026, 3, 10), 9)
    return RaceFactory(
        runner=alice,
        name="City 10K",
        start=start,
        finish=start + timedelta(hours=1),
        distance_km=Decimal("10"),
    )


def test_the_month_marks_free_closed_full_and_race_days(
    persona, bob, service, therapist, race_on_tuesday_10
):
    thursday = date(2026, 3, 5)
    for hour in (*range(9, 14), *range(15, 20)):
        SessionFactory(
            runner=bob, therapist=therapist, service=service, start=local(thursday, hour)
        )
    response = persona("alice").page.get(month_url(service, therapist=therapist.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert "March 2026" in html
    days = cells(html)
    assert "2026-03-01" not in days  # yesterday: shown, not a link
    assert "mday free" in days["2026-03-04"] and "34 free times" in days["2026-03-04"]
    assert "mday closed" in days["2026-03-07"] and "mday closed" in days["2026-03-08"]
    assert "mday full" in days["2026-03-05"]
    # The day before race day must stay a rest day: blocked by the race, not "full".
    assert "mday blocked" in days["2026-03-09"] and "blocked by your race" in days["2026-03-09"]
    link = unescape(html.split("day=2026-03-04")[0].rsplit('href="', 1)[1])
    assert link.startswith(reverse("booking:book_slots", args=[service.pk]))
    # The day's link opens the picker on that day.
    day_page = persona("alice").page.get(f"{link}day=2026-03-04").content.decode()
    assert "Wednesday 4 March" in day_page


def test_the_picker_links_to_its_month_and_the_month_moves_on(persona, service, therapist):
    slots = reverse("booking:book_slots", args=[service.pk])
    html = persona("alice").page.get(f"{slots}?therapist={therapist.pk}").content.decode()
    assert "See the whole month" in html and "month=2026-03" in html
    html = persona("alice").page.get(month_url(service, therapist=therapist.pk)).content.decode()
    assert "Previous month" not in html  # nothing to book before this month
    assert "month=2026-04" in html
    april = persona("alice").page.get(month_url(service, therapist="any", month="2026-04"))
    assert "April 2026" in april.content.decode()
    assert "mday free" in cells(april.content.decode())["2026-04-01"]


def test_a_month_out_of_reach_or_malformed_is_clamped(persona, service, clinic):
    page = persona("alice").page
    assert "March 2026" in page.get(month_url(service, month="2025-01")).content.decode()
    assert "March 2026" in page.get(month_url(service, month="garbage")).content.decode()
    last = date(2026, 3, 2) + timedelta(days=clinic.max_days_ahead)
    far = page.get(month_url(service, month="2031-01")).content.decode()
    assert f"{last:%B %Y}" in far and "Next month" not in far
    assert page.get(month_url(service, therapist="x")).status_code == 404


def test_the_month_in_spanish(es_client, service, therapist):
    html = es_client.get(month_url(service, therapist=therapist.pk)).content.decode()
    assert "marzo de 2026" in html and ">cerrado<" in html
    assert "Elige un día" in html


def test_the_month_reads_a_fixed_number_of_queries(
    persona, alice, service, clinic, django_assert_max_num_queries
):
    page = persona("alice").page
    page.get(month_url(service))  # session and caches warm
    for _ in range(4):
        TherapistFactory(clinic=clinic)
    for i in range(5):
        RaceFactory(runner=alice, start=local(date(2026, 3, 12 + i), 18))
    with django_assert_max_num_queries(16):
        response = page.get(month_url(service, therapist="any"))
    assert response.status_code == 200


def test_another_runner_cannot_see_the_month_as_staff(persona, service):
    assert persona("therapist").page.get(month_url(service)).status_code in (302, 403)


def test_the_move_has_its_month_too_and_the_session_does_not_block_itself(
    persona, alice, bob, service, therapist
):
    # Alice's session is Wednesday's only booking; Bob cannot see or use her month.
    session = SessionFactory(
        runner=alice, therapist=therapist, service=service, start=local(date(2026, 3, 4), 10)
    )
    move = reverse("booking:session_reschedule", args=[session.pk])
    html = persona("alice").page.get(move).content.decode()
    month = reverse("booking:session_reschedule_month", args=[session.pk])
    assert f'href="{month}?' in html
    html = persona("alice").page.get(month).content.decode()
    days = cells(html)
    assert "34 free times" in days["2026-03-04"]  # its own hour is free for the move
    assert unescape(html).count(f'href="{move}?') >= 20  # each day opens the move's picker
    assert persona("bob").page.get(month).status_code == 404


def test_a_day_with_the_runners_own_session_is_not_called_a_race_day(
    persona, alice, service, therapist
):
    SessionFactory(
        runner=alice, therapist=therapist, service=service, start=local(date(2026, 3, 11), 10)
    )
    day = cells(persona("alice").page.get(month_url(service)).content.decode())["2026-03-11"]
    assert "mday blocked" not in day and "race" not in day
