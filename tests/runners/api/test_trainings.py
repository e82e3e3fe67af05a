"""The training API (issue 20): /api/v1/trainings/ (list, create, edit, delete, import
with a preview), answered with `affected_sessions` like a race; the booking API refuses a
massage too soon after a demanding training and warns of one planned the day after."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from devtools import activity_files as af
from devtools.factories import SessionFactory, TrainingFactory
from runners.models import Training
from tests.support.api import assert_error
from tests.support.api_fixtures import local

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

TRAININGS = "/api/v1/trainings/"
SESSIONS = "/api/v1/sessions/"


def test_log_edit_and_delete_a_training(persona, alice):
    api = persona("alice").api
    r = api.post(
        TRAININGS,
        {
            "start": "2026-11-29T08:00:00+01:00",
            "minutes": 150,
            "distance_km": "30",
            "kind": "long",
            "rpe": 7,
        },
        format="json",
    )
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["finish"] == "2026-11-29T10:30:00+01:00" and body["pace_seconds_per_km"] == 300
    assert body["demanding"] == "rpe" and body["affected_sessions"] == []
    assert body["source"] == "manual" and body["timezone"] == "Europe/Madrid"
    patched = api.patch(f"{TRAININGS}{body['id']}/", {"rpe": 4, "minutes": 40}, format="json")
    assert patched.json()["finish"] == "2026-11-29T08:40:00+01:00"
    assert patched.json()["demanding"] == "far"  # 30 km without recent history (18 km)
    assert api.delete(f"{TRAININGS}{body['id']}/").status_code == 204
    assert not Training.objects.exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"start": "2026-11-29T08:00:00", "minutes": 30}, "start"),  # no offset
        ({"start": "2026-11-29T08:00:00Z", "minutes": 0}, "minutes"),
        ({"start": "2026-11-29T08:00:00Z", "minutes": 30, "rpe": 11}, "rpe"),
        ({"start": "2026-11-29T08:00:00Z", "minutes": 30, "kind": "swim"}, "kind"),
    ],
)
def test_bad_values_are_a_400_with_a_code(persona, alice, payload, field):
    r = persona("alice").api.post(TRAININGS, payload, format="json")
    assert r.status_code == 400 and field in str(r.json())
    assert Training.objects.count() == 0


def test_a_runner_sees_only_their_own(persona, alice, bob):
    mine = TrainingFactory(runner=alice)
    TrainingFactory(runner=bob)
    listed = persona("alice").api.get(TRAININGS).json()
    listed = listed.get("results", listed) if isinstance(listed, dict) else listed
    assert [t["id"] for t in listed] == [mine.pk]
    assert persona("bob").api.get(f"{TRAININGS}{mine.pk}/").status_code == 404
    assert persona("therapist").api.get(TRAININGS).status_code == 403


def test_the_list_is_a_fixed_number_of_queries(persona, alice, django_assert_max_num_queries):
    api = persona("alice").api
    for n in range(3):
        TrainingFactory(runner=alice, start=local(2026, 11, 20 + n, 8))
    api.get(TRAININGS)
    with django_assert_max_num_queries(9) as few:
        api.get(TRAININGS)
    for n in range(40):
        TrainingFactory(runner=alice, start=local(2026, 10, 1, 8) + timedelta(days=n))
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = api.get(TRAININGS).json()
    body = body.get("results", body) if isinstance(body, dict) else body
    assert len(body) >= 20 and all("demanding" in t for t in body)


def _upload(api, name, data, **extra):
    return api.post(
        f"{TRAININGS}import/",
        {"file": SimpleUploadedFile(name, data), **extra},
        format="multipart",
    )


def test_import_a_week_with_a_preview_first(persona, alice):
    api = persona("alice").api
    week = {
        f"day-{n}.gpx": af.gpx_bytes(local(2026, 11, 23 + n, 7), 45, 8, every=60) for n in range(6)
    }
    week["sunday.fit"] = af.fit_bytes(
        local(2026, 11, 29, 8),
        [af.Lap(60, 12000, 150), af.Lap(90, 18000, 158)],
        local_offset=timedelta(hours=1),  # the watch was in Madrid
        every=60,
    )
    upload = af.zip_bytes(week)
    preview = _upload(api, "export.zip", upload, preview="true")
    assert preview.status_code == 200, preview.json()
    assert preview.json()["preview"] is True and len(preview.json()["activities"]) == 7
    assert not Training.objects.exists()
    saved = _upload(api, "export.zip", upload)
    assert saved.status_code == 201
    created = saved.json()["created"]
    assert len(created) == 7 and Training.objects.filter(runner=alice).count() == 7
    sunday = next(t for t in created if t["source"] == "fit")
    assert sunday["minutes"] == 150 and sunday["demanding"] == "long"
    assert sunday["avg_hr"] and sunday["start"] == "2026-11-29T08:00:00+01:00"
    # Again: every one is already in the log.
    again = _upload(api, "export.zip", upload).json()
    assert again["created"] == [] and all(a["problem"] for a in again["activities"])


def test_a_50_mb_file_and_a_non_activity_are_refused(persona, alice):
    api = persona("alice").api
    r = _upload(api, "huge.fit", b"\0" * (50 * 1024 * 1024))
    assert_error(r, 400, "file_too_big")
    assert_error(_upload(api, "notes.txt", b"hello"), 400, "invalid_file")


def test_refused_after_a_long_run_and_warned_of_intervals_the_day_after(
    persona, alice, service, therapist
):
    api = persona("alice").api
    api.post(
        TRAININGS,
        {"start": "2026-12-02T06:30:00+01:00", "minutes": 180, "distance_km": "30", "kind": "long"},
        format="json",
    )
    refused = api.post(
        SESSIONS,
        {"service": service.pk, "therapist": therapist.pk, "start": "2026-12-02T11:30:00+01:00"},
        format="json",
    )
    body = assert_error(refused, 400, "too_soon_after_training")
    assert "long run" in body["detail"] and len(body["suggestions"]) == 3
    api.post(
        TRAININGS,
        {"start": "2026-12-04T19:00:00+01:00", "minutes": 60, "kind": "intervals", "planned": True},
        format="json",
    )
    booked = api.post(
        SESSIONS,
        {"service": service.pk, "therapist": therapist.pk, "start": "2026-12-03T17:00:00+01:00"},
        format="json",
    )
    assert booked.status_code == 201, booked.json()
    (warning,) = booked.json()["warnings"]
    assert warning["code"] == "demanding_training_next_day"
    assert "swap it for an easy run, or move the massage" in warning["detail"]


def test_a_training_logged_later_answers_with_the_sessions_it_clashes_with(
    persona, alice, service, therapist
):
    session = SessionFactory(
        runner=alice, therapist=therapist, service=service, start=local(2026, 12, 2, 11)
    )
    api = persona("alice").api
    r = api.post(
        TRAININGS,
        {"start": "2026-12-02T07:00:00+01:00", "minutes": 50, "kind": "intervals"},
        format="json",
    )
    (affected,) = r.json()["affected_sessions"]
    assert affected["session"] == session.pk and affected["code"] == "too_soon_after_training"
    assert affected["start"] == "2026-12-02T11:00:00+01:00"
    (conflict,) = api.get(f"{SESSIONS}{session.pk}/").json()["race_conflicts"]
    assert conflict == {
        "effort": "training",
        "training": r.json()["id"],
        "code": "too_soon_after_training",
        "detail": affected["detail"],
    }
