"""The therapist sees the season (issue 14): on the agenda and the session page, the
runner's races of the last 7 days and the next 60, the race a session clashes with, and
the runner's previous session records."""

import pytest
from django.urls import reverse

from devtools.factories import RaceFactory, ServiceFactory, SessionFactory
from tests.booking.staff.conftest import at

pytestmark = pytest.mark.django_db

NOW = at(2026, 11, 18, 9)  # Wednesday


@pytest.mark.clock(NOW)
def test_the_session_page_shows_the_season_and_previous_records(
    persona, therapist, bob, make_session, django_assert_max_num_queries
):
    make_session(
        at(2026, 10, 20, 10),
        runner=bob,
        status="attended",
        areas_treated={"calves": "left", "plantar_fascia": "both"},
        discomfort_before=7,
        discomfort_after=3,
        mobilisation_done=True,
        therapist_note="Tight calves after the half",
    )
    make_session(
        at(2026, 11, 3, 10),
        runner=bob,
        status="attended",
        areas_treated={"it_band": "right"},
        therapist_note="IT band before the 10K",
    )
    s = make_session(at(2026, 11, 18, 10), runner=bob)
    RaceFactory(runner=bob, name="Cross de Itálica", start=at(2026, 11, 14, 10))  # 4 days ago
    RaceFactory(runner=bob, name="Valencia Marathon", start=at(2026, 12, 6, 8, 30))  # in 18
    RaceFactory(runner=bob, name="Far away", start=at(2027, 3, 1, 9))  # beyond 60 days
    RaceFactory(runner=bob, name="Long ago", start=at(2026, 10, 1, 9))  # before the week
    client = persona("therapist").page
    with django_assert_max_num_queries(16):
        html = client.get(reverse("staff:session", args=[s.pk])).content.decode()
    assert "Cross de Itálica 4 days ago" in html
    assert "Valencia Marathon in 18 days" in html
    assert "Far away" not in html and "Long ago" not in html
    assert 'id="previous-records"' in html and "Tight calves after the half" in html
    assert "20 Oct 2026" in html
    # Newest first, with sides and the discomfort before and after.
    assert html.index("IT band before the 10K") < html.index("Tight calves after the half")
    assert "Calves (Left), Plantar fascia (Both sides)" in html and "7 → 3 / 10" in html


@pytest.mark.clock(NOW)
def test_previous_records_stay_in_their_clinic(
    persona, therapist, bob, make_session, other_therapist, other_clinic
):
    """Health data: the runner's record at another clinic of the deployment is not
    this clinic's to read."""
    SessionFactory(
        runner=bob,
        therapist=other_therapist,
        service=ServiceFactory(clinic=other_clinic),
        start=at(2026, 11, 4, 10),
        status="attended",
        therapist_note="Recorded at the other clinic",
    )
    make_session(at(2026, 10, 20, 10), runner=bob, status="attended", therapist_note="Ours")
    s = make_session(at(2026, 11, 18, 10), runner=bob)
    html = persona("therapist").page.get(reverse("staff:session", args=[s.pk])).content.decode()
    assert "Ours" in html and "Recorded at the other clinic" not in html


@pytest.mark.clock(NOW)
def test_the_agenda_shows_last_weeks_race_and_the_clash_flag(persona, therapist, bob, make_session):
    make_session(at(2026, 11, 18, 10), runner=bob)
    RaceFactory(runner=bob, name="Cross de Itálica", start=at(2026, 11, 15, 10))
    # Logged after booking: a race tomorrow morning makes today the rest day.
    RaceFactory(runner=bob, name="Behobia", start=at(2026, 11, 19, 10), finish=at(2026, 11, 19, 12))
    html = persona("therapist").page.get(reverse("staff:agenda")).content.decode()
    assert "Cross de Itálica 3 days ago" in html and "Behobia in 1 day" in html
    assert "flagged" in html and "Too close to Behobia" in html


@pytest.mark.clock(NOW)
def test_in_spanish(persona, therapist, bob, make_session):
    s = make_session(at(2026, 11, 18, 10), runner=bob)
    RaceFactory(runner=bob, name="Cross de Itálica", start=at(2026, 11, 14, 10))
    client = persona("therapist").page
    html = client.get(
        reverse("staff:session", args=[s.pk]), HTTP_ACCEPT_LANGUAGE="es"
    ).content.decode()
    assert "Cross de Itálica hace 4 días" in html
