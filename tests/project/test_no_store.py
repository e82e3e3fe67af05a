"""No cache keeps a page with health notes: every page, API answer and download a signed-in
person gets, and any response at all that shows a health note, says `Cache-Control:
no-store`.

The pages are not listed here: every GET row of the permission table (which fails in CI on
a route it does not cover) and every registered Django admin list and form are fetched as
each persona, with a marker written into Alice's health notes, her session's notes and the
race-override reason. A new page is walked the day it gets a route.
"""

from datetime import datetime, time

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from booking.models import Reminder, Session, SessionEvent
from devtools.factories import PASSWORD, SessionFactory
from runners.models import Race

from .test_permission_table import TABLE, world  # noqa: F401  (world is a fixture)

MARKER = "PRIVATE-7f3a"

# Pages that must show the marker to these personas: if the markers stop reaching them
# (a fixture change), the walk below would prove nothing.
MUST_SHOW = {
    ("alice", "/profile/"),
    ("alice", "/api/v1/me/"),
    ("alice", "/api/v1/me/data/"),
    ("alice", "/account/privacy/download/"),
    ("alice", "/api/v1/sessions/{session}/"),
    ("alice_token", "/api/v1/me/"),
    ("alice_token", "/api/v1/sessions/{session}/"),
    ("therapist", "/staff/agenda/"),
    ("therapist", "/staff/sessions/{session}/"),
    ("therapist", "/api/v1/sessions/{session}/"),
    ("clinic_admin", "/staff/sessions/{session}/"),
    ("superuser", "admin:runners_runner_change"),
    ("superuser", "admin:booking_session_change"),
}

PERSONAS = ["anonymous", "alice", "alice_token", "therapist", "clinic_admin", "superuser"]


@pytest.fixture
def marked(world, alice, therapist, service, clinic, superuser):  # noqa: F811
    alice.health_notes = f"{MARKER} health: left knee"
    alice.save()
    Session.objects.filter(pk=world["session"]).update(
        runner_note=f"{MARKER} runner note",
        therapist_note=f"{MARKER} therapist note",
        race_override_reason=f"{MARKER} override reason",
    )
    # One session today (clinic time) so that today's agenda shows Alice too.
    today = timezone.localdate(timezone.now(), clinic.tz)
    SessionFactory(
        runner=alice,
        therapist=therapist,
        service=service,
        start=datetime.combine(today, time(0, 0), tzinfo=clinic.tz),
        status=Session.Status.ATTENDED,
        runner_note=f"{MARKER} today's note",
    )
    session = Session.objects.get(pk=world["session"])
    SessionEvent.objects.create(session=session, kind="booked", by=alice.user)
    Reminder.objects.create(runner=alice, kind="confirmation", key="k", session=session)
    return {**world, "users": {**world["users"], "superuser": superuser}}


def _admin_urls(marked) -> list[tuple[str, str]]:
    """Every registered ModelAdmin's list, and its form for Alice's own objects."""
    alice = marked["users"]["alice"]
    objects = {
        Session: marked["session"],
        Race: marked["race"],
        type(alice): alice.pk,
        type(alice.runner): alice.runner.pk,
        SessionEvent: SessionEvent.objects.filter(session_id=marked["session"]).first().pk,
        Reminder: Reminder.objects.filter(runner=alice.runner).first().pk,
    }
    urls = []
    for model in admin.site._registry:
        info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        urls.append((f"{info}_changelist", reverse(f"{info}_changelist")))
        if model in objects:
            urls.append((f"{info}_change", reverse(f"{info}_change", args=[objects[model]])))
    return urls


def _client_for(persona: str, marked) -> Client:
    client = Client()
    if persona == "alice_token":
        answer = client.post(
            "/api/v1/auth/token/",
            {"email": "alice@runners.test", "password": PASSWORD},
            content_type="application/json",
        )
        assert answer.status_code == 200, answer.content
        return Client(HTTP_AUTHORIZATION=f"Token {answer.json()['token']}")
    if persona != "anonymous":
        client.force_login(marked["users"][persona])
    return client


def _body(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode(errors="replace")


def test_every_response_with_health_notes_or_to_a_signed_in_person_is_no_store(marked):
    pages = [(row[2], row[2].format(**marked)) for row in TABLE if row[1] == "get"]
    pages += _admin_urls(marked)
    shown, failures = set(), []
    for persona in PERSONAS:
        client = _client_for(persona, marked)
        for label, url in pages:
            response = client.get(url)
            assert response.status_code < 500, f"{persona} {url}: {response.status_code}"
            has_marker = MARKER in _body(response)
            if has_marker:
                shown.add((persona, label))
            signed_in = persona != "anonymous" and response.status_code not in (401, 403)
            cache_control = response.get("Cache-Control", "")
            if (has_marker or signed_in) and not (
                "no-store" in cache_control and "private" in cache_control
            ):
                failures.append(f"{persona} {url}: Cache-Control {cache_control!r}")
    assert not failures, "\n".join(failures)
    assert MUST_SHOW <= shown, f"markers not shown: {sorted(MUST_SHOW - shown)}"


def test_an_anonymous_public_page_stays_cacheable(client, marked):
    # The rule follows the requester: public answers to anonymous visitors are untouched.
    response = client.get("/api/v1/services/")
    assert "no-store" not in response.get("Cache-Control", "")
