"""Staff API: working hours, time off, attendance, report; who may do what."""

import pytest

from clinic.models import TimeOff
from tests.booking.staff.conftest import at

pytestmark = pytest.mark.django_db

NOW = at(2026, 11, 16, 8)


def hours_url(t):
    return f"/api/v1/therapists/{t.pk}/working-hours/"


def off_url(t):
    return f"/api/v1/therapists/{t.pk}/time-off/"


@pytest.mark.clock(NOW)
def test_working_hours_get_and_put(therapist, persona, make_session):
    r = persona("therapist").api.get(hours_url(therapist))
    assert r.status_code == 200
    assert r.json()["intervals"][0] == {"weekday": 0, "start": "09:00", "end": "14:00"}
    late = make_session(at(2026, 12, 1, 17))
    body = {
        "valid_from": "2026-12-01",
        "intervals": [
            {"weekday": 1, "start": "08:00", "end": "12:00"},
            {"weekday": 1, "start": "12:30", "end": "15:00"},
        ],
    }
    r = persona("therapist").api.put(hours_url(therapist), body, format="json")
    assert r.status_code == 200, r.json()
    data = r.json()
    assert len(data["intervals"]) == 2
    assert [w["session"] for w in data["sessions_in_the_way"]] == [late.pk]
    assert data["sessions_in_the_way"][0]["reason"] == "outside_hours"


@pytest.mark.clock(NOW)
@pytest.mark.parametrize(
    "intervals,code",
    [
        (
            [
                {"weekday": 1, "start": "09:00", "end": "12:00"},
                {"weekday": 1, "start": "11:00", "end": "13:00"},
            ],
            "hours_overlap",
        ),
        ([{"weekday": 1, "start": "12:00", "end": "09:00"}], "hours_end_before_start"),
        ([{"weekday": 9, "start": "09:00", "end": "12:00"}], "invalid"),
        ([{"weekday": 1, "start": "nine", "end": "12:00"}], "invalid"),
    ],
)
def test_working_hours_bad_input_is_400_with_code(therapist, persona, intervals, code):
    r = persona("therapist").api.put(
        hours_url(therapist), {"valid_from": "2026-12-01", "intervals": intervals}, format="json"
    )
    assert r.status_code == 400
    assert r.json()["code"] == code and r.json()["detail"]


@pytest.mark.clock(NOW)
def test_working_hours_cannot_start_in_the_past(therapist, persona):
    r = persona("therapist").api.put(
        hours_url(therapist), {"valid_from": "2026-11-01", "intervals": []}, format="json"
    )
    assert r.status_code == 400 and r.json()["code"] == "valid_from_in_past"


@pytest.mark.clock(NOW)
def test_time_off_post_list_delete(therapist, persona, make_session):
    s = make_session(at(2026, 11, 18, 10))
    r = persona("therapist").api.post(
        off_url(therapist),
        {
            "start": "2026-11-18T00:00:00+01:00",
            "end": "2026-11-19T00:00:00+01:00",
            "reason": "Course",
        },
        format="json",
    )
    assert r.status_code == 201, r.json()
    assert [w["session"] for w in r.json()["sessions_in_the_way"]] == [s.pk]
    pk = r.json()["id"]
    assert [
        o["id"] for o in persona("therapist").api.get(off_url(therapist)).json()["results"]
    ] == [pk]
    r = persona("therapist").api.post(
        off_url(therapist),
        {"start": "2026-11-18T12:00:00+01:00", "end": "2026-11-18T09:00:00+01:00"},
        format="json",
    )
    assert r.status_code == 400 and r.json()["code"] == "time_off_end_before_start"
    assert persona("therapist").api.delete(f"{off_url(therapist)}{pk}/").status_code == 204
    assert not TimeOff.objects.exists()


def test_attendance_endpoint(clock, therapist, persona, make_session):
    s = make_session(at(2026, 11, 18, 10))
    url = f"/api/v1/sessions/{s.pk}/attendance/"
    clock.move_to(at(2026, 11, 18, 9))
    r = persona("therapist").api.post(url, {"status": "attended"}, format="json")
    assert r.status_code == 400 and r.json()["code"] == "not_started"
    clock.move_to(at(2026, 11, 18, 10, 30))
    r = persona("therapist").api.post(
        url,
        {
            "status": "attended",
            "areas_treated": {"calves": "right", "glutes": "both"},
            "mobilisation_done": True,
            "discomfort_before": 8,
            "discomfort_after": 4,
            "note": "ok",
        },
        format="json",
    )
    assert r.status_code == 200, r.json()
    body = r.json()
    assert body["status"] == "attended"
    assert body["areas_treated"] == {"calves": "right", "glutes": "both"}
    assert (body["discomfort_before"], body["discomfort_after"]) == (8, 4)
    for bad, code in [
        ({"areas_treated": {"knee": "both"}}, "invalid_areas"),
        ({"areas_treated": {"calves": "up"}}, "invalid"),
        ({"discomfort_after": 11}, "invalid"),
    ]:
        r = persona("therapist").api.post(url, {"status": "attended", **bad}, format="json")
        assert r.status_code == 400 and r.json()["code"] == code, r.json()
    clock.move_to(at(2026, 11, 18, 10, 30))
    r = persona("therapist").api.post(url, {"status": "maybe"}, format="json")
    assert r.status_code == 400 and r.json()["code"] == "invalid"
    # A no-show ignores the treatment sent with it, and clears the record.
    r = persona("therapist").api.post(
        url, {"status": "no_show", "areas_treated": {"calves": "left"}}, format="json"
    )
    assert r.status_code == 200 and r.json()["areas_treated"] == {}


