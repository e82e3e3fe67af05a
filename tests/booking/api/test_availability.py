"""GET /api/v1/availability/: slots in clinic time with offsets, race windows for a
signed-in runner, coded 400s for bad parameters, a fixed number of queries."""

from datetime import timedelta

import pytest

from devtools.factories import RaceFactory, ServiceFactory, TherapistFactory
from tests.support.api import assert_error
from tests.support.api_fixtures import local

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

URL = "/api/v1/availability/"


def _get(client, **params):
    return client.get(URL, params)


def test_anonymous_sees_slots_in_clinic_time(persona, service, therapist):
    r = _get(persona(None).api, service=service.pk, start="2026-12-02", end="2026-12-02")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["timezone"] == "Europe/Madrid"
    assert body["blocked"] == []
    starts = [s["start"] for s in body["slots"]]
    assert "2026-12-02T09:00:00+01:00" in starts
    # A 60-minute service ends by 14:00 before the break and by 20:00 at night.
    assert "2026-12-02T13:00:00+01:00" in starts
    assert "2026-12-02T13:15:00+01:00" not in starts
    assert "2026-12-02T19:00:00+01:00" in starts
    first = body["slots"][0]
    assert first == {
        "start": "2026-12-02T09:00:00+01:00",
        "end": "2026-12-02T10:00:00+01:00",
        "therapist": therapist.pk,
        "ideal": False,
    }


def test_therapist_filter(persona, service, therapist, clinic):
    other = TherapistFactory(clinic=clinic, display_name="Pablo")
    all_slots = _get(persona(None).api, service=service.pk, start="2026-12-02", end="2026-12-02")
    assert {s["therapist"] for s in all_slots.json()["slots"]} == {therapist.pk, other.pk}
    one = _get(
        persona(None).api,
        service=service.pk,
        start="2026-12-02",
        end="2026-12-02",
        therapist=other.pk,
    )
    assert {s["therapist"] for s in one.json()["slots"]} == {other.pk}


def test_runner_sees_race_windows_and_loses_the_blocked_slots(persona, alice, service, therapist):
    race = RaceFactory(
        runner=alice,
        name="Valencia 10K",
        start=local(2026, 12, 5, 9),
        finish=local(2026, 12, 5, 10),
    )
    r = _get(persona("alice").api, service=service.pk, start="2026-12-02", end="2026-12-08")
    assert r.status_code == 200
    body = r.json()
    codes = {b["code"] for b in body["blocked"]}
    assert codes == {"too_close_before_race", "too_soon_after_race"}
    for window in body["blocked"]:
        assert window["race"] == {"id": race.pk, "name": "Valencia 10K"}
        assert "Valencia 10K" in window["detail"]
        assert window["start"].endswith("+01:00")
    starts = {s["start"] for s in body["slots"]}
    # 48 h before the 09:00 start: Thursday 09:00 ends at 10:00, inside the window.
    assert "2026-12-03T09:00:00+01:00" not in starts
    assert "2026-12-02T09:00:00+01:00" in starts
    # The same range for someone without races keeps the Thursday slot.
    anon = _get(
        persona("alice").api.__class__(), service=service.pk, start="2026-12-03", end="2026-12-03"
    )
    assert "2026-12-03T09:00:00+01:00" in {s["start"] for s in anon.json()["slots"]}


def test_a_due_runner_gets_ideal_slots(persona, service, therapist):
    r = _get(persona("alice").api, service=service.pk, start="2026-12-01", end="2026-12-14")
    assert any(s["ideal"] for s in r.json()["slots"])


def test_staff_may_look_as_a_runner(persona, alice, service, therapist):
    RaceFactory(runner=alice, start=local(2026, 12, 5, 9), finish=local(2026, 12, 5, 10))
    r = _get(
        persona("therapist").api,
        service=service.pk,
        start="2026-12-02",
        end="2026-12-08",
        runner=alice.pk,
    )
    assert r.status_code == 200
    assert r.json()["blocked"]


