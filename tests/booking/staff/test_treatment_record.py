"""Attendance in one tap (attended as booked, no-show, late cancel) from the agenda and
the session page, and the treatment record: a side per area, discomfort before and after,
the runner's previous records beside the form."""

import pytest
from django.urls import reverse

from booking.models import Reminder
from tests.booking.staff.conftest import at

pytestmark = pytest.mark.django_db


def test_no_show_and_late_cancel_in_one_tap_from_the_agenda(
    persona, clock, therapist, make_session
):
    missed = make_session(at(2026, 11, 18, 9), discomfort_areas=["legs"], therapist_note="Call")
    called = make_session(at(2026, 11, 18, 10))
    client = persona("therapist").page
    clock.move_to(at(2026, 11, 18, 12))
    html = client.get(reverse("staff:agenda")).content.decode()
    assert html.count('name="quick" value="no_show"') == 2
    assert html.count('name="quick" value="late_cancelled"') == 2
    r = client.post(reverse("staff:attendance", args=[missed.pk]), {"quick": "no_show"})
    assert r.status_code == 302 and r["Location"].endswith("?date=2026-11-18")
    r = client.post(reverse("staff:attendance", args=[called.pk]), {"quick": "late_cancelled"})
    assert r.status_code == 302
    missed.refresh_from_db()
    called.refresh_from_db()
    assert (missed.status, missed.areas_treated, missed.therapist_note) == ("no_show", {}, "Call")
    assert called.status == "late_cancelled"
    assert not Reminder.objects.exists()  # nobody is e-mailed
    html = client.get(reverse("staff:agenda")).content.decode()
    assert "not marked yet" not in html
    assert "No-show" in html and "Cancelled late" in html


def test_late_cancel_from_the_session_page_inside_the_window_only(
    persona, clock, therapist, make_session
):
    therapist.clinic.cancellation_window_hours = 2
    therapist.clinic.save()
    s = make_session(at(2026, 11, 18, 10))
    clock.move_to(at(2026, 11, 18, 7))  # three hours before: a cancellation in time
    client = persona("therapist").page
    url = reverse("staff:session", args=[s.pk])
    html = client.get(url).content.decode()
    assert "once the session has started" in html and 'value="late_cancelled"' not in html
    r = client.post(reverse("staff:attendance", args=[s.pk]), {"quick": "late_cancelled"})
    assert r.status_code == 400 and "cancel it in time instead" in r.content.decode()
    clock.move_to(at(2026, 11, 18, 9))  # an hour before
    html = client.get(url).content.decode()
    assert 'value="late_cancelled"' in html and "Attended as booked" not in html
    r = client.post(reverse("staff:attendance", args=[s.pk]), {"quick": "late_cancelled"})
    assert r.status_code == 302
    s.refresh_from_db()
    assert s.status == "late_cancelled"


def test_the_record_form_in_spanish(persona, clock, therapist, make_session):
    s = make_session(at(2026, 11, 18, 10), discomfort_areas=["glutes"])
    clock.move_to(at(2026, 11, 18, 11))
    client = persona("therapist").page
    client.cookies["django_language"] = "es"
    html = client.get(reverse("staff:session", args=[s.pk])).content.decode()
    for word in (
        "Cuádriceps",
        "Isquiotibiales",
        "Gemelos",
        "Fascia plantar",
        "Cintilla iliotibial",
    ):
        assert f">{word}</label>" in html
    assert "Ambos lados" in html and "Lado izquierdo" in html and "Lado derecho" in html
    assert "Molestia antes (0–10)" in html and "Registros anteriores" in html


def test_a_bad_score_is_said_next_to_the_field(persona, clock, therapist, make_session):
    s = make_session(at(2026, 11, 18, 10))
    clock.move_to(at(2026, 11, 18, 11))
    r = persona("therapist").page.post(
        reverse("staff:attendance", args=[s.pk]),
        {"status": "attended", "discomfort_before": "12", "side_calves": "left"},
    )
    assert r.status_code == 400
    assert "less than or equal to 10" in r.content.decode()
    s.refresh_from_db()
    assert s.status == "booked"


def test_the_session_page_reads_previous_records_in_a_fixed_number_of_queries(
    persona, clock, therapist, bob, make_session, django_assert_num_queries
):
    s = make_session(at(2026, 11, 18, 10), runner=bob)
    clock.move_to(at(2026, 11, 18, 11))
    client = persona("therapist").page
    url = reverse("staff:session", args=[s.pk])
    client.get(url)
    for day in (2, 4, 6, 8, 10, 12):
        make_session(
            at(2026, 10, day, 10),
            runner=bob,
            status="attended",
            areas_treated={"calves": "both"},
            discomfort_before=day % 10,
        )
        with django_assert_num_queries(SESSION_PAGE_QUERIES):
            html = client.get(url).content.decode()
    # The five newest, newest first.
    assert html.count("Calves (Both sides)") == 5
    assert html.index("12 Oct 2026") < html.index("4 Oct 2026") and ">2 Oct 2026<" not in html


# + the runner's last 14 days of training (issue 20: the load chart beside the record).
SESSION_PAGE_QUERIES = 9
