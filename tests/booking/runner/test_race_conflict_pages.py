"""A race logged after a session was booked (issue 14): the clash shows on My sessions,
the session page (with three times to move it to), the race log and the therapist's
agenda; the session stays booked. In English and Spanish."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from devtools.factories import RaceFactory, SessionFactory
from tests.support.page_fixtures import local

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("engine", "clock")]

# NOW is Monday 2 March 2026, 08:00 in Madrid.
FRIDAY = date(2026, 3, 6)


@pytest.fixture
def clash(alice, service, therapist):
    session = SessionFactory(
        runner=alice, therapist=therapist, service=service, start=local(FRIDAY, 18)
    )
    race = RaceFactory(
        runner=alice,
        name="Media de Sevilla",
        start=local(FRIDAY + timedelta(days=1), 9),
        finish=local(FRIDAY + timedelta(days=1), 11),
    )
    return session, race


def test_my_sessions_and_the_session_page_show_the_clash_and_the_moves(persona, clash):
    alice_client = persona("alice").page
    session, _race = clash
    html = alice_client.get(reverse("booking:my_sessions")).content.decode()
    assert f'id="race-conflict-{session.pk}"' in html and "Too close to Media de Sevilla" in html
    page = alice_client.get(reverse("booking:session_detail", args=[session.pk])).content.decode()
    assert "A race clashes with this session" in page and "nothing was cancelled" in page
    moves = page.count(reverse("booking:session_reschedule_confirm", args=[session.pk]) + "?start=")
    assert moves == 3


def test_the_race_log_names_the_session(persona, clash):
    alice_client = persona("alice").page
    session, _race = clash
    html = alice_client.get(reverse("runners:races")).content.decode()
    assert "It clashes with booked sessions" in html
    assert reverse("booking:session_detail", args=[session.pk]) in html


def test_in_spanish(es_client, clash):
    session, _race = clash
    html = es_client.get(reverse("booking:session_detail", args=[session.pk])).content.decode()
    assert "Una carrera choca con esta sesión" in html and "Demasiado cerca de Media" in html


def test_the_therapists_agenda_flags_it(client, therapist, clash):
    client.force_login(therapist.user)
    html = client.get(f"{reverse('staff:agenda')}?date={FRIDAY.isoformat()}").content.decode()
    assert "agenda-item booked flagged" in html and "Too close to Media de Sevilla" in html


def test_a_clear_session_shows_no_flag(persona, alice, service, therapist):
    alice_client = persona("alice").page
    session = SessionFactory(
        runner=alice, therapist=therapist, service=service, start=local(FRIDAY, 18)
    )
    html = alice_client.get(reverse("booking:session_detail", args=[session.pk])).content.decode()
    assert "race-conflict" not in html
