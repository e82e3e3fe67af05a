"""Who reaches what, per persona, on one session of Alice's (and Alice's races).

404, not 403, for a session outside one's scope: a runner never learns that another
runner's session exists."""

import pytest

from devtools.factories import RaceFactory, SessionFactory
from tests.support.api import assert_error
from tests.support.api_fixtures import local

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

PERSONAS = [None, "alice", "bob", "therapist", "other_therapist", "clinic_admin"]


def per_persona(*expected):
    """One run per persona (PERSONAS' order) with what that persona should get."""
    return pytest.mark.parametrize(
        ("persona_client", "expected"),
        list(zip(PERSONAS, expected, strict=True)),
        indirect=["persona_client"],
    )


@pytest.fixture
def alices_session(alice, therapist, service):
    return SessionFactory(
        runner=alice, therapist=therapist, service=service, start=local(2026, 12, 2, 10)
    )


@per_persona(401, 200, 404, 200, 404, 200)
def test_read_a_session(persona_client, expected, alices_session):
    r = persona_client.get(f"/api/v1/sessions/{alices_session.pk}/")
    if expected == 200:
        assert r.status_code == 200 and r.json()["id"] == alices_session.pk
    else:
        assert_error(r, expected)


@per_persona(401, 200, 404, 200, 404, 200)
def test_cancel_a_session(persona_client, expected, alices_session):
    r = persona_client.post(f"/api/v1/sessions/{alices_session.pk}/cancel/")
    alices_session.refresh_from_db()
    if expected == 200:
        assert r.status_code == 200
        assert alices_session.status == "cancelled"
    else:
        assert_error(r, expected)
        assert alices_session.status == "booked"


@per_persona(401, 200, 404, 200, 404, 200)
def test_session_ics(persona_client, expected, alices_session):
    r = persona_client.get(f"/api/v1/sessions/{alices_session.pk}/ics/")
    if expected == 200:
        assert r.status_code == 200 and b"BEGIN:VCALENDAR" in r.content
    else:
        assert_error(r, expected)


@pytest.mark.parametrize(
    ("persona_client", "visible"),
    list(zip(PERSONAS, [None, True, False, True, False, True], strict=True)),
    indirect=["persona_client"],
)
def test_session_in_the_list(persona_client, visible, alices_session):
    r = persona_client.get("/api/v1/sessions/")
    if visible is None:
        assert_error(r, 401)
        return
    ids = {s["id"] for s in r.json()["results"]}
    assert (alices_session.pk in ids) is visible


@per_persona(401, 200, 404, 403, 403, 403)
def test_alices_race(persona_client, expected, alice):
    race = RaceFactory(runner=alice, name="Alice's race")
    r = persona_client.get(f"/api/v1/races/{race.pk}/")
    if expected == 200:
        assert r.json()["name"] == "Alice's race"
    else:
        assert_error(r, expected)
        assert "Alice's race" not in r.content.decode()


@per_persona(401, 200, 200, 403, 403, 403)
def test_health_notes_only_through_ones_own_profile(persona_client, expected, alice, bob):
    r = persona_client.get("/api/v1/me/")
    body = r.content.decode()
    if expected != 200:
        assert_error(r, expected)
        assert alice.health_notes not in body and bob.health_notes not in body
        return
    me, other = (alice, bob) if r.json()["email"] == alice.user.email else (bob, alice)
    assert r.json()["health_notes"] == me.health_notes
    assert other.health_notes not in body
