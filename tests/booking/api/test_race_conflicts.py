"""The API on both sides of a race change (issue 14): a race answer carries
`affected_sessions`, a session answer `race_conflicts`; the session stays booked."""

import pytest

from booking.models import Session
from devtools.factories import SessionFactory
from tests.support.api_fixtures import local

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

RACES = "/api/v1/races/"


@pytest.fixture
def friday(alice, service, therapist):
    return SessionFactory(
        runner=alice, therapist=therapist, service=service, start=local(2026, 12, 4, 18)
    )


def test_a_race_logged_later_names_the_sessions_it_clashes_with(persona, friday):
    alice_client = persona("alice").api
    r = alice_client.post(
        RACES,
        {"name": "Media", "start": "2026-12-05T09:00:00+01:00", "distance_km": "21.0975"},
        format="json",
    )
    assert r.status_code == 201, r.json()
    (affected,) = r.json()["affected_sessions"]
    assert affected["session"] == friday.pk and affected["code"] == "too_close_before_race"
    assert affected["start"] == "2026-12-04T18:00:00+01:00" and "Media" in affected["detail"]
    assert Session.objects.get(pk=friday.pk).status == "booked"
    # The session's side.
    session = alice_client.get(f"/api/v1/sessions/{friday.pk}/").json()
    assert session["race_conflicts"] == [
        {
            "effort": "race",
            "race": r.json()["id"],
            "code": "too_close_before_race",
            "detail": affected["detail"],
        }
    ]
    # Moved to Sunday: Friday 18:00 leaves Saturday as the rest day; nothing clashes.
    moved = alice_client.patch(
        f"{RACES}{r.json()['id']}/", {"start": "2026-12-06T09:00:00+01:00"}, format="json"
    )
    assert moved.json()["affected_sessions"] == []
    assert alice_client.get(f"/api/v1/sessions/{friday.pk}/").json()["race_conflicts"] == []


def test_lists_stay_at_a_fixed_number_of_queries(
    persona, alice, service, therapist, django_assert_max_num_queries
):
    alice_client = persona("alice").api
    from datetime import timedelta

    from devtools.factories import RaceFactory

    for i in range(12):
        SessionFactory(
            runner=alice,
            therapist=therapist,
            service=service,
            start=local(2026, 12, 1, 10) + timedelta(days=i),
        )
        RaceFactory(runner=alice, start=local(2026, 12, 1, 18) + timedelta(days=2 * i))
    with django_assert_max_num_queries(12):
        sessions = alice_client.get("/api/v1/sessions/").json()
    with django_assert_max_num_queries(10):
        races = alice_client.get(RACES).json()
    sessions = sessions.get("results", sessions) if isinstance(sessions, dict) else sessions
    races = races.get("results", races) if isinstance(races, dict) else races
    assert len(sessions) == 12 and all("race_conflicts" in s for s in sessions)
    assert len(races) == 12 and all("affected_sessions" in r for r in races)
    assert any(s["race_conflicts"] for s in sessions) and any(r["affected_sessions"] for r in races)
