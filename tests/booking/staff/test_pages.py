"""Staff pages: who may see what, what they show, and the forms."""

import csv
import io

import pytest
from django.urls import reverse

from booking.models import Session
from clinic.models import TimeOff, WorkingHours
from devtools.factories import RaceFactory, TherapistFactory, TimeOffFactory
from tests.booking.staff.conftest import at

pytestmark = pytest.mark.django_db

NOW = at(2026, 11, 18, 9)  # Wednesday


def page_urls(session, therapist):
    return [
        reverse("staff:home"),
        reverse("staff:agenda"),
        reverse("staff:agenda-week"),
        reverse("staff:session", args=[session.pk]),
        reverse("staff:hours"),
        reverse("staff:time-off"),
        reverse("staff:in-the-way"),
        reverse("staff:dashboard"),
        reverse("staff:adherence"),
        reverse("staff:export-report"),
        reverse("staff:export-sessions"),
    ]


POSTS = ["staff:attendance", "staff:session-move", "staff:session-cancel"]


@pytest.fixture
def session(make_session):
    return make_session(at(2026, 11, 18, 10))


def test_anonymous_goes_to_login(client, session, therapist):
    for url in page_urls(session, therapist):
        r = client.get(url)
        assert r.status_code == 302 and "/accounts/login/" in r["Location"], url


def test_runner_gets_403_everywhere(persona, client, alice, session, therapist):
    client = persona("alice").page
    for url in page_urls(session, therapist):
        assert client.get(url).status_code == 403, url
    for name in POSTS:
        assert client.post(reverse(name, args=[session.pk])).status_code == 403, name
    off = TimeOffFactory(therapist=therapist)
    assert client.post(reverse("staff:time-off-delete", args=[off.pk])).status_code == 403


def test_therapist_gets_no_reports(persona, client, therapist):
    client = persona("therapist").page
    for name in (
        "staff:dashboard",
        "staff:adherence",
        "staff:export-report",
        "staff:export-sessions",
    ):
        assert client.get(reverse(name)).status_code == 403, name


@pytest.mark.clock(NOW)
def test_other_clinic_is_404(
    client, therapist, clinic_admin, other_therapist, other_session, other_clinic
):
    off = TimeOffFactory(therapist=other_therapist)
    for user in (therapist.user, clinic_admin):
        client.force_login(user)
        assert client.get(reverse("staff:session", args=[other_session.pk])).status_code == 404
        for name in POSTS:
            assert (
                client.post(
                    reverse(name, args=[other_session.pk]), {"status": "attended"}
                ).status_code
                == 404
            )
        q = f"?therapist={other_therapist.pk}"
        for name in (
            "staff:agenda",
            "staff:agenda-week",
            "staff:hours",
            "staff:time-off",
            "staff:in-the-way",
        ):
            assert client.get(reverse(name) + q).status_code == 404, name
        assert client.post(reverse("staff:time-off-delete", args=[off.pk])).status_code == 404
    for name in ("staff:dashboard", "staff:adherence", "staff:export-sessions"):
        assert client.get(reverse(name) + f"?clinic={other_clinic.pk}").status_code == 404, name
    assert TimeOff.objects.filter(pk=off.pk).exists()
    assert Session.objects.get(pk=other_session.pk).status == "booked"


@pytest.mark.clock(NOW)
def test_therapist_cannot_edit_a_colleagues_schedule(persona, client, therapist, clinic):
    colleague = TherapistFactory(clinic=clinic)
    client = persona("therapist").page
    assert client.get(reverse("staff:hours") + f"?therapist={colleague.pk}").status_code == 403
    assert (
        client.post(
            reverse("staff:hours"), {"therapist": colleague.pk, "valid_from": "2026-12-01"}
        ).status_code
        == 403
    )
    # ...but may see the clinic's agenda for that colleague.
    assert client.get(reverse("staff:agenda") + f"?therapist={colleague.pk}").status_code == 200


