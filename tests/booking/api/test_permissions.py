"""Who reaches what, per persona, on one session of Alice's (and Alice's races).

404, not 403, for a session outside one's scope: a runner never learns that another
runner's session exists."""

import pytest

from devtools.factories import RaceFactory, SessionFactory
from tests.support.api import assert_error
from tests.support.api_fixtures import local

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

PERSONAS = [None, "alice", "bob", "therapist", "other_therapist", "clinic_admin"]


def per_persona(*expected):
    """One run per persona (PERSONAS' order) with what that persona should get."""
    return pytest.mark.parametrize(
        ("who", "expected"),
        list(zip(PERSONAS, expected, strict=True)),
    )


@pytest.fixture
def alices_session(alice, therapist, service):
    return SessionFactory(
        runner=alice, therapist=therapist, service=service, start=local(2026, 12, 2, 10)
    )


@per_persona(401, 200, 404, 200, 404, 200)
def test_read_a_session(persona, who, expected, alices_session):
    r = persona(who).api.get(f"/api/v1/sessions/{alices_session.pk}/")
    if expected == 200:
        assert r.status_code == 200 and r.json()["id"] == alices_session.pk
    else:
        assert_error(r, expected)


@per_persona(401, 200, 404, 200, 404, 200)
def test_cancel_a_session(persona, who, expected, alices_session):
    r = persona(who).api.post(f"/api/v1/sessions/{alices_session.pk}/cancel/")
    alices_session.refresh_from_db()
    if expected == 200:
        assert r.status_code == 200
        assert alices_session.status == "cancelled"
    else:
        assert_error(r, expected)
        assert alices_session.status == "booked"


@per_persona(401, 200, 404, 200, 404, 200)
def test_session_ics(persona, who, expected, alices_session):
    r = persona(who).api.get(f"/api/v1/sessions/{alices_session.pk}/ics/")
    if expected == 200:
        assert r.status_code == 200 and b"BEGIN:VCALENDAR" in r.content
    else:
        assert_error(r, expected)


@pytest.mark.parametrize(
    ("who", "visible"),
    list(zip(PERSONAS, [None, True, False, True, False, True], strict=True)),
)
def test_session_in_the_list(persona, who, visible, alices_session):
    r = persona(who).api.get("/api/v1/sessions/")
    if visible is None:
        assert_error(r, 401)
        return
    ids = {s["id"] for s in r.json()["results"]}
    assert (alices_session.pk in ids) is visible


@per_persona(401, 200, 404, 403, 403, 403)
def test_alices_race(persona, who, expected, alice):
    race = RaceFactory(runner=alice, name="Alice's race")
    r = persona(who).api.get(f"/api/v1/races/{race.pk}/")
    if expected == 200:
        assert r.json()["name"] == "Alice's race"
    else:
        assert_error(r, expected)
        assert "Alice's race" not in r.content.decode()


@per_persona(401, 200, 200, 403, 403, 403)
def test_health_notes_only_through_ones_own_profile(persona, who, expected, alice, bob):
    r = persona(who).api.get("/api/v1/me/")
    body = r.content.decode()
    if expected != 200:
        assert_error(r, expected)
        assert alice.health_notes not in body and bob.health_notes not in body
        return
    me, other = (alice, bob) if r.json()["email"] == alice.user.email else (bob, alice)
    assert r.json()["health_notes"] == me.health_notes
    assert other.health_notes not in body
