"""Attendance: only once started, corrections on the session's day, every change kept."""

from datetime import timedelta

import pytest

from booking.models import Reminder, SessionEvent
from booking.staff.services import (
    AttendanceError,
    session_mark_attendance,
    session_mark_attended_as_booked,
)
from tests.booking.staff.conftest import at

pytestmark = pytest.mark.django_db


def test_cannot_mark_attended_before_the_session_starts(therapist, make_session):
    s = make_session(at(2026, 11, 18, 10))
    with pytest.raises(AttendanceError) as err:
        session_mark_attendance(
            session=s, status="attended", by=therapist.user, now=at(2026, 11, 18, 9, 59)
        )
    assert err.value.code == "not_started"
    s.refresh_from_db()
    assert s.status == "booked" and not s.events.exists()


def test_mark_attended_with_the_treatment_record_and_history(therapist, make_session):
    s = make_session(at(2026, 11, 18, 10))
    s = session_mark_attendance(
        session=s,
        status="attended",
        by=therapist.user,
        areas_treated={"calves": "left", "hamstrings": "both", "lumbar": "right"},
        mobilisation_done=True,
        discomfort_before=7,
        discomfort_after=3,
        note="Tight calves",
        now=at(2026, 11, 18, 10, 5),
    )
    s.refresh_from_db()
    assert s.status == "attended" and s.attended_at is not None
    assert s.areas_treated == {"calves": "left", "hamstrings": "both", "lumbar": "right"}
    assert (s.discomfort_before, s.discomfort_after) == (7, 3)
    assert s.mobilisation_done is True and s.therapist_note == "Tight calves"
    kinds = list(s.events.values_list("kind", "by", "from_status", "to_status"))
    assert kinds == [
        ("attended", therapist.user.pk, "booked", "attended"),
        ("record", therapist.user.pk, "attended", "attended"),
    ]


def test_no_show_corrected_the_same_day(therapist, clinic_admin, make_session):
    s = make_session(at(2026, 11, 18, 10))
    session_mark_attendance(
        session=s, status="no_show", by=therapist.user, now=at(2026, 11, 18, 10, 20)
    )
    # The runner turns up late; the admin corrects it that evening (clinic-local day).
    session_mark_attendance(
        session=s, status="attended", by=clinic_admin, now=at(2026, 11, 18, 23, 30)
    )
    s.refresh_from_db()
    assert s.status == "attended" and s.no_show_at is None
    history = list(s.events.order_by("id").values_list("kind", "by", "from_status", "to_status"))
    assert history == [
        ("no_show", therapist.user.pk, "booked", "no_show"),
        ("attended", clinic_admin.pk, "no_show", "attended"),
    ]


def test_no_show_cannot_be_corrected_another_day(therapist, make_session):
    s = make_session(at(2026, 11, 18, 10))
    session_mark_attendance(
        session=s, status="no_show", by=therapist.user, now=at(2026, 11, 18, 11)
    )
    with pytest.raises(AttendanceError) as err:
        session_mark_attendance(
            session=s, status="attended", by=therapist.user, now=at(2026, 11, 19, 0, 1)
        )
    assert err.value.code == "correction_too_late" and err.value.status_code == 409
    s.refresh_from_db()
    assert s.status == "no_show"
    assert s.events.count() == 1


def test_a_late_first_mark_is_allowed(therapist, make_session):
    s = make_session(at(2026, 11, 18, 10))
    session_mark_attendance(
        session=s, status="attended", by=therapist.user, now=at(2026, 11, 20, 9)
    )
    s.refresh_from_db()
    assert s.status == "attended"


def test_cancelled_sessions_cannot_be_marked(therapist, make_session):
    s = make_session(at(2026, 11, 18, 10), status="cancelled")
    with pytest.raises(AttendanceError) as err:
        session_mark_attendance(
            session=s, status="attended", by=therapist.user, now=at(2026, 11, 18, 12)
        )
    assert err.value.code == "not_markable"


def test_bad_input_is_refused(therapist, make_session):
    s = make_session(at(2026, 11, 18, 10))
    now = at(2026, 11, 18, 12)
    for kwargs, code in [
        ({"status": "booked"}, "invalid_status"),
        ({"status": "attended", "areas_treated": {"knees": "both"}}, "invalid_areas"),
        ({"status": "attended", "areas_treated": {"calves": "middle"}}, "invalid_areas"),
        ({"status": "attended", "areas_treated": ["calves"]}, "invalid_areas"),
        ({"status": "attended", "discomfort_before": 11}, "invalid_discomfort_score"),
        ({"status": "attended", "discomfort_after": -1}, "invalid_discomfort_score"),
        ({"status": "attended", "note": "x" * 2001}, "note_too_long"),
    ]:
        with pytest.raises(AttendanceError) as err:
            session_mark_attendance(session=s, by=therapist.user, now=now, **kwargs)
        assert err.value.code == code
    assert not SessionEvent.objects.exists()


def test_same_mark_again_records_nothing_new(therapist, make_session):
    s = make_session(at(2026, 11, 18, 10))
    now = at(2026, 11, 18, 12)
    session_mark_attendance(session=s, status="attended", by=therapist.user, now=now)
    session_mark_attendance(session=s, status="attended", by=therapist.user, now=now)
    assert s.events.count() == 1


