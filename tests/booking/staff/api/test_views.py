"""Staff API: working hours, time off, attendance, report; who may do what."""

import pytest
import time_machine

from clinic.models import TimeOff
from tests.booking.staff.conftest import at

pytestmark = pytest.mark.django_db

NOW = at(2026, 11, 16, 8)


def hours_url(t):
    return f"/api/v1/therapists/{t.pk}/working-hours/"


def off_url(t):
    return f"/api/v1/therapists/{t.pk}/time-off/"


@time_machine.travel(NOW, tick=False)
def test_working_hours_get_and_put(therapist, therapist_api, make_session):
    r = therapist_api.get(hours_url(therapist))
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
    r = therapist_api.put(hours_url(therapist), body, format="json")
    assert r.status_code == 200, r.json()
    data = r.json()
    assert len(data["intervals"]) == 2
    assert [w["session"] for w in data["sessions_in_the_way"]] == [late.pk]
    assert data["sessions_in_the_way"][0]["reason"] == "outside_hours"


@time_machine.travel(NOW, tick=False)
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
def test_working_hours_bad_input_is_400_with_code(therapist, therapist_api, intervals, code):
    r = therapist_api.put(
        hours_url(therapist), {"valid_from": "2026-12-01", "intervals": intervals}, format="json"
    )
    assert r.status_code == 400
    assert r.json()["code"] == code and r.json()["detail"]


@time_machine.travel(NOW, tick=False)
def test_working_hours_cannot_start_in_the_past(therapist, therapist_api):
    r = therapist_api.put(
        hours_url(therapist), {"valid_from": "2026-11-01", "intervals": []}, format="json"
    )
    assert r.status_code == 400 and r.json()["code"] == "valid_from_in_past"


@time_machine.travel(NOW, tick=False)
def test_time_off_post_list_delete(therapist, therapist_api, make_session):
    s = make_session(at(2026, 11, 18, 10))
    r = therapist_api.post(
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
    assert [o["id"] for o in therapist_api.get(off_url(therapist)).json()["results"]] == [pk]
    r = therapist_api.post(
        off_url(therapist),
        {"start": "2026-11-18T12:00:00+01:00", "end": "2026-11-18T09:00:00+01:00"},
        format="json",
    )
    assert r.status_code == 400 and r.json()["code"] == "time_off_end_before_start"
    assert therapist_api.delete(f"{off_url(therapist)}{pk}/").status_code == 204
    assert not TimeOff.objects.exists()


def test_attendance_endpoint(therapist, therapist_api, make_session):
    s = make_session(at(2026, 11, 18, 10))
    url = f"/api/v1/sessions/{s.pk}/attendance/"
    with time_machine.travel(at(2026, 11, 18, 9), tick=False):
        r = therapist_api.post(url, {"status": "attended"}, format="json")
    assert r.status_code == 400 and r.json()["code"] == "not_started"
    with time_machine.travel(at(2026, 11, 18, 10, 30), tick=False):
        r = therapist_api.post(
            url,
            {
                "status": "attended",
                "areas_treated": ["legs"],
                "mobilisation_done": True,
                "note": "ok",
            },
            format="json",
        )
    assert r.status_code == 200, r.json()
    assert r.json()["status"] == "attended" and r.json()["areas_treated"] == ["legs"]
    with time_machine.travel(at(2026, 11, 18, 10, 30), tick=False):
        r = therapist_api.post(url, {"status": "maybe"}, format="json")
    assert r.status_code == 400 and r.json()["code"] == "invalid"


def test_report_endpoint(clinic, admin_api, make_session):
    make_session(at(2026, 11, 2, 10), "attended")
    make_session(at(2026, 11, 3, 10), "no_show")
    r = admin_api.get("/api/v1/reports/attendance/?start=2026-11-01&end=2026-11-30&group_by=month")
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
        r = admin_api.get(f"/api/v1/reports/attendance/?{q}")
        assert r.status_code == 400 and r.json()["code"] == code


def test_anonymous_is_refused_everywhere(api, therapist, make_session):
    s = make_session(at(2026, 11, 18, 10))
    for method, url in [
        ("get", hours_url(therapist)),
        ("put", hours_url(therapist)),
        ("get", off_url(therapist)),
        ("post", off_url(therapist)),
        ("post", f"/api/v1/sessions/{s.pk}/attendance/"),
        ("get", "/api/v1/reports/attendance/"),
    ]:
        assert getattr(api, method)(url).status_code in (401, 403), url


def test_runner_is_403_everywhere(runner_api, therapist, make_session):
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
        assert getattr(runner_api, method)(url, {}, format="json").status_code == 403, url


def test_other_clinic_is_404(
    therapist_api, admin_api, other_therapist, other_session, other_clinic
):
    for client in (therapist_api, admin_api):
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
    assert admin_api.get(f"/api/v1/reports/attendance/?clinic={other_clinic.pk}").status_code == 404
    assert (
        admin_api.get(f"/api/v1/reports/attendance/?therapist={other_therapist.pk}").status_code
        == 404
    )


def test_therapist_edits_only_own_schedule_and_sees_no_reports(therapist_api, clinic):
    from devtools.factories import TherapistFactory

    colleague = TherapistFactory(clinic=clinic)
    assert therapist_api.get(hours_url(colleague)).status_code == 403
    assert therapist_api.post(off_url(colleague), {}, format="json").status_code == 403
    assert therapist_api.get("/api/v1/reports/attendance/").status_code == 403


def test_clinic_admin_manages_a_therapists_schedule(admin_api, therapist):
    assert admin_api.get(hours_url(therapist)).status_code == 200
    assert admin_api.get(off_url(therapist)).status_code == 200


def test_time_off_of_another_therapist_cannot_be_deleted_via_own_url(
    therapist, therapist_api, other_therapist
):
    from devtools.factories import TimeOffFactory

    off = TimeOffFactory(therapist=other_therapist)
    assert therapist_api.delete(f"{off_url(therapist)}{off.pk}/").status_code == 404
    assert TimeOff.objects.filter(pk=off.pk).exists()
