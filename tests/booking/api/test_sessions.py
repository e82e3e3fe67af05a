"""Sessions through the API: book, list, read, cancel, reschedule, series, .ics.

Every refusal is `{"code", "detail", "suggestions"}`: 400 for a rule, 409 for a
conflict, 404 for someone else's session (a runner never learns it exists), 403 for a
role that may not do it. "Refused → nothing was created."
"""

from datetime import UTC, timedelta

import pytest
from rest_framework.test import APIClient

from booking.models import Session
from devtools.factories import (
    RaceFactory,
    RunnerFactory,
    ServiceFactory,
    SessionFactory,
    TherapistFactory,
    TimeOffFactory,
    UserFactory,
)
from tests.support.api import assert_error
from tests.support.api_fixtures import NOW, local

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

SESSIONS = "/api/v1/sessions/"
WED_10 = local(2026, 12, 2, 10)  # Wednesday 10:00 in Madrid


def book(client, service, therapist, start=WED_10, **extra):
    payload = {
        "service": service.pk,
        "therapist": therapist.pk,
        "start": start.isoformat(),
        **extra,
    }
    headers = {}
    if "key" in payload:
        headers["HTTP_IDEMPOTENCY_KEY"] = payload.pop("key")
    return client.post(SESSIONS, payload, format="json", **headers)


def test_a_runner_books_a_session(persona, alice, service, therapist):
    r = book(persona("alice").api, service, therapist, discomfort_areas=["legs", "lumbar"])
    assert r.status_code == 201, r.content
    body = r.json()
    session = Session.objects.get(pk=body["id"])
    assert session.runner == alice and session.therapist == therapist
    assert session.status == "booked" and session.start == WED_10
    assert session.discomfort_areas == ["legs", "lumbar"]
    assert body["start"] == "2026-12-02T10:00:00+01:00"
    assert body["end"] == "2026-12-02T11:00:00+01:00"
    assert body["therapist"] == {"id": therapist.pk, "display_name": "Lucía Martín"}
    assert body["service"]["id"] == service.pk
    assert body["clinic"]["timezone"] == "Europe/Madrid"
    assert body["status"] == "booked" and body["cancel_outcome"] == "cancelled"
    assert body["race_override"] is False


def test_a_utc_start_is_the_same_moment(persona, service, therapist):
    r = book(persona("alice").api, service, therapist, start=WED_10.astimezone(NOW.tzinfo))
    assert r.status_code == 201
    r2 = persona("alice").api.post(
        SESSIONS,
        {"service": service.pk, "therapist": therapist.pk, "start": "2026-12-03T09:00:00Z"},
        format="json",
    )
    assert r2.status_code == 201 and r2.json()["start"] == "2026-12-03T10:00:00+01:00"


@pytest.mark.parametrize(
    ("start", "code"),
    [
        (local(2026, 11, 27, 10), "in_the_past"),  # last Friday
        (NOW + timedelta(minutes=60), "too_short_notice"),  # today 09:00, 2 h needed
        (local(2027, 6, 1, 10), "too_far_ahead"),
        (local(2026, 12, 2, 21), "outside_working_hours"),
        (local(2026, 12, 2, 14), "outside_working_hours"),
        (local(2026, 12, 5, 10), "outside_working_hours"),
    ],
)
def test_time_rules_refuse_with_400_and_a_code(persona, service, therapist, start, code):
    body = assert_error(book(persona("alice").api, service, therapist, start=start), 400, code)
    assert isinstance(body["suggestions"], list)
    assert Session.objects.count() == 0


def test_time_off(persona, service, therapist):
    TimeOffFactory(therapist=therapist, start=local(2026, 12, 2, 9), end=local(2026, 12, 2, 14))
    assert_error(book(persona("alice").api, service, therapist), 400, "therapist_time_off")
    assert Session.objects.count() == 0