@pytest.mark.clock(at(2026, 11, 18, 12))
def test_defaults_to_the_real_clock(therapist, make_session):
    s = make_session(at(2026, 11, 18, 10))
    session_mark_attendance(session=s, status="attended", by=therapist.user)
    s.refresh_from_db()
    assert s.status == "attended"


def test_attended_as_booked_treats_the_discomfort_and_closes_with_mobilisation(
    therapist, make_session
):
    s = make_session(at(2026, 11, 18, 10), discomfort_areas=["legs", "glutes"])
    session_mark_attended_as_booked(session=s, by=therapist.user, now=at(2026, 11, 18, 11))
    s.refresh_from_db()
    both = "both"
    assert (s.status, s.areas_treated, s.mobilisation_done) == (
        "attended",
        {"quadriceps": both, "hamstrings": both, "calves": both, "glutes": both},
        True,
    )
    assert list(s.events.values_list("kind", flat=True).order_by("id")) == ["attended", "record"]


def test_no_show_ignores_the_treatment_fields(therapist, make_session):
    """The form comes with the runner's areas pre-ticked: a no-show is not refused for
    them, and the record stays empty."""
    s = make_session(at(2026, 11, 18, 10), discomfort_areas=["legs"])
    session_mark_attendance(
        session=s,
        status="no_show",
        by=therapist.user,
        areas_treated={"calves": "both"},
        mobilisation_done=True,
        discomfort_before=5,
        discomfort_after=2,
        note="Did not answer the phone",
        now=at(2026, 11, 18, 10, 20),
    )
    s.refresh_from_db()
    assert (s.status, s.areas_treated, s.mobilisation_done) == ("no_show", {}, None)
    assert (s.discomfort_before, s.discomfort_after) == (None, None)
    assert s.therapist_note == "Did not answer the phone"


def test_attended_then_no_show_the_same_day_clears_the_record(therapist, make_session):
    s = make_session(at(2026, 11, 18, 10))
    session_mark_attendance(
        session=s,
        status="attended",
        by=therapist.user,
        areas_treated={"calves": "right"},
        discomfort_before=6,
        now=at(2026, 11, 18, 11),
    )
    session_mark_attendance(
        session=s, status="no_show", by=therapist.user, now=at(2026, 11, 18, 12)
    )
    s.refresh_from_db()
    assert (s.status, s.areas_treated, s.discomfort_before) == ("no_show", {}, None)


def test_late_cancel_inside_the_window_frees_the_time_and_emails_nobody(
    therapist, make_session, service
):
    """The runner phones two hours before (the window is 24 h): a late cancellation,
    counted against attendance; the time can be booked again."""
    s = make_session(at(2026, 11, 18, 10), discomfort_areas=["legs"])
    session_mark_attendance(
        session=s,
        status="late_cancelled",
        by=therapist.user,
        areas_treated={"calves": "both"},
        now=at(2026, 11, 18, 8),
    )
    s.refresh_from_db()
    assert (s.status, s.areas_treated) == ("late_cancelled", {})
    assert s.cancelled_at == at(2026, 11, 18, 8) and s.calendar_sequence == 1
    assert list(s.events.values_list("kind", "from_status", "to_status")) == [
        ("late_cancelled", "booked", "late_cancelled")
    ]
    assert not Reminder.objects.exists()
    # The time is free: another runner's session fits there.
    make_session(at(2026, 11, 18, 10))


def test_late_cancel_too_early_is_refused(therapist, make_session):
    s = make_session(at(2026, 11, 18, 10))
    window = s.clinic.cancellation_window_hours
    with pytest.raises(AttendanceError) as err:
        session_mark_attendance(
            session=s,
            status="late_cancelled",
            by=therapist.user,
            now=at(2026, 11, 18, 10) - timedelta(hours=window, minutes=1),
        )
    assert err.value.code == "too_early_for_late_cancel"
    s.refresh_from_db()
    assert s.status == "booked"


def test_late_cancel_corrected_to_attended_the_same_day(therapist, make_session):
    s = make_session(at(2026, 11, 18, 10))
    session_mark_attendance(
        session=s, status="late_cancelled", by=therapist.user, now=at(2026, 11, 18, 9)
    )
    session_mark_attendance(
        session=s, status="attended", by=therapist.user, now=at(2026, 11, 18, 10, 30)
    )
    s.refresh_from_db()
    assert s.status == "attended" and s.cancelled_at is None and s.attended_at is not None


def test_late_cancel_not_undone_once_the_time_is_booked_again(therapist, make_session):
    s = make_session(at(2026, 11, 18, 10))
    session_mark_attendance(
        session=s, status="late_cancelled", by=therapist.user, now=at(2026, 11, 18, 9)
    )
    make_session(at(2026, 11, 18, 10))
    with pytest.raises(AttendanceError) as err:
        session_mark_attendance(
            session=s, status="attended", by=therapist.user, now=at(2026, 11, 18, 10, 30)
        )
    assert (err.value.code, err.value.status_code) == ("time_taken", 409)
    s.refresh_from_db()
    assert s.status == "late_cancelled"