def test_staff_of_another_clinic_cannot_look_as_our_runner(persona, alice, service):
    assert_error(
        _get(
            persona("other_therapist").api,
            service=service.pk,
            start="2026-12-02",
            end="2026-12-02",
            runner=alice.pk,
        ),
        403,
        "other_clinic",
    )


def test_dst_offsets_on_both_sides_of_the_change(persona, service, therapist, clock):
    clock.move_to(local(2026, 10, 20, 8))
    r = _get(persona(None).api, service=service.pk, start="2026-10-23", end="2026-10-26")
    starts = {s["start"] for s in r.json()["slots"]}
    assert "2026-10-23T09:00:00+02:00" in starts  # Friday, summer time
    assert "2026-10-26T09:00:00+01:00" in starts  # Monday, winter time
    assert not any(s.startswith("2026-10-24") or s.startswith("2026-10-25") for s in starts)


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"service": None, "start": "2026-12-02", "end": "2026-12-02"}, "invalid"),
        ({"service": "abc", "start": "2026-12-02", "end": "2026-12-02"}, "invalid"),
        ({"service": 999999, "start": "2026-12-02", "end": "2026-12-02"}, "unknown_service"),
        ({"start": "2026-13-01", "end": "2026-12-02"}, "invalid_date"),
        ({"start": "tomorrow", "end": "2026-12-02"}, "invalid_date"),
        ({"start": "2026-12-02"}, "invalid"),
        ({"start": "2026-12-10", "end": "2026-12-02"}, "inverted_range"),
        ({"start": "2026-12-01", "end": "2027-02-01"}, "range_too_long"),
        ({"start": "2026-12-02", "end": "2026-12-02", "therapist": 999999}, "unknown_therapist"),
        ({"start": "0001-01-01", "end": "0001-01-02"}, "date_out_of_range"),
        ({"start": "9999-12-30", "end": "9999-12-31"}, "date_out_of_range"),
    ],
)
def test_bad_parameters_are_400_with_a_code(persona, service, params, code):
    params = {"service": service.pk, **params}
    params = {k: v for k, v in params.items() if v is not None}
    body = assert_error(persona(None).api.get(URL, params), 400, code)
    assert "errors" in body


def test_62_days_is_the_most(persona, service, therapist):
    r = _get(persona(None).api, service=service.pk, start="2026-12-01", end="2027-01-31")
    assert r.status_code == 200


def test_inactive_service_is_unknown(persona, clinic):
    service = ServiceFactory(clinic=clinic, active=False)
    assert_error(
        _get(persona(None).api, service=service.pk, start="2026-12-02", end="2026-12-02"),
        400,
        "unknown_service",
    )


def test_therapist_of_another_clinic(persona, service, other_therapist):
    assert_error(
        _get(
            persona(None).api,
            service=service.pk,
            start="2026-12-02",
            end="2026-12-02",
            therapist=other_therapist.pk,
        ),
        400,
        "therapist_other_clinic",
    )


def test_errors_in_spanish(persona, service):
    body = assert_error(
        persona(None).api.get(
            URL,
            {"service": service.pk, "start": "2026-12-10", "end": "2026-12-02"},
            HTTP_ACCEPT_LANGUAGE="es",
        ),
        400,
        "inverted_range",
    )
    assert "fecha" in body["detail"]


def test_query_count_does_not_grow_with_range_or_therapists(
    persona, alice, service, therapist, clinic, django_assert_max_num_queries
):
    RaceFactory(runner=alice, start=local(2026, 12, 20, 9), finish=local(2026, 12, 20, 11))
    with django_assert_max_num_queries(20) as one_day:
        _get(persona("alice").api, service=service.pk, start="2026-12-02", end="2026-12-02")
    baseline = len(one_day.captured_queries)
    for _ in range(5):
        TherapistFactory(clinic=clinic)
    with django_assert_max_num_queries(baseline):
        r = _get(persona("alice").api, service=service.pk, start="2026-12-01", end="2027-01-29")
    assert len(r.json()["slots"]) > 1000
    assert (local(2027, 1, 29, 0) - local(2026, 12, 1, 0)) > timedelta(days=58)
