"""The picker a runner meets first: it opens on the first day with free times, tells a
closed day from a full one, warns about a blocked time opened directly, and a refusal
names the time that was refused."""

from datetime import date, timedelta
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from devtools.factories import RaceFactory, SessionFactory, TimeOffFactory
from tests.support.page_fixtures import local

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("engine", "clock")]

# NOW is Monday 2 March 2026, 08:00 in Madrid; the therapist works Mon-Fri 09-14, 15-20.
RACE_DAY = date(2026, 3, 10)
MORNING_AFTER = date(2026, 3, 11)


def slots_url(service, **params):
    return f"{reverse('booking:book_slots', args=[service.pk])}?{urlencode(params)}"


def confirm_url(service, start, therapist):
    query = urlencode({"start": start.isoformat(), "therapist": therapist.pk})
    return f"{reverse('booking:book_confirm', args=[service.pk])}?{query}"


@pytest.fixture
def race(alice):
    start = local(RACE_DAY, 9)
    return RaceFactory(
        runner=alice,
        name="City 10K",
        start=start,
        finish=start + timedelta(hours=1),
        distance_km=Decimal("10"),
    )


def selected_day(html: str) -> str:
    return html.split('aria-current="date"')[0].rsplit('href="', 1)[1].split('"')[0]


def test_the_picker_opens_on_the_first_day_with_free_times(persona, service, therapist):
    # Away Monday and Tuesday: the page opens on Wednesday, the strip still from today.
    TimeOffFactory(
        therapist=therapist, start=local(date(2026, 3, 2), 0), end=local(date(2026, 3, 4), 0)
    )
    html = persona("alice").page.get(slots_url(service, therapist=therapist.pk)).content.decode()
    assert "day=2026-03-04" in selected_day(html)
    assert "Wednesday 4 March" in html
    assert "day=2026-03-02" in html  # today is still in the strip
    assert 'class="slot' in html and "No free times this day." not in html


def test_the_picker_looks_past_the_strip_for_the_first_free_day(persona, service, therapist):
    TimeOffFactory(
        therapist=therapist, start=local(date(2026, 3, 2), 0), end=local(date(2026, 3, 17), 0)
    )
    html = persona("alice").page.get(slots_url(service, therapist=therapist.pk)).content.decode()
    assert "day=2026-03-17" in selected_day(html)
    assert "Tuesday 17 March" in html and 'class="slot' in html


def test_a_chosen_day_is_kept_even_without_free_times(persona, service, therapist):
    html = (
        persona("alice")
        .page.get(slots_url(service, therapist=therapist.pk, day="2026-03-07"))
        .content.decode()
    )
    assert "day=2026-03-07" in selected_day(html)
    assert "No free times this day." in html and "Next day with free times" in html


def test_a_closed_weekend_reads_closed_and_a_booked_up_day_full(persona, bob, service, therapist):
    thursday = date(2026, 3, 5)
    for hour in (*range(9, 14), *range(15, 20)):
        SessionFactory(
            runner=bob, therapist=therapist, service=service, start=local(thursday, hour)
        )
    html = (
        persona("alice")
        .page.get(slots_url(service, therapist=therapist.pk, day="2026-03-02"))
        .content.decode()
    )
    strip = html.split('class="day-strip"')[1].split("</nav>")[0]
    cells = {c.split('"')[0]: c for c in strip.split("day=")[1:]}
    assert "closed" in cells["2026-03-07"] and "closed" in cells["2026-03-08"]
    assert ">full<" in cells["2026-03-05"] and "closed" not in cells["2026-03-05"]
    assert "free" in cells["2026-03-04"]


def test_the_strip_says_closed_in_spanish(es_client, service, therapist):
    html = es_client.get(
        slots_url(service, therapist=therapist.pk, day="2026-03-02")
    ).content.decode()
    assert ">cerrado<" in html


def test_a_blocked_time_opened_directly_says_why_before_confirming(
    persona, service, therapist, race
):
    start = local(MORNING_AFTER, 9)
    html = persona("alice").page.get(confirm_url(service, start, therapist)).content.decode()
    warning = html.split('id="blockers"')[1].split("</div>")[0]
    assert "Wednesday 11 March, 09:00 cannot be booked" in warning
    assert "Too soon after City 10K: allow 24 h after a race" in warning
    # A free time opened the same way has no warning.
    free = local(MORNING_AFTER, 11)
    html = persona("alice").page.get(confirm_url(service, free, therapist)).content.decode()
    assert 'id="blockers"' not in html


def test_a_refusal_names_the_refused_time(persona, service, therapist, race):
    response = persona("alice").page.post(
        reverse("booking:book_confirm", args=[service.pk]),
        {"start": local(MORNING_AFTER, 9).isoformat(), "therapist": therapist.pk},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "You asked for Wednesday 11 March, 09:00." in html


def test_a_refusal_names_the_refused_time_in_spanish(es_client, service, therapist, race):
    response = es_client.post(
        reverse("booking:book_confirm", args=[service.pk]),
        {"start": local(MORNING_AFTER, 9).isoformat(), "therapist": therapist.pk},
    )
    assert "Pediste el miércoles 11 de marzo, 09:00." in response.content.decode()