def test_slot_taken_is_409_with_nearest_slots(persona, bob, service, therapist):
    SessionFactory(runner=bob, therapist=therapist, service=service, start=WED_10)
    body = assert_error(book(persona("alice").api, service, therapist), 409, "slot_taken")
    assert "Lucía Martín" in body["detail"]
    assert 1 <= len(body["suggestions"]) <= 3
    for slot in body["suggestions"]:
        assert set(slot) == {"start", "end", "therapist", "ideal"}
        assert slot["start"].endswith("+01:00")
        assert slot["start"] != "2026-12-02T10:00:00+01:00"
    assert Session.objects.filter(runner__user__email="alice@runners.test").count() == 0


def test_runner_overlap_is_409(persona, alice, service, therapist, clinic):
    other = TherapistFactory(clinic=clinic)
    SessionFactory(runner=alice, therapist=other, service=service, start=WED_10)
    assert_error(book(persona("alice").api, service, therapist), 409, "runner_overlap")
    assert Session.objects.count() == 1


def test_too_soon_after_a_race_names_the_race(persona, alice, service, therapist):
    race = RaceFactory(
        runner=alice,
        name="Maratón de Valencia",
        start=local(2026, 12, 1, 18),
        finish=local(2026, 12, 1, 21),
    )
    body = assert_error(book(persona("alice").api, service, therapist), 400, "too_soon_after_race")
    assert "Maratón de Valencia" in body["detail"] and "24" in body["detail"]
    assert body["race"] == race.pk
    assert body["suggestions"]
    assert Session.objects.count() == 0


def test_too_close_before_a_race(persona, alice, service, therapist):
    RaceFactory(runner=alice, name="Behobia", start=local(2026, 12, 3, 10))
    body = assert_error(
        book(persona("alice").api, service, therapist), 400, "too_close_before_race"
    )
    assert "Behobia" in body["detail"]


def test_inactive_service_or_therapist(persona, clinic, therapist):
    service = ServiceFactory(clinic=clinic, active=False)
    assert_error(book(persona("alice").api, service, therapist), 400, "inactive")
    active = ServiceFactory(clinic=clinic)
    therapist.active = False
    therapist.save()
    assert_error(book(persona("alice").api, active, therapist), 400, "inactive")
    assert Session.objects.count() == 0


@pytest.mark.parametrize(
    ("payload", "code", "field"),
    [
        ({"start": "2026-12-02T10:00:00"}, "naive", "start"),
        ({"start": "soon"}, "invalid", "start"),
        ({"start": "9999-12-31T23:59:00+00:00"}, "out_of_range", "start"),
        ({"start": "0001-01-01T00:00:00+14:00"}, "invalid", "start"),
        ({"service": 999999}, "invalid", "service"),
        ({"therapist": "x"}, "invalid", "therapist"),
        ({"discomfort_areas": ["knees"]}, "invalid", "discomfort_areas"),
    ],
)
def test_bad_input_is_400(persona, service, therapist, payload, code, field):
    data = {
        "service": service.pk,
        "therapist": therapist.pk,
        "start": WED_10.isoformat(),
        **payload,
    }
    body = assert_error(persona("alice").api.post(SESSIONS, data, format="json"), 400, code)
    assert field in body["errors"]
    assert Session.objects.count() == 0


def test_therapist_of_another_clinic_for_this_service(persona, service, other_therapist):
    assert_error(
        book(persona("alice").api, service, other_therapist), 400, "therapist_other_clinic"
    )


def test_a_runner_books_only_for_themselves(persona, bob, service, therapist):
    assert_error(book(persona("alice").api, service, therapist, runner=bob.pk), 403, "not_yours")
    assert Session.objects.count() == 0


def test_a_runner_cannot_override_a_race_rule(persona, alice, service, therapist):
    RaceFactory(runner=alice, start=local(2026, 12, 3, 10))
    assert_error(
        book(persona("alice").api, service, therapist, override_reason="I feel fine"),
        403,
        "override_not_allowed",
    )
    assert Session.objects.count() == 0


def test_anonymous_cannot_book(persona, service, therapist):
    assert_error(book(persona(None).api, service, therapist), 401)


def test_therapist_books_for_a_runner_of_the_clinic(persona, alice, service, therapist):
    r = book(persona("therapist").api, service, therapist, runner=alice.pk)
    assert r.status_code == 201, r.content
    assert Session.objects.get().runner == alice
    assert r.json()["runner"]["id"] == alice.pk


