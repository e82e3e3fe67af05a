"""The runner-facing API: my profile (GET/PATCH /api/v1/me/) and my race log
(/api/v1/races/). A runner reaches only their own data; staff get 403 here."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from devtools.factories import PASSWORD, RaceFactory, TherapistFactory
from runners.models import Race
from tests.support.api import assert_error

pytestmark = pytest.mark.django_db

ME = "/api/v1/me/"
RACES = "/api/v1/races/"


def test_me_shows_the_runners_own_profile(persona, alice):
    r = persona("alice").api.get(ME)
    assert r.status_code == 200
    body = r.json()
    assert body["email"] == "alice@runners.test"
    assert body["cadence"] == "fortnightly" and body["cadence_days"] == 14
    assert body["health_notes"] == alice.health_notes
    assert body["clinic"] == alice.clinic_id


def test_me_with_a_token(alice):
    client = APIClient()
    token = client.post(
        "/api/v1/auth/token/",
        {"email": "alice@runners.test", "password": PASSWORD},
        format="json",
    ).json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get(ME).json()["email"] == "alice@runners.test"


def test_patch_me_changes_cadence_reminders_therapist_notes_and_name(persona, alice, therapist):
    r = persona("alice").api.patch(
        ME,
        {
            "cadence": "monthly",
            "reminders_opt_in": False,
            "preferred_therapist": therapist.pk,
            "health_notes": "Right calf tightness",
            "discomfort_areas": ["legs", "lumbar"],
            "first_name": "Alicia",
            "language": "es",
        },
        format="json",
    )
    assert r.status_code == 200, r.json()
    alice.refresh_from_db()
    alice.user.refresh_from_db()
    assert alice.cadence == "monthly" and r.json()["cadence_days"] == 30
    assert alice.reminders_opt_in is False
    assert alice.preferred_therapist == therapist
    assert alice.health_notes == "Right calf tightness"
    assert alice.discomfort_areas == ["legs", "lumbar"]
    assert alice.user.first_name == "Alicia" and alice.user.language == "es"


def test_cadence_off_has_no_days(persona):
    r = persona("alice").api.patch(ME, {"cadence": "off"}, format="json")
    assert r.status_code == 200 and r.json()["cadence_days"] is None


@pytest.mark.parametrize(
    "payload",
    [
        {"cadence": "weekly"},
        {"timezone": "Mars/Olympus"},
        {"discomfort_areas": ["knees"]},
        {"preferred_therapist": 999999},
        {"reminders_opt_in": "perhaps"},
    ],
)
def test_patch_me_refuses_bad_values(persona, alice, payload):
    body = assert_error(persona("alice").api.patch(ME, payload, format="json"), 400)
    assert "errors" in body
    alice.refresh_from_db()
    assert alice.cadence == "fortnightly" and alice.timezone == "Europe/Madrid"


def test_preferred_therapist_must_work_at_the_runners_clinic(persona, other_therapist):
    assert_error(
        persona("alice").api.patch(ME, {"preferred_therapist": other_therapist.pk}, format="json"),
        400,
        "therapist_other_clinic",
    )


def test_email_is_read_only(persona, alice):
    persona("alice").api.patch(ME, {"email": "evil@example.com"}, format="json")
    alice.user.refresh_from_db()
    assert alice.user.email == "alice@runners.test"


def test_me_refuses_anonymous(persona):
    assert_error(persona(None).api.get(ME), 401)


@pytest.mark.parametrize("who", ["therapist", "other_therapist", "clinic_admin"])
def test_me_and_races_are_for_runners_only(persona, who):
    client = persona(who).api
    assert_error(client.get(ME), 403, "runners_only")
    assert_error(client.get(RACES), 403, "runners_only")
    assert_error(client.post(RACES, {"name": "x"}, format="json"), 403, "runners_only")


def test_a_new_runner_without_a_profile_gets_one_on_the_first_write(clinic):
    """Issue 13: a read never writes (403 no_runner_profile); the first write makes the
    profile, at the only clinic there is."""
    from clinic.models import User

    user = User.objects.create_user("new@runners.test", PASSWORD)
    client = APIClient()
    client.force_authenticate(user)
    assert_error(client.get(ME), 403, "no_runner_profile")
    assert client.patch(ME, {"cadence": "monthly"}, format="json").status_code == 200
    r = client.get(ME)
    assert r.status_code == 200 and r.json()["email"] == "new@runners.test"
    assert r.json()["clinic"] == clinic.pk


def test_put_is_not_offered(persona):
    assert_error(persona("alice").api.put(ME, {}, format="json"), 405)


def test_me_answers_in_spanish(persona):
    r = persona("alice").api.patch(
        ME, {"cadence": "weekly"}, format="json", HTTP_ACCEPT_LANGUAGE="es"
    )
    body = assert_error(r, 400)
    assert "no es una elección válida" in body["detail"]


def test_log_a_race_with_a_finish(persona, alice):
    r = persona("alice").api.post(
        RACES,
        {
            "name": "Valencia Marathon",
            "start": "2026-12-06T08:30:00+01:00",
            "finish": "2026-12-06T12:30:00+01:00",
            "distance_km": "42.2",
            "priority": "A",
        },
        format="json",
    )
    assert r.status_code == 201, r.json()
    body = r.json()
    race = Race.objects.get(pk=body["id"])
    assert race.runner == alice and race.priority == "A"
    assert race.start == datetime(2026, 12, 6, 7, 30, tzinfo=UTC)
    # Shown in the runner's zone, with its offset.
    assert body["start"] == "2026-12-06T08:30:00+01:00"
    assert body["finish"] == "2026-12-06T12:30:00+01:00"


def test_a_race_without_finish_gets_one_estimated_from_the_distance(persona):
    r = persona("alice").api.post(
        RACES,
        {"name": "San Silvestre", "start": "2026-12-31T18:00:00+01:00", "distance_km": "10"},
        format="json",
    )
    assert r.status_code == 201, r.json()
    race = Race.objects.get(pk=r.json()["id"])
    assert race.finish - race.start == timedelta(hours=1, minutes=15)
    assert r.json()["priority"] == "B"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"start": "2026-12-06T08:30:00+01:00"}, "name"),
        ({"name": "   ", "start": "2026-12-06T08:30:00+01:00"}, "name"),
        ({"name": "X"}, "start"),
        ({"name": "X", "start": "next sunday"}, "start"),
        ({"name": "X", "start": "2026-12-06T08:30:00"}, "start"),
        ({"name": "X", "start": "2026-12-06T08:30:00+01:00", "distance_km": "-5"}, "distance_km"),
        ({"name": "X", "start": "2026-12-06T08:30:00+01:00", "priority": "Z"}, "priority"),
        (
            {
                "name": "X",
                "start": "2026-12-06T08:30:00+01:00",
                "finish": "2026-12-06T08:00:00+01:00",
            },
            "finish",
        ),
    ],
)
def test_bad_races_are_refused_with_a_reason(persona, payload, field):
    body = assert_error(persona("alice").api.post(RACES, payload, format="json"), 400)
    assert field in body["errors"], body
    assert Race.objects.count() == 0


def test_a_naive_race_time_is_refused_with_its_own_code(persona):
    body = assert_error(
        persona("alice").api.post(
            RACES, {"name": "X", "start": "2026-12-06T08:30:00"}, format="json"
        ),
        400,
        "naive",
    )
    assert "offset" in body["detail"]


def test_list_shows_only_my_races_in_order(persona, alice, bob):
    later = RaceFactory(runner=alice, start=datetime(2027, 3, 1, 9, tzinfo=UTC))
    sooner = RaceFactory(runner=alice, start=datetime(2027, 1, 1, 9, tzinfo=UTC))
    RaceFactory(runner=bob, name="Bob's secret race")
    r = persona("alice").api.get(RACES)
    assert r.status_code == 200
    assert [x["id"] for x in r.json()["results"]] == [sooner.pk, later.pk]


def test_races_list_query_count_does_not_grow(persona, alice, django_assert_max_num_queries):
    for i in range(3):
        RaceFactory(runner=alice, start=datetime(2027, 1, 1 + i, 9, tzinfo=UTC))
    with django_assert_max_num_queries(4) as few:
        persona("alice").api.get(RACES)
    for i in range(20):
        RaceFactory(runner=alice, start=datetime(2027, 2, 1 + i, 9, tzinfo=UTC))
    with django_assert_max_num_queries(len(few.captured_queries)):
        r = persona("alice").api.get(RACES)
    assert r.json()["count"] == 23


def test_edit_a_race_and_reestimate_the_finish(persona, alice):
    race = RaceFactory(runner=alice, distance_km=Decimal("10"))
    r = persona("alice").api.patch(f"{RACES}{race.pk}/", {"distance_km": "21.1"}, format="json")
    assert r.status_code == 200, r.json()
    race.refresh_from_db()
    assert race.distance_km == Decimal("21.10")
    assert race.finish - race.start == timedelta(hours=2, minutes=30)


def test_edit_a_race_name_keeps_the_finish(persona, alice):
    race = RaceFactory(runner=alice)
    finish = race.finish
    r = persona("alice").api.patch(f"{RACES}{race.pk}/", {"name": "Renamed"}, format="json")
    assert r.status_code == 200
    race.refresh_from_db()
    assert race.name == "Renamed" and race.finish == finish


def test_delete_a_race(persona, alice):
    race = RaceFactory(runner=alice)
    assert persona("alice").api.delete(f"{RACES}{race.pk}/").status_code == 204
    assert not Race.objects.filter(pk=race.pk).exists()


def test_another_runners_race_is_not_found(persona, bob):
    race = RaceFactory(runner=bob, name="Bob's race")
    url = f"{RACES}{race.pk}/"
    assert_error(persona("alice").api.get(url), 404, "not_found")
    assert_error(persona("alice").api.patch(url, {"name": "Hacked"}, format="json"), 404)
    assert_error(persona("alice").api.delete(url), 404)
    race.refresh_from_db()
    assert race.name == "Bob's race"


def test_unknown_race_and_wrong_id_are_404(persona):
    assert_error(persona("alice").api.get(f"{RACES}999999/"), 404)


def test_races_anonymous_is_401(persona):
    assert_error(persona(None).api.get(RACES), 401)
    assert_error(persona(None).api.post(RACES, {}, format="json"), 401)


def test_staff_cannot_read_a_runners_health_notes_through_me(persona):
    TherapistFactory  # noqa: B018  (personas only)
    client = persona("therapist").api
    r = client.get(ME)
    assert r.status_code == 403
    assert "Achilles" not in r.content.decode()


def test_role_refusal_in_spanish(persona):
    client = persona("therapist").api
    body = assert_error(client.get(ME, HTTP_ACCEPT_LANGUAGE="es"), 403)
    assert body["detail"] == "Esta parte de la API es para corredores."


def test_upcoming_and_past_races(persona, alice, clock):
    gone = RaceFactory(runner=alice, start=clock.start - timedelta(days=3))
    soon = RaceFactory(runner=alice, start=clock.start + timedelta(days=3))
    later = RaceFactory(runner=alice, start=clock.start + timedelta(days=30))
    up = persona("alice").api.get(RACES, {"when": "upcoming"}).json()["results"]
    assert [r["id"] for r in up] == [soon.pk, later.pk]
    past = persona("alice").api.get(RACES, {"when": "past"}).json()["results"]
    assert [r["id"] for r in past] == [gone.pk]
    assert_error(persona("alice").api.get(RACES, {"when": "someday"}), 400, "invalid_when")
