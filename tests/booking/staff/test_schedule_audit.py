"""Every schedule change is kept: who, when, before and after; listed on the pages."""

from datetime import date, time

import pytest
from django.urls import reverse

from clinic import services as schedule
from clinic.models import ScheduleChange, WorkingHours
from tests.booking.staff.conftest import at

pytestmark = pytest.mark.django_db

NOW = at(2026, 11, 18, 9)


@pytest.mark.clock(NOW)
def test_hours_and_time_off_changes_are_audited_with_before_and_after(therapist, clinic_admin):
    schedule.working_hours_replace(
        therapist=therapist,
        intervals=[schedule.Interval(0, time(9), time(14))],
        valid_from=date(2026, 12, 1),
        by=therapist.user,
    )
    off = schedule.time_off_add(
        therapist=therapist,
        start=at(2026, 12, 4, 0),
        end=at(2026, 12, 5, 0),
        reason="Course",
        by=therapist.user,
    )
    off.reason = "Congress"
    schedule.time_off_save(time_off=off, by=clinic_admin)
    schedule.time_off_remove(time_off=off, by=clinic_admin)
    row = WorkingHours.objects.get(therapist=therapist, valid_from=date(2026, 12, 1))
    schedule.working_hours_delete(row=row, by=clinic_admin)
    changes = list(ScheduleChange.objects.order_by("id"))
    assert [(c.kind, c.by) for c in changes] == [
        ("hours", therapist.user),
        ("time_off", therapist.user),
        ("time_off", clinic_admin),
        ("time_off", clinic_admin),
        ("hours", clinic_admin),
    ]
    assert changes[0].after == {"hours": {"0": ["09:00-14:00"]}, "from": "2026-12-01"}
    assert changes[0].before["hours"] != changes[0].after["hours"]
    assert changes[1].before is None
    assert changes[1].after == {
        "start": "2026-12-04 00:00",
        "end": "2026-12-05 00:00",
        "reason": "Course",
    }
    assert (changes[2].before["reason"], changes[2].after["reason"]) == ("Course", "Congress")
    assert changes[3].after is None and changes[4].after is None
    assert all(c.at == NOW for c in changes)


@pytest.mark.clock(NOW)
def test_the_changes_are_listed_on_the_schedule_pages(persona, client, therapist):
    client = persona("therapist").page
    r = client.post(reverse("staff:hours"), {"valid_from": "2026-12-01", "day_0": "08:00-12:00"})
    assert r.status_code == 302
    html = client.get(reverse("staff:hours")).content.decode()
    assert "Schedule changes" in html and "Monday: 08:00-12:00" in html
    assert therapist.user.get_full_name() in html
    r = client.post(
        reverse("staff:time-off"),
        {"start_date": "2026-11-20", "end_date": "2026-11-20", "reason": "Course"},
    )
    html = client.get(reverse("staff:time-off")).content.decode()
    assert "2026-11-20 00:00 – 2026-11-21 00:00 (Course)" in html
    html = client.get(reverse("staff:time-off"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Cambios de horario" in html


@pytest.mark.clock(NOW)
def test_time_off_can_be_edited_and_the_sessions_in_the_way_follow(
    persona, client, therapist, make_session
):
    from clinic.models import TimeOff

    friday = make_session(at(2026, 11, 20, 10))
    off = schedule.time_off_add(
        therapist=therapist, start=at(2026, 11, 19, 0), end=at(2026, 11, 20, 0), reason="Course"
    )
    client = persona("therapist").page
    url = reverse("staff:time-off-edit", args=[off.pk])
    html = client.get(url).content.decode()
    assert 'value="2026-11-19"' in html and 'value="Course"' in html
    r = client.post(url, {"start_date": "2026-11-19", "end_date": "2026-11-18"})
    assert r.status_code == 400 and "ends before it starts" in r.content.decode()
    r = client.post(
        url,
        {
            "start_date": "2026-11-19",
            "end_date": "2026-11-20",
            "end_time": "12:00",
            "reason": "Course",
        },
    )
    assert r.status_code == 302
    off = TimeOff.objects.get()
    assert (off.start, off.end) == (at(2026, 11, 19, 0), at(2026, 11, 20, 12))
    assert (
        reverse("staff:session-move", args=[friday.pk])
        in client.get(r["Location"]).content.decode()
    )
    assert ScheduleChange.objects.filter(kind="time_off", by=therapist.user).count() == 1


@pytest.mark.clock(NOW)
def test_working_hours_with_time_fields_add_and_remove_intervals(persona, client, therapist):
    client = persona("therapist").page
    html = client.get(reverse("staff:hours")).content.decode()
    # Monday's two intervals as time fields, and one empty pair to add another.
    assert 'name="d0_0_start" value="09:00"' in html and 'name="d0_1_end" value="20:00"' in html
    assert 'name="d0_2_start"' in html and 'type="time"' in html
    # "Add an interval" without JavaScript: the same page, one more empty pair on Tuesday.
    r = client.post(
        reverse("staff:hours"), {"valid_from": "2026-12-01", "d1_rows": "1", "add": "1"}
    )
    assert r.status_code == 200 and 'name="d1_1_start"' in r.content.decode()
    assert not ScheduleChange.objects.exists()
    r = client.post(
        reverse("staff:hours"),
        {
            "valid_from": "2026-12-01",
            **{f"d{d}_rows": "1" for d in range(7)},
            "d0_rows": "3",
            "d0_0_start": "09:00",
            "d0_0_end": "14:00",
            "d0_1_start": "15:00",
            "d0_1_end": "20:00",
            "d0_1_remove": "on",  # Monday afternoon off from December
            "d0_2_start": "16:00",
            "d0_2_end": "00:00",  # until the end of the day
            "d2_0_start": "08:00",  # the end is missing
        },
    )
    assert r.status_code == 400 and "give both the start and the end" in r.content.decode()
    assert not WorkingHours.objects.filter(valid_from=date(2026, 12, 1)).exists()
    r = client.post(
        reverse("staff:hours"),
        {
            "valid_from": "2026-12-01",
            "d0_rows": "3",
            "d0_0_start": "09:00",
            "d0_0_end": "14:00",
            "d0_1_start": "15:00",
            "d0_1_end": "20:00",
            "d0_1_remove": "on",
            "d0_2_start": "16:00",
            "d0_2_end": "00:00",
        },
    )
    assert r.status_code == 302
    rows = WorkingHours.objects.filter(therapist=therapist, valid_from=date(2026, 12, 1))
    assert sorted((r.weekday, r.start_time, r.end_time) for r in rows) == [
        (0, time(9), time(14)),
        (0, time(16), time(23, 59, 59)),
    ]


@pytest.mark.clock(NOW)
def test_typed_hours_accept_whole_hours(persona, client, therapist):
    # Regression: "9-14" was refused.
    client = persona("therapist").page
    r = client.post(reverse("staff:hours"), {"valid_from": "2026-12-01", "day_3": "9-14, 15-19"})
    assert r.status_code == 302
    rows = WorkingHours.objects.filter(therapist=therapist, valid_from=date(2026, 12, 1))
    assert sorted((r.start_time, r.end_time) for r in rows) == [
        (time(9), time(14)),
        (time(15), time(19)),
    ]