def test_clinic_admin_books_for_a_runner(persona, alice, service, therapist):
    assert book(persona("clinic_admin").api, service, therapist, runner=alice.pk).status_code == 201


def test_staff_override_a_race_rule_with_a_reason_that_is_kept(persona, alice, service, therapist):
    RaceFactory(runner=alice, name="Behobia", start=local(2026, 12, 3, 10))
    refused = book(persona("therapist").api, service, therapist, runner=alice.pk)
    assert_error(refused, 400, "too_close_before_race")
    r = book(
        persona("therapist").api,
        service,
        therapist,
        runner=alice.pk,
        override_reason="Short recovery massage, agreed with her coach",
    )
    assert r.status_code == 201, r.content
    session = Session.objects.get()
    assert session.race_override_reason == "Short recovery massage, agreed with her coach"
    assert session.race_override_by == therapist.user
    assert r.json()["race_override"] is True


def test_override_does_not_lift_other_rules(persona, alice, service, therapist):
    assert_error(
        book(
            persona("therapist").api,
            service,
            therapist,
            start=local(2026, 12, 2, 21),
            runner=alice.pk,
            override_reason="Please",
        ),
        400,
        "outside_working_hours",
    )


def test_staff_must_say_which_runner(persona, service, therapist):
    body = assert_error(book(persona("therapist").api, service, therapist), 400)
    assert "runner" in body["errors"]


def test_staff_cannot_book_a_runner_of_another_clinic(persona, other_clinic, service, therapist):
    stranger = RunnerFactory(clinic=other_clinic)
    assert_error(
        book(persona("therapist").api, service, therapist, runner=stranger.pk),
        400,
        "unknown_runner",
    )


def test_staff_cannot_book_at_another_clinic(persona, alice, service, therapist):
    assert_error(
        book(persona("other_therapist").api, service, therapist, runner=alice.pk),
        403,
        "other_clinic",
    )
    assert Session.objects.count() == 0


def test_same_idempotency_key_and_body_return_the_same_session(persona, service, therapist):
    first = book(persona("alice").api, service, therapist, key="k-123")
    again = book(persona("alice").api, service, therapist, key="k-123")
    assert first.status_code == 201 and again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert again["Idempotent-Replayed"] == "true"
    assert Session.objects.count() == 1


def test_idempotency_key_reused_for_another_booking_is_refused(persona, service, therapist):
    book(persona("alice").api, service, therapist, key="k-123")
    assert_error(
        book(persona("alice").api, service, therapist, start=local(2026, 12, 3, 10), key="k-123"),
        422,
        "idempotency_key_reused",
    )
    assert Session.objects.count() == 1


FIRST = {"discomfort_areas": ["legs", "lumbar"], "runner_note": "Tight calves"}


@pytest.mark.parametrize(
    "changed",
    [
        {"runner_note": "Tight calves, and the left hamstring"},
        {"runner_note": ""},
        {"discomfort_areas": ["legs"]},
        {"discomfort_areas": ["legs", "lumbar", "cervical"]},
        {"start": local(2026, 12, 2, 11)},
    ],
    ids=["another note", "no note", "fewer areas", "more areas", "another start"],
)
def test_a_key_reused_with_any_other_body_is_refused_and_changes_nothing(
    persona, service, therapist, changed
):
    """It used to answer with the first session as if this had been booked: the runner
    thought their new note or areas were with the physiotherapist."""
    first = book(persona("alice").api, service, therapist, key="k-1", **FIRST)
    assert first.status_code == 201
    again = book(persona("alice").api, service, therapist, key="k-1", **{**FIRST, **changed})
    body = assert_error(again, 422, "idempotency_key_reused")
    assert "different details" in body["detail"]
    session = Session.objects.get()
    assert session.runner_note == "Tight calves"
    assert session.discomfort_areas == ["legs", "lumbar"]
    assert session.start == WED_10


