"""The suite's one clock and one persona fixture do what the tests rely on."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from tests.support.clock import NOW
from tests.support.personas import PERSONAS

pytestmark = pytest.mark.django_db

LISBON_NOON = datetime(2027, 1, 4, 12, 0, tzinfo=ZoneInfo("Europe/Lisbon"))


def test_the_clock_starts_at_the_suites_now_and_moves_on_request(clock):
    assert clock.start == NOW and timezone.now() == NOW
    clock.shift(timedelta(hours=2))
    assert timezone.now() == NOW + timedelta(hours=2)
    with clock.travel(LISBON_NOON):
        assert timezone.now() == LISBON_NOON
    assert timezone.now() == NOW + timedelta(hours=2)


@pytest.mark.clock(LISBON_NOON)
def test_the_clock_marker_freezes_a_test_without_asking_for_the_fixture():
    assert timezone.now() == LISBON_NOON


@pytest.mark.parametrize("name", PERSONAS)
def test_every_persona_has_a_signed_in_api_client_and_page_client(persona, name, client):
    who = persona(name)
    assert who.user is not None and who.name == name
    assert who.api.get("/api/v1/me/").status_code != 401
    assert who.page.get("/").wsgi_request.user == who.user
    assert who.page is client  # the first page client is pytest-django's own
    assert persona(name) is who


def test_the_anonymous_persona_is_signed_out(persona):
    assert persona(None).api.get("/api/v1/me/").status_code == 401
    assert not persona(None).page.get("/").wsgi_request.user.is_authenticated


def test_an_unknown_persona_is_a_clear_error(persona):
    with pytest.raises(LookupError, match="no persona 'carol'"):
        persona("carol")