@pytest.mark.clock(NOW)
def test_landing_pages(persona, client, therapist, clinic_admin):
    client = persona("therapist").page
    assert client.get(reverse("staff:home"))["Location"] == reverse("staff:agenda")
    client = persona("clinic_admin").page
    assert client.get(reverse("staff:home"))["Location"] == reverse("staff:dashboard")


@pytest.mark.clock(NOW)
def test_agenda_shows_what_the_therapist_needs(
    persona, client, therapist, bob, make_session, django_assert_max_num_queries
):
    s = make_session(at(2026, 11, 18, 10), runner=bob, discomfort_areas=["legs", "lumbar"])
    RaceFactory(runner=bob, name="Valencia Marathon", start=at(2026, 11, 27, 8, 30))
    for i in range(5):  # more sessions: the query count stays the same
        make_session(at(2026, 11, 18, 11 + i))
    client = persona("therapist").page
    # 12 before the day view listed the free times (service + availability, 3) and the
    # count of past unmarked sessions (1), and the runners' trainings (1, issue 20); still
    # the same whatever the number of sessions.
    with django_assert_max_num_queries(17):
        r = client.get(reverse("staff:agenda"))
    html = r.content.decode()
    assert r.status_code == 200
    assert "Bob Runner" in html and "Valencia Marathon in 9 days" in html
    assert "Bob&#x27;s private knee note" in html or "Bob's private knee note" in html
    assert "Legs" in html and "Lumbar" in html and "10:00" in html
    assert reverse("staff:session", args=[s.pk]) in html
    with django_assert_max_num_queries(12):
        r = client.get(reverse("staff:agenda-week"))
    assert r.status_code == 200 and "Valencia Marathon" in r.content.decode()


@pytest.mark.clock(NOW)
def test_agenda_in_spanish(persona, client, therapist, bob, make_session):
    make_session(at(2026, 11, 18, 10), runner=bob)
    RaceFactory(runner=bob, name="Maratón de Valencia", start=at(2026, 11, 27, 8, 30))
    client = persona("therapist").page
    r = client.get(reverse("staff:agenda"), HTTP_ACCEPT_LANGUAGE="es")
    html = r.content.decode()
    assert 'lang="es"' in html
    assert "Maratón de Valencia en 9 días" in html


def test_mark_attendance_through_the_page(persona, clock, client, therapist, session):
    client = persona("therapist").page
    url = reverse("staff:attendance", args=[session.pk])
    clock.move_to(at(2026, 11, 18, 9, 30))
    r = client.post(url, {"status": "attended"})
    assert r.status_code == 400 and "has not started" in r.content.decode()
    clock.move_to(at(2026, 11, 18, 11))
    r = client.post(
        url,
        {
            "status": "attended",
            "side_calves": "left",
            "side_glutes": "both",
            "side_it_band": "",
            "discomfort_before": "7",
            "discomfort_after": "3",
            "mobilisation_done": "on",
            "note": "Good",
        },
    )
    assert r.status_code == 302
    r = client.get(reverse("staff:session", args=[session.pk]))
    session.refresh_from_db()
    assert (session.status, session.areas_treated, session.mobilisation_done) == (
        "attended",
        {"calves": "left", "glutes": "both"},
        True,
    )
    assert (session.discomfort_before, session.discomfort_after) == (7, 3)
    assert "Marked attended" in r.content.decode()


def test_no_show_with_the_areas_still_ticked_is_saved(
    persona, clock, client, therapist, make_session
):
    # Regression: the areas come pre-ticked from the runner's discomfort; choosing No-show
    # failed with "A session the runner missed has no areas treated".
    s = make_session(at(2026, 11, 18, 10), discomfort_areas=["legs"])
    client = persona("therapist").page
    clock.move_to(at(2026, 11, 18, 11))
    page = client.get(reverse("staff:session", args=[s.pk])).content.decode()
    # Pre-set from the discomfort: the leg muscle groups, both sides.
    assert '<option value="both" selected>' in page
    r = client.post(
        reverse("staff:attendance", args=[s.pk]),
        {
            "status": "no_show",
            "side_calves": "both",
            "discomfort_before": "4",
            "mobilisation_done": "on",
        },
    )
    assert r.status_code == 302
    s.refresh_from_db()
    assert (s.status, s.areas_treated, s.mobilisation_done) == ("no_show", {}, None)
    assert s.discomfort_before is None