def test_the_same_body_is_the_same_request_whatever_its_spelling(persona, service, therapist):
    """The same instant in another offset, the same areas in another order: a retry."""
    first = book(persona("alice").api, service, therapist, key="k-1", **FIRST)
    again = book(
        persona("alice").api,
        service,
        therapist,
        start=WED_10.astimezone(UTC),
        key="k-1",
        discomfort_areas=["lumbar", "legs"],
        runner_note="Tight calves",
    )
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert Session.objects.count() == 1


def test_a_staff_key_reused_with_another_override_reason_is_refused(
    persona, alice, service, therapist
):
    RaceFactory(runner=alice, name="San Silvestre", start=local(2026, 12, 3, 18))
    override = {"runner": alice.pk, "override_reason": "Fun run, she asked for it"}
    assert (
        book(persona("therapist").api, service, therapist, key="s-1", **override).status_code == 201
    )
    assert_error(
        book(
            persona("therapist").api,
            service,
            therapist,
            key="s-1",
            **{**override, "override_reason": "x"},
        ),
        422,
        "idempotency_key_reused",
    )
    again = book(persona("therapist").api, service, therapist, key="s-1", **override)
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert Session.objects.get().race_override_reason == "Fun run, she asked for it"


def test_a_retry_after_the_session_moved_still_gets_it(persona, service, therapist):
    """The key answers for the request that first sent it, not for the session as it is."""
    first = book(persona("alice").api, service, therapist, key="k-1", **FIRST).json()
    moved = persona("alice").api.post(
        f"{SESSIONS}{first['id']}/reschedule/",
        {"start": local(2026, 12, 3, 12).isoformat()},
        format="json",
    )
    assert moved.status_code == 200
    again = book(persona("alice").api, service, therapist, key="k-1", **FIRST)
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json()["start"] == "2026-12-03T12:00:00+01:00"
    assert Session.objects.count() == 1


def test_idempotency_keys_are_per_runner(persona, service, therapist):
    book(persona("alice").api, service, therapist, key="same")
    r = book(persona("bob").api, service, therapist, start=local(2026, 12, 3, 10), key="same")
    assert r.status_code == 201
    assert Session.objects.count() == 2


def test_a_refused_booking_replayed_is_refused_again(persona, bob, service, therapist):
    SessionFactory(runner=bob, therapist=therapist, service=service, start=WED_10)
    assert_error(book(persona("alice").api, service, therapist, key="k-1"), 409, "slot_taken")
    assert_error(book(persona("alice").api, service, therapist, key="k-1"), 409, "slot_taken")


def test_idempotency_key_too_long(persona, service, therapist):
    assert_error(
        book(persona("alice").api, service, therapist, key="x" * 200),
        400,
        "invalid_idempotency_key",
    )


def _session(runner, therapist, service, day, hour=10, **kw):
    return SessionFactory(
        runner=runner, therapist=therapist, service=service, start=local(2026, 12, day, hour), **kw
    )


def test_a_runner_lists_only_their_own(persona, alice, bob, service, therapist):
    mine = _session(alice, therapist, service, 2)
    _session(bob, therapist, service, 3)
    r = persona("alice").api.get(SESSIONS)
    assert r.status_code == 200
    assert [s["id"] for s in r.json()["results"]] == [mine.pk]


def test_therapist_and_admin_list_their_clinic(
    persona, alice, bob, service, therapist, other_therapist
):
    a = _session(alice, therapist, service, 2)
    b = _session(bob, therapist, service, 3)
    elsewhere = SessionFactory(therapist=other_therapist, start=local(2026, 12, 2, 10))
    for client in (persona("therapist").api, persona("clinic_admin").api):
        ids = {s["id"] for s in client.get(SESSIONS).json()["results"]}
        assert ids == {a.pk, b.pk}
    ids = {s["id"] for s in persona("other_therapist").api.get(SESSIONS).json()["results"]}
    assert ids == {elsewhere.pk}


def test_superuser_lists_all(persona, alice, service, therapist, other_therapist):
    _session(alice, therapist, service, 2)
    SessionFactory(therapist=other_therapist, start=local(2026, 12, 2, 10))
    client = persona("superuser").api
    assert client.get(SESSIONS).json()["count"] == 2


