"""Private calendar feeds (issue 19): a runner's sessions and a therapist's agenda at a
secret address, turned on, regenerated and turned off from their own page, read the same by
two independent parsers, with no health data and no notes."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse

from booking.models import CalendarFeed, Session
from devtools.factories import SessionFactory
from tests.support.ical import parse_feed

pytestmark = pytest.mark.django_db

MADRID = ZoneInfo("Europe/Madrid")
SETTINGS = "/calendar/feed/"
SECRETS = ("private knee note", "sore left calf", "treated with care", "calves")


def _turn_on(client) -> str:
    response = client.post(SETTINGS, {"action": "regenerate"})
    assert response.status_code == 302
    page = client.get(SETTINGS).content.decode()
    feed = CalendarFeed.objects.get()
    url = reverse("booking:calendar_feed", args=[feed.token])
    assert url in page and "webcal://" in page
    return url


@pytest.fixture
def sessions(alice, bob, therapist, service):
    soon = datetime(2030, 3, 4, 10, tzinfo=MADRID)
    mine = SessionFactory(
        runner=alice,
        therapist=therapist,
        service=service,
        start=soon,
        runner_note="sore left calf",
        discomfort_areas=["calves"],
        therapist_note="treated with care",
    )
    cancelled = SessionFactory(
        runner=alice,
        therapist=therapist,
        service=service,
        start=soon + timedelta(days=1),
        status=Session.Status.CANCELLED,
    )
    bobs = SessionFactory(
        runner=bob, therapist=therapist, service=service, start=soon + timedelta(days=2)
    )
    return mine, cancelled, bobs


def test_a_runners_feed_lists_their_sessions_without_notes(persona, sessions):
    alice_client = persona("alice").page
    mine, cancelled, bobs = sessions
    url = _turn_on(alice_client)
    response = Client().get(url)  # a calendar app: no sign-in
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    events = parse_feed(response.content)
    assert [e["uid"].split("@")[0] for e in events] == [f"session-{mine.pk}"]
    assert events[0]["start"] == mine.start
    text = response.content.decode()
    for secret in SECRETS:
        assert secret not in text


def test_a_therapists_feed_is_their_agenda_with_names_only(persona, sessions):
    mine, cancelled, bobs = sessions
    url = _turn_on(persona("therapist").page)
    response = Client().get(url)
    events = parse_feed(response.content)
    assert [e["start"] for e in events] == [mine.start, bobs.start]
    assert "Alice Runner" in events[0]["summary"] and "Bob Runner" in events[1]["summary"]
    text = response.content.decode()
    for secret in SECRETS:
        assert secret not in text


def test_regenerating_ends_the_old_address_and_turning_off_ends_the_feed(persona, sessions):
    alice_client = persona("alice").page
    old = _turn_on(alice_client)
    new = _turn_on(alice_client)
    assert old != new
    assert Client().get(old).status_code == 404
    assert Client().get(new).status_code == 200
    alice_client.post(SETTINGS, {"action": "revoke"})
    assert Client().get(new).status_code == 404
    assert not CalendarFeed.objects.exists()


def test_an_unknown_token_is_not_found(client, db):
    assert client.get(reverse("booking:calendar_feed", args=["nope"])).status_code == 404


def test_the_page_needs_a_sign_in_and_is_linked_from_the_profile_and_staff_account(persona):
    assert persona(None).page.get(SETTINGS).status_code == 302
    alice_client = persona("alice").page
    assert SETTINGS in alice_client.get(reverse("runners:profile")).content.decode()
    staff = persona("therapist").page
    assert SETTINGS in staff.get(reverse("account-devices")).content.decode()


def test_a_user_without_sessions_of_their_own_gets_no_feed(persona):
    response = persona("clinic_admin").page.post(SETTINGS, {"action": "regenerate"})
    assert response.status_code == 200
    assert "Only runners and therapists" in response.content.decode()
    assert not CalendarFeed.objects.exists()