def test_attended_as_booked_in_one_tap_from_the_agenda(
    persona, clock, client, therapist, make_session
):
    s = make_session(at(2026, 11, 18, 10), discomfort_areas=["legs", "lumbar"])
    make_session(at(2026, 11, 17, 10))  # yesterday, never marked
    make_session(at(2026, 11, 18, 16))  # later today: not over yet
    client = persona("therapist").page
    clock.move_to(at(2026, 11, 18, 11))
    html = client.get(reverse("staff:agenda")).content.decode()
    assert "2 past sessions not marked yet" in html and "?date=2026-11-17" in html
    assert html.count("Attended as booked") == 1 and "Not marked yet" in html
    r = client.post(reverse("staff:attendance", args=[s.pk]), {"as_booked": "1"})
    assert r.status_code == 302 and r["Location"].endswith("?date=2026-11-18")
    s.refresh_from_db()
    assert (s.status, s.mobilisation_done) == ("attended", True)
    assert s.areas_treated == {
        "quadriceps": "both",
        "hamstrings": "both",
        "calves": "both",
        "lumbar": "both",
    }
    html = client.get(reverse("staff:agenda"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "1 sesión pasada sin marcar" in html
    # Before the session started, the one tap is refused with the reason, not a 500.
    later = make_session(at(2026, 11, 18, 17))
    r = client.post(reverse("staff:attendance", args=[later.pk]), {"as_booked": "1"})
    assert r.status_code == 400 and "has not started" in r.content.decode()


def test_history_lines_name_the_statuses_in_the_readers_language(persona, clock, session):
    client = persona("therapist").page
    clock.move_to(at(2026, 11, 18, 11))
    r = client.post(reverse("staff:attendance", args=[session.pk]), {"status": "no_show"})
    assert r.status_code == 302
    english = client.get(reverse("staff:session", args=[session.pk])).content.decode()
    client.cookies["django_language"] = "es"
    spanish = client.get(reverse("staff:session", args=[session.pk])).content.decode()
    assert "Marked no-show (Booked → No-show)" in english
    assert "Marcada como no presentada (Reservada → No se presentó)" in spanish
    for html in (english, spanish):
        assert "(booked → no_show)" not in html  # the raw codes, as before


@pytest.mark.clock(NOW)
def test_working_hours_form(persona, client, therapist, make_session):
    late = make_session(at(2026, 12, 1, 17))
    client = persona("therapist").page
    r = client.get(reverse("staff:hours"))
    assert r.status_code == 200 and "09:00-14:00, 15:00-20:00" in r.content.decode()
    r = client.post(
        reverse("staff:hours"), {"valid_from": "2026-12-01", "day_1": "09:00-14:00, 13:00-15:00"}
    )
    assert r.status_code == 400 and "overlap" in r.content.decode()
    r = client.post(reverse("staff:hours"), {"valid_from": "2026-12-01", "day_1": "9 to 5"})
    assert r.status_code == 400 and "is not a time range" in r.content.decode()
    r = client.post(reverse("staff:hours"), {"valid_from": "2026-12-01", "day_1": "08:00-12:00"})
    assert r.status_code == 302
    r = client.get(r["Location"])
    assert (
        r.status_code == 200
        and reverse("staff:session-cancel", args=[late.pk]) in r.content.decode()
    )
    assert WorkingHours.objects.filter(therapist=therapist, valid_from="2026-12-01").count() == 1


@pytest.mark.clock(NOW)
def test_time_off_form(persona, client, therapist, make_session):
    s = make_session(at(2026, 11, 20, 10))
    client = persona("therapist").page
    r = client.post(
        reverse("staff:time-off"), {"start_date": "2026-11-20", "end_date": "2026-11-19"}
    )
    assert r.status_code == 400 and "ends before it starts" in r.content.decode()
    r = client.post(
        reverse("staff:time-off"),
        {"start_date": "2026-11-20", "end_date": "2026-11-20", "reason": "Course"},
    )
    assert r.status_code == 302
    r = client.get(r["Location"])
    assert reverse("staff:session-move", args=[s.pk]) in r.content.decode()
    off = TimeOff.objects.get()
    assert off.start == at(2026, 11, 20, 0) and off.end == at(2026, 11, 21, 0)
    r = client.post(reverse("staff:time-off-delete", args=[off.pk]))
    assert r.status_code == 302 and not TimeOff.objects.exists()


@pytest.mark.clock(at(2026, 12, 1, 9))
def test_dashboard_and_exports(
    persona, client, clinic, clinic_admin, make_session, django_assert_max_num_queries
):
    make_session(at(2026, 11, 2, 10), "attended", discomfort_areas=["legs"])
    make_session(at(2026, 11, 3, 10), "no_show")
    make_session(at(2026, 11, 10, 10), "late_cancelled")
    client = persona("clinic_admin").page
    q = "?start=2026-11-01&end=2026-11-30&group_by=week"
    with django_assert_max_num_queries(14):
        r = client.get(reverse("staff:dashboard") + q)
    html = r.content.decode()
    assert r.status_code == 200 and "<svg" in html and "Attendance rate" in html
    r = client.get(reverse("staff:export-report") + q)
    rows = list(csv.reader(io.StringIO(b"".join(r.streaming_content).decode())))
    assert rows[0] == [
        "period",
        "booked",
        "attended",
        "no_show",
        "cancelled",
        "late_cancelled",
        "pending",
        "attendance_rate",
    ]
    assert rows[1] == ["2026-10-26", "0", "0", "0", "0", "0", "0", ""]
    assert rows[2] == ["2026-11-02", "2", "1", "1", "0", "0", "0", "0.5"]
    assert rows[-1][:4] == ["total", "3", "1", "1"]
    r = client.get(reverse("staff:export-sessions") + q)
    assert r["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(r.streaming_content).decode())))
    assert rows[0][:9] == [
        "id",
        "clinic",
        "therapist",
        "runner_id",
        "runner",
        "service",
        "start_local",
        "end_local",
        "status",
    ]
    assert len(rows) == 4
    assert (
        rows[1][6] == "2026-11-02T10:00+01:00"
        and rows[1][8] == "attended"
        and rows[1][10] == "legs"
    )
    assert "health" not in ",".join(rows[0])


@pytest.mark.clock(at(2026, 12, 1, 9))
def test_dashboard_bad_filters_are_400_not_500(persona, client, clinic_admin):
    client = persona("clinic_admin").page
    r = client.get(reverse("staff:dashboard") + "?start=2026-12-01&end=2026-11-01")
    assert r.status_code == 400 and "before the start" in r.content.decode()


@pytest.mark.clock(at(2026, 12, 1, 9))
def test_adherence_page(
    persona, client, clinic_admin, alice, make_session, django_assert_max_num_queries
):
    make_session(at(2026, 10, 1, 10), "attended", runner=alice)
    client = persona("clinic_admin").page
    # +3 for the overdue runners of the page: their due period, whether already reminded.
    with django_assert_max_num_queries(17):
        r = client.get(reverse("staff:adherence") + "?overdue=1&sort=name")
    html = r.content.decode()
    assert r.status_code == 200 and "Alice Runner" in html and "overdue" in html


@pytest.mark.clock(NOW)
def test_a_therapist_logs_in_to_todays_agenda(client, therapist):
    from devtools.factories import PASSWORD

    r = client.post(reverse("account_login"), {"login": therapist.user.email, "password": PASSWORD})
    assert r.status_code == 302 and r["Location"] == reverse("staff:home")
    assert client.get(r["Location"])["Location"] == reverse("staff:agenda")


@pytest.mark.clock(NOW)
def test_staff_pages_are_not_cached(persona, client, therapist):
    client = persona("therapist").page
    r = client.get(reverse("staff:agenda"))
    assert "no-store" in r["Cache-Control"] and "private" in r["Cache-Control"]