def test_upcoming_and_past(persona, alice, service, therapist):
    past = SessionFactory(
        runner=alice,
        therapist=therapist,
        service=service,
        start=local(2026, 11, 20, 10),
        status="attended",
    )
    soon = _session(alice, therapist, service, 2)
    later = _session(alice, therapist, service, 9)
    up = persona("alice").api.get(SESSIONS, {"when": "upcoming"}).json()["results"]
    assert [s["id"] for s in up] == [soon.pk, later.pk]
    gone = persona("alice").api.get(SESSIONS, {"when": "past"}).json()["results"]
    assert [s["id"] for s in gone] == [past.pk]
    attended = persona("alice").api.get(SESSIONS, {"status": "attended"}).json()["results"]
    assert [s["id"] for s in attended] == [past.pk]
    assert attended[0]["cancel_outcome"] is None


@pytest.mark.parametrize(
    ("params", "code"),
    [({"when": "yesterday"}, "invalid_when"), ({"status": "x"}, "invalid_status")],
)
def test_bad_list_filters(persona, params, code):
    assert_error(persona("alice").api.get(SESSIONS, params), 400, code)


def test_list_is_paginated(persona, alice, service, therapist):
    for day in range(1, 30):
        _session(alice, therapist, service, day, hour=10)
    body = persona("alice").api.get(SESSIONS).json()
    assert body["count"] == 29 and len(body["results"]) == 29 and body["next"] is None


@pytest.mark.parametrize("who", ["alice", "therapist", "clinic_admin"])
def test_list_query_count_is_constant(
    persona, who, alice, bob, service, therapist, django_assert_max_num_queries
):
    client = persona(who).api
    _session(alice, therapist, service, 1)
    _session(bob, therapist, service, 1, hour=12)
    with django_assert_max_num_queries(10) as few:
        assert client.get(SESSIONS).status_code == 200
    baseline = len(few.captured_queries)
    for day in range(2, 22):
        _session(alice, therapist, service, day)
        _session(bob, therapist, service, day, hour=12)
    with django_assert_max_num_queries(baseline):
        r = client.get(SESSIONS)
    assert r.json()["count"] >= 21


def test_read_one_with_its_history(persona, alice, service, therapist):
    session_id = book(persona("alice").api, service, therapist).json()["id"]
    r = persona("alice").api.get(f"{SESSIONS}{session_id}/")
    assert r.status_code == 200
    body = r.json()
    assert body["id"] == session_id
    assert [e["kind"] for e in body["events"]] == ["booked"]


def test_another_runners_session_is_indistinguishable_from_none(persona, bob, service, therapist):
    theirs = _session(bob, therapist, service, 2)
    hidden = persona("alice").api.get(f"{SESSIONS}{theirs.pk}/")
    missing = persona("alice").api.get(f"{SESSIONS}{theirs.pk + 1000}/")
    assert_error(hidden, 404, "not_found")
    assert hidden.json() == missing.json()
    for verb in ("cancel", "reschedule"):
        r = persona("alice").api.post(
            f"{SESSIONS}{theirs.pk}/{verb}/", {"start": WED_10.isoformat()}, format="json"
        )
        assert_error(r, 404, "not_found")
    assert_error(persona("alice").api.get(f"{SESSIONS}{theirs.pk}/ics/"), 404)
    theirs.refresh_from_db()
    assert theirs.status == "booked" and theirs.start == local(2026, 12, 2, 10)


def test_therapist_of_another_clinic_gets_404(persona, alice, service, therapist):
    s = _session(alice, therapist, service, 2)
    assert_error(persona("other_therapist").api.get(f"{SESSIONS}{s.pk}/"), 404)
    assert_error(persona("other_therapist").api.post(f"{SESSIONS}{s.pk}/cancel/"), 404)


def test_a_user_with_no_booking_role_is_403():
    user = UserFactory(role="runner")
    user.role = "nobody"
    client = APIClient()
    client.force_authenticate(user)
    assert_error(client.get(SESSIONS), 403)


def test_anonymous_list_is_401(persona):
    assert_error(persona(None).api.get(SESSIONS), 401, "not_authenticated")