def test_report_endpoint(clinic, persona, make_session):
    make_session(at(2026, 11, 2, 10), "attended")
    make_session(at(2026, 11, 3, 10), "no_show")
    r = persona("clinic_admin").api.get(
        "/api/v1/reports/attendance/?start=2026-11-01&end=2026-11-30&group_by=month"
    )
    assert r.status_code == 200
    body = r.json()
    assert body["rows"] == [
        {
            "period": "2026-11-01",
            "booked": 2,
            "attended": 1,
            "no_show": 1,
            "cancelled": 0,
            "late_cancelled": 0,
            "pending": 0,
            "attendance_rate": 0.5,
        }
    ]
    for q, code in [
        ("start=2026-11-30&end=2026-11-01", "end_before_start"),
        ("start=nope", "invalid_date"),
        ("group_by=year", "invalid_group_by"),
    ]:
        r = persona("clinic_admin").api.get(f"/api/v1/reports/attendance/?{q}")
        assert r.status_code == 400 and r.json()["code"] == code


def test_anonymous_is_refused_everywhere(persona, therapist, make_session):
    s = make_session(at(2026, 11, 18, 10))
    for method, url in [
        ("get", hours_url(therapist)),
        ("put", hours_url(therapist)),
        ("get", off_url(therapist)),
        ("post", off_url(therapist)),
        ("post", f"/api/v1/sessions/{s.pk}/attendance/"),
        ("get", "/api/v1/reports/attendance/"),
    ]:
        assert getattr(persona(None).api, method)(url).status_code in (401, 403), url


def test_runner_is_403_everywhere(persona, therapist, make_session):
    s = make_session(at(2026, 11, 18, 10))
    for method, url in [
        ("get", hours_url(therapist)),
        ("put", hours_url(therapist)),
        ("get", off_url(therapist)),
        ("post", off_url(therapist)),
        ("delete", f"{off_url(therapist)}1/"),
        ("post", f"/api/v1/sessions/{s.pk}/attendance/"),
        ("get", "/api/v1/reports/attendance/"),
    ]:
        assert getattr(persona("alice").api, method)(url, {}, format="json").status_code == 403, url


def test_other_clinic_is_404(persona, other_therapist, other_session, other_clinic):
    for client in (persona("therapist").api, persona("clinic_admin").api):
        assert client.get(hours_url(other_therapist)).status_code == 404
        assert client.put(hours_url(other_therapist), {}, format="json").status_code == 404
        assert client.get(off_url(other_therapist)).status_code == 404
        assert client.post(off_url(other_therapist), {}, format="json").status_code == 404
        assert (
            client.post(
                f"/api/v1/sessions/{other_session.pk}/attendance/",
                {"status": "attended"},
                format="json",
            ).status_code
            == 404
        )
    assert (
        persona("clinic_admin")
        .api.get(f"/api/v1/reports/attendance/?clinic={other_clinic.pk}")
        .status_code
        == 404
    )
    assert (
        persona("clinic_admin")
        .api.get(f"/api/v1/reports/attendance/?therapist={other_therapist.pk}")
        .status_code
        == 404
    )


def test_therapist_edits_only_own_schedule_and_sees_no_reports(persona, clinic):
    from devtools.factories import TherapistFactory

    colleague = TherapistFactory(clinic=clinic)
    assert persona("therapist").api.get(hours_url(colleague)).status_code == 403
    assert persona("therapist").api.post(off_url(colleague), {}, format="json").status_code == 403
    assert persona("therapist").api.get("/api/v1/reports/attendance/").status_code == 403


def test_clinic_admin_manages_a_therapists_schedule(persona, therapist):
    assert persona("clinic_admin").api.get(hours_url(therapist)).status_code == 200
    assert persona("clinic_admin").api.get(off_url(therapist)).status_code == 200


def test_time_off_of_another_therapist_cannot_be_deleted_via_own_url(
    therapist, persona, other_therapist
):
    from devtools.factories import TimeOffFactory

    off = TimeOffFactory(therapist=other_therapist)
    assert persona("therapist").api.delete(f"{off_url(therapist)}{off.pk}/").status_code == 404
    assert TimeOff.objects.filter(pk=off.pk).exists()