def test_cancel_in_time(persona, alice, service, therapist):
    s = _session(alice, therapist, service, 2)
    r = persona("alice").api.post(f"{SESSIONS}{s.pk}/cancel/")
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "cancelled" and r.json()["cancel_outcome"] is None
    s.refresh_from_db()
    assert s.status == "cancelled" and s.cancelled_at is not None


def test_cancel_late(persona, alice, service, therapist):
    s = SessionFactory(
        runner=alice, therapist=therapist, service=service, start=local(2026, 11, 30, 18)
    )
    listed = persona("alice").api.get(f"{SESSIONS}{s.pk}/").json()
    assert listed["cancel_outcome"] == "late_cancelled"
    r = persona("alice").api.post(f"{SESSIONS}{s.pk}/cancel/")
    assert r.status_code == 200 and r.json()["status"] == "late_cancelled"


def test_cancel_twice_is_refused(persona, alice, service, therapist):
    s = _session(alice, therapist, service, 2)
    persona("alice").api.post(f"{SESSIONS}{s.pk}/cancel/")
    assert_error(persona("alice").api.post(f"{SESSIONS}{s.pk}/cancel/"), 400, "not_cancellable")


def test_therapist_cancels_a_clinic_session(persona, alice, service, therapist):
    s = _session(alice, therapist, service, 2)
    assert persona("therapist").api.post(f"{SESSIONS}{s.pk}/cancel/").status_code == 200
    s.refresh_from_db()
    assert s.status in ("cancelled", "late_cancelled")


def test_cancel_is_post_only(persona, alice, service, therapist):
    s = _session(alice, therapist, service, 2)
    assert_error(persona("alice").api.get(f"{SESSIONS}{s.pk}/cancel/"), 405)


def test_reschedule_keeps_the_session_and_its_history(persona, alice, service, therapist):
    session_id = book(persona("alice").api, service, therapist).json()["id"]
    new = local(2026, 12, 4, 16)
    r = persona("alice").api.post(
        f"{SESSIONS}{session_id}/reschedule/", {"start": new.isoformat()}, format="json"
    )
    assert r.status_code == 200, r.content
    assert r.json()["start"] == "2026-12-04T16:00:00+01:00"
    detail = persona("alice").api.get(f"{SESSIONS}{session_id}/").json()
    assert [e["kind"] for e in detail["events"]] == ["booked", "rescheduled"]


def test_reschedule_to_another_therapist(persona, service, therapist, clinic):
    other = TherapistFactory(clinic=clinic, display_name="Pablo")
    session_id = book(persona("alice").api, service, therapist).json()["id"]
    r = persona("alice").api.post(
        f"{SESSIONS}{session_id}/reschedule/",
        {"start": WED_10.isoformat(), "therapist": other.pk},
        format="json",
    )
    assert r.status_code == 200, r.content
    assert r.json()["therapist"]["id"] == other.pk


def test_reschedule_onto_a_taken_slot_is_409(persona, alice, bob, service, therapist):
    mine = _session(alice, therapist, service, 2)
    _session(bob, therapist, service, 3)
    assert_error(
        persona("alice").api.post(
            f"{SESSIONS}{mine.pk}/reschedule/",
            {"start": local(2026, 12, 3, 10).isoformat()},
            format="json",
        ),
        409,
        "slot_taken",
    )
    mine.refresh_from_db()
    assert mine.start == local(2026, 12, 2, 10)


def test_reschedule_into_a_race_window_is_400(persona, alice, service, therapist):
    mine = _session(alice, therapist, service, 2)
    RaceFactory(runner=alice, name="Behobia", start=local(2026, 12, 10, 10))
    body = assert_error(
        persona("alice").api.post(
            f"{SESSIONS}{mine.pk}/reschedule/",
            {"start": local(2026, 12, 9, 10).isoformat()},
            format="json",
        ),
        400,
        "too_close_before_race",
    )
    assert "Behobia" in body["detail"]


def test_reschedule_bad_input(persona, alice, service, therapist, other_therapist):
    mine = _session(alice, therapist, service, 2)
    url = f"{SESSIONS}{mine.pk}/reschedule/"
    assert_error(persona("alice").api.post(url, {}, format="json"), 400, "invalid")
    assert_error(
        persona("alice").api.post(url, {"start": "2026-12-04T16:00"}, format="json"), 400, "naive"
    )
    assert_error(
        persona("alice").api.post(
            url,
            {"start": local(2026, 12, 4, 16).isoformat(), "therapist": other_therapist.pk},
            format="json",
        ),
        400,
        "therapist_other_clinic",
    )


def test_a_runner_cannot_override_on_reschedule(persona, alice, service, therapist):
    mine = _session(alice, therapist, service, 2)
    assert_error(
        persona("alice").api.post(
            f"{SESSIONS}{mine.pk}/reschedule/",
            {"start": local(2026, 12, 4, 16).isoformat(), "override_reason": "please"},
            format="json",
        ),
        403,
        "override_not_allowed",
    )


def _series(client, service, therapist, **extra):
    payload = {
        "service": service.pk,
        "therapist": therapist.pk,
        "first_start": WED_10.isoformat(),
        "every_days": 14,
        "count": 3,
        **extra,
    }
    return client.post(f"{SESSIONS}series/", payload, format="json")


def test_book_my_plan_every_14_days(persona, alice, service, therapist):
    r = _series(persona("alice").api, service, therapist)
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["booked"] == 3 and body["refused"] == 0
    starts = [o["start"] for o in body["occurrences"]]
    assert starts == [
        "2026-12-02T10:00:00+01:00",
        "2026-12-16T10:00:00+01:00",
        "2026-12-30T10:00:00+01:00",
    ]
    assert all(o["session"]["status"] == "booked" for o in body["occurrences"])
    assert Session.objects.filter(runner=alice).count() == 3


def test_a_plan_carries_the_areas_of_discomfort_and_the_note_to_every_session(
    persona, alice, service, therapist
):
    r = _series(
        persona("alice").api,
        service,
        therapist,
        discomfort_areas=["legs", "lumbar"],
        runner_note="Tight left calf",
    )
    assert r.status_code == 201, r.content
    assert all(
        o["session"]["discomfort_areas"] == ["legs", "lumbar"]
        and o["session"]["runner_note"] == "Tight left calf"
        for o in r.json()["occurrences"]
    )
    rows = Session.objects.filter(runner=alice)
    assert rows.count() == 3
    assert {(tuple(s.discomfort_areas), s.runner_note) for s in rows} == {
        (("legs", "lumbar"), "Tight left calf")
    }


def test_a_plan_with_a_race_says_which_and_why(persona, alice, service, therapist):
    RaceFactory(runner=alice, name="San Silvestre", start=local(2026, 12, 17, 18))
    r = _series(persona("alice").api, service, therapist)
    assert r.status_code == 207, r.content
    body = r.json()
    assert body["booked"] == 2 and body["refused"] == 1
    refused = body["occurrences"][1]
    assert refused["booked"] is False and refused["session"] is None
    assert refused["code"] == "too_close_before_race"
    assert "San Silvestre" in refused["detail"]
    assert Session.objects.count() == 2


def test_all_or_nothing_books_none(persona, alice, service, therapist):
    RaceFactory(runner=alice, name="San Silvestre", start=local(2026, 12, 17, 18))
    r = _series(persona("alice").api, service, therapist, all_or_nothing=True)
    body = assert_error(r, 400, "series_refused")
    assert body["booked"] == 0
    assert [o["code"] for o in body["occurrences"]] == [
        "plan_not_booked",
        "too_close_before_race",
        "plan_not_booked",
    ]
    assert Session.objects.count() == 0


def test_a_plan_nobody_can_take(persona, service, therapist):
    body = assert_error(
        _series(
            persona("alice").api, service, therapist, first_start=local(2026, 12, 5, 10).isoformat()
        ),
        400,
        "series_refused",
    )
    assert {o["code"] for o in body["occurrences"]} == {"outside_working_hours"}


@pytest.mark.parametrize(
    "extra", [{"every_days": 7}, {"count": 7}, {"count": 0}, {"first_start": "2026-12-02T10:00"}]
)
def test_bad_plans(persona, service, therapist, extra):
    assert_error(_series(persona("alice").api, service, therapist, **extra), 400)
    assert Session.objects.count() == 0


def test_staff_book_a_plan_for_a_runner(persona, alice, service, therapist):
    r = _series(
        persona("therapist").api, service, therapist, runner=alice.pk, every_days=30, count=2
    )
    assert r.status_code == 201, r.content
    assert Session.objects.filter(runner=alice).count() == 2


def test_a_plan_replayed_with_its_key_books_nothing_more(persona, service, therapist):
    payload = {
        "service": service.pk,
        "therapist": therapist.pk,
        "first_start": WED_10.isoformat(),
        "every_days": 14,
        "count": 2,
    }
    for _ in range(2):
        r = persona("alice").api.post(
            f"{SESSIONS}series/", payload, format="json", HTTP_IDEMPOTENCY_KEY="plan-1"
        )
        assert r.status_code == 201, r.content
    assert Session.objects.count() == 2


@pytest.mark.parametrize(
    "changed",
    [
        {"count": 3},
        {"every_days": 30},
        {"all_or_nothing": True},
        {"first_start": "2026-12-03T10:00:00+01:00"},
    ],
    ids=["count", "every", "all_or_nothing", "first_start"],
)
def test_a_plan_key_reused_with_another_plan_is_refused_before_booking_anything(
    persona, service, therapist, changed
):
    payload = {
        "service": service.pk,
        "therapist": therapist.pk,
        "first_start": WED_10.isoformat(),
        "every_days": 14,
        "count": 2,
    }
    url = f"{SESSIONS}series/"
    first = persona("alice").api.post(url, payload, format="json", HTTP_IDEMPOTENCY_KEY="plan-1")
    assert first.status_code == 201
    again = persona("alice").api.post(
        url, {**payload, **changed}, format="json", HTTP_IDEMPOTENCY_KEY="plan-1"
    )
    assert_error(again, 422, "idempotency_key_reused")
    assert Session.objects.count() == 2


def test_ics_of_my_session(persona, alice, service, therapist):
    s = _session(alice, therapist, service, 2)
    r = persona("alice").api.get(f"{SESSIONS}{s.pk}/ics/")
    assert r.status_code == 200
    assert r["Content-Type"].startswith("text/calendar")
    assert f"session-{s.pk}.ics" in r["Content-Disposition"]
    text = r.content.decode()
    assert "BEGIN:VCALENDAR" in text and "DTSTART" in text


def test_ics_with_accept_header(persona, alice, service, therapist):
    s = _session(alice, therapist, service, 2)
    r = persona("alice").api.get(f"{SESSIONS}{s.pk}/ics/", HTTP_ACCEPT="text/calendar")
    assert r.status_code == 200 and b"BEGIN:VCALENDAR" in r.content


def test_booking_writes_are_throttled(persona, service, therapist, monkeypatch):
    from rest_framework.throttling import ScopedRateThrottle

    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"booking": "2/min"})
    codes = [
        book(persona("alice").api, service, therapist, start=local(2026, 12, 2 + i, 10)).status_code
        for i in range(3)
    ]
    assert codes[:2] == [201, 201]
    body = assert_error(
        book(persona("alice").api, service, therapist, start=local(2026, 12, 7, 10)),
        429,
        "throttled",
    )
    assert body["detail"]
    # Reading is not a booking write.
    assert persona("alice").api.get(SESSIONS).status_code == 200


def test_staff_override_a_race_rule_on_reschedule(persona, alice, service, therapist):
    mine = _session(alice, therapist, service, 2)
    RaceFactory(runner=alice, name="Behobia", start=local(2026, 12, 10, 10))
    url = f"{SESSIONS}{mine.pk}/reschedule/"
    new = local(2026, 12, 9, 10).isoformat()
    assert_error(persona("therapist").api.post(url, {"start": new}, format="json"), 400)
    r = persona("therapist").api.post(
        url, {"start": new, "override_reason": "Light flush, agreed"}, format="json"
    )
    assert r.status_code == 200, r.content
    mine.refresh_from_db()
    assert mine.start == local(2026, 12, 9, 10)
    assert mine.race_override_reason == "Light flush, agreed"
