"""The calendar staff run the day from: therapists side by side on a day, a therapist's
week; free times to book, sessions to open, closed hours and time off shaded, the "now"
line, the unmarked count; a walk-in added on the spot; a constant number of queries."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from booking.models import Session
from clinic import services as schedule
from devtools.factories import SessionFactory, TherapistFactory
from runners.models import Runner
from tests.booking.staff.conftest import at

pytestmark = pytest.mark.django_db

NOW = at(2026, 11, 16, 11, 5)  # Monday, 11:05 in Madrid
DAY = reverse("staff:calendar")
WEEK = reverse("staff:calendar-week")


@pytest.fixture
def colleague(clinic):
    return TherapistFactory(clinic=clinic, display_name="Marta Ruiz")


def _free_links(page: str, therapist) -> list[str]:
    return re.findall(rf"therapist={therapist.pk}&amp;start=([\dT:-]+)&amp;back=calendar", page)


@pytest.mark.clock(NOW)
def test_the_day_shows_every_therapist_with_sessions_free_times_and_now(
    persona, therapist, colleague, make_session, alice
):
    make_session(at(2026, 11, 16, 12), runner=alice)
    make_session(at(2026, 11, 16, 9), therapist=colleague)  # over, not marked
    schedule.time_off_add(
        therapist=colleague, start=at(2026, 11, 16, 17), end=at(2026, 11, 16, 19), reason="Dentist"
    )
    page = persona("therapist").page.get(DAY).content.decode()
    assert "Lucía Martín" in page and "Marta Ruiz" in page
    assert "Alice Runner" in page and "12:00–13:00" in page
    assert "Time off 17:00–19:00 · Dentist" in page
    assert "Now, 11:05" in page
    # The line: 11:00's row (a 15-minute step from 09:00), a fifth of the way down.
    assert 'class="cal-now row-9 span-1 at-1"' in page
    assert "1 past session not marked yet" in page
    # The therapist books their own free times (future ones, not over a session) ...
    own = _free_links(page, therapist)
    # The hour-long service fits from 13:00 before lunch, not from 11:15 before the session.
    assert "2026-11-16T11:00" not in own and "2026-11-16T11:15" not in own
    assert "2026-11-16T13:00" in own and "2026-11-16T13:15" not in own
    assert "2026-11-16T14:00" not in own and "2026-11-16T15:00" in own  # lunch is closed
    # ... not a colleague's (only admins book for anyone).
    assert _free_links(page, colleague) == []
    admin_page = persona("clinic_admin").page.get(DAY).content.decode()
    theirs = _free_links(admin_page, colleague)
    assert "2026-11-16T16:00" in theirs and "2026-11-16T16:15" not in theirs  # time off


@pytest.mark.clock(NOW)
def test_the_day_moves_with_prev_next_and_today(persona, therapist, make_session):
    make_session(at(2026, 11, 17, 10))
    client = persona("therapist").page
    page = client.get(DAY).content.decode()
    assert "Today" in page and 'href="?date=2026-11-17"' in page
    assert 'href="?date=2026-11-15"' in page
    tomorrow = client.get(DAY, {"date": "2026-11-17"}).content.decode()
    assert "10:00–11:00" in tomorrow and 'href="?date=2026-11-16"' in tomorrow
    assert "Now," not in tomorrow


@pytest.mark.clock(NOW)
def test_the_week_is_one_therapists_days_with_a_filter(persona, therapist, colleague, make_session):
    make_session(at(2026, 11, 18, 10))
    make_session(at(2026, 11, 19, 16), therapist=colleague)
    client = persona("clinic_admin").page
    page = client.get(WEEK, {"therapist": therapist.pk, "date": "2026-11-18"}).content.decode()
    assert "Week of 16 November 2026" in page and "10:00–11:00" in page
    assert "16:00–17:00" not in page
    assert page.count('class="cal-col') == 7
    page = client.get(WEEK, {"therapist": colleague.pk, "date": "2026-11-18"}).content.decode()
    assert "16:00–17:00" in page and "10:00–11:00" not in page
    # A therapist's week is their own by default.
    page = persona("therapist").page.get(WEEK).content.decode()
    assert "Lucía Martín" in page


@pytest.mark.clock(NOW)
def test_a_therapist_sees_only_their_clinic(persona, therapist, other_therapist, other_session):
    client = persona("therapist").page
    page = client.get(DAY).content.decode()
    assert "João Silva" not in page and "carla" not in page.lower()
    assert client.get(WEEK, {"therapist": other_therapist.pk}).status_code == 404
    assert persona("alice").page.get(DAY).status_code == 403


@pytest.mark.clock(NOW)
def test_a_drag_posts_the_move_and_comes_back_to_the_calendar(
    persona, therapist, colleague, make_session
):
    s = make_session(at(2026, 11, 17, 10))
    client = persona("therapist").page
    page = client.get(DAY, {"date": "2026-11-17"}).content.decode()
    assert f'data-move="{reverse("staff:session-move", args=[s.pk])}"' in page
    r = client.post(
        reverse("staff:session-move", args=[s.pk]),
        {
            "back": "calendar",
            f"s{s.pk}-start": "2026-11-17T12:00",
            f"s{s.pk}-therapist": colleague.pk,
        },
    )
    assert r.status_code == 302 and r["Location"] == f"{DAY}?date=2026-11-17"
    s.refresh_from_db()
    assert (s.therapist, s.start) == (colleague, at(2026, 11, 17, 12))
    # A refused drop says why, on the session's page.
    r = client.post(
        reverse("staff:session-move", args=[s.pk]),
        {"back": "calendar", f"s{s.pk}-start": "2026-11-21T12:00"},
    )
    assert r.status_code == 403  # now the colleague's session: not the therapist's to move


def _new_runner(**over):
    data = {
        "therapist": "",
        "start": "2026-11-16T15:00",
        "back": "calendar",
        "new-first_name": "Walk",
        "new-last_name": "In",
        "new-email": "Walk.In@Runners.test",
        "new-phone": "600 111 222",
        "new-language": "es",
        "new-consent": "on",
    }
    data.update(over)
    return data


@pytest.mark.clock(NOW)
def test_a_walk_in_is_added_on_the_spot_then_booked(
    persona, therapist, service, django_capture_on_commit_callbacks
):
    client = persona("therapist").page
    book = reverse("staff:book")
    # No consent, no account.
    r = client.post(book, _new_runner(therapist=therapist.pk, **{"new-consent": ""}))
    assert r.status_code == 400 and "without their consent" in r.content.decode()
    assert not Runner.objects.filter(user__email="walk.in@runners.test").exists()
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(book, _new_runner(therapist=therapist.pk))
    assert r.status_code == 302
    runner = Runner.objects.get(user__email="walk.in@runners.test")
    assert runner.clinic == therapist.clinic and runner.phone == "600 111 222"
    assert runner.user.language == "es" and not runner.user.has_usable_password()
    assert runner.consent_at == NOW and runner.consent_recorded_by == therapist.user
    # The account flow's own e-mail to choose a password, in the runner's language.
    (invite,) = mail.outbox
    assert invite.to == ["walk.in@runners.test"] and "/accounts/password/reset/key/" in invite.body
    assert invite.subject.endswith("Elige tu contraseña")
    assert "Tu clínica te ha creado una cuenta para reservar tus masajes de descarga" in invite.body
    # The booking page now finds them, chosen, with the time kept.
    page = client.get(r["Location"]).content.decode()
    assert "Walk In" in page and 'value="2026-11-16T15:00"' in page and "checked" in page
    r = client.post(
        book,
        {
            "therapist": therapist.pk,
            "back": "calendar",
            "runner": runner.pk,
            "service": service.pk,
            "start": "2026-11-16T15:00",
        },
    )
    assert r.status_code == 302 and r["Location"] == f"{DAY}?date=2026-11-16"
    assert Session.objects.get(runner=runner).start == at(2026, 11, 16, 15)
    # The same e-mail twice: search for them instead.
    r = client.post(book, _new_runner(therapist=therapist.pk))
    assert r.status_code == 409 and "already an account" in r.content.decode()


def _sessions(therapist, service, per_day, days=(17,)):
    for day in days:
        for i in range(per_day):
            SessionFactory(therapist=therapist, service=service, start=at(2026, 11, day, 8 + i))


@pytest.mark.clock(NOW)
@pytest.mark.parametrize("view", ["day", "week"])
def test_the_calendar_reads_in_a_constant_number_of_queries(
    persona, clinic, service, therapist, django_assert_num_queries, view
):
    """The day: 10 therapists with 80 sessions read as many queries as 1 with 8. The
    week: a therapist's 80 sessions over 7 days as 8 on one day."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = persona("clinic_admin").page
    url, params = (
        (DAY, {"date": "2026-11-17"})
        if view == "day"
        else (WEEK, {"date": "2026-11-17", "therapist": therapist.pk})
    )
    _sessions(therapist, service, 8)
    client.get(url, params)  # the sign-in's first request (session, language) aside
    with CaptureQueriesContext(connection) as small:
        assert client.get(url, params).status_code == 200
    if view == "day":
        for _ in range(9):
            _sessions(TherapistFactory(clinic=clinic), service, 8)
        assert Session.objects.filter(clinic=clinic).count() == 80
    else:
        _sessions(therapist, service, 12, days=(16, 18, 19, 20, 21, 22))
    with django_assert_num_queries(len(small)):
        page = client.get(url, params).content.decode()
    assert page.count('class="cal-session') == 80


@pytest.mark.clock(NOW)
def test_a_walk_in_is_only_added_by_the_clinics_staff(persona, therapist, other_admin):
    book = reverse("staff:book")
    assert (
        persona("other_admin").page.post(book, _new_runner(therapist=therapist.pk)).status_code
        == 404
    )
    assert persona("alice").page.post(book, _new_runner(therapist=therapist.pk)).status_code == 403
    assert not Runner.objects.filter(user__email="walk.in@runners.test").exists()


@pytest.mark.clock(NOW)
def test_time_off_says_its_own_hours_or_all_day(persona, therapist):
    schedule.time_off_add(therapist=therapist, start=at(2026, 11, 17, 16), end=at(2026, 11, 19, 12))
    client = persona("therapist").page
    week = client.get(WEEK, {"date": "2026-11-17"}).content.decode()
    assert "Time off 16:00–24:00" in week and "Time off, all day" in week
    assert "Time off 00:00–12:00" in week
    assert week.count("Not working") == 2  # Saturday and Sunday


@pytest.mark.clock(at(2026, 10, 24, 12))
def test_the_grid_keeps_wall_clock_rows_across_the_dst_change(persona, clinic, service):
    # Sunday 25 October 2026: Madrid's clocks go back at 03:00.
    from datetime import time

    sunday = TherapistFactory(
        clinic=clinic, display_name="Sunday Sam", hours=[(6, time(9), time(14))]
    )
    SessionFactory(therapist=sunday, service=service, start=at(2026, 10, 25, 10))
    page = persona("clinic_admin").page.get(DAY, {"date": "2026-10-25"}).content.decode()
    assert "10:00–11:00" in page
    assert "start=2026-10-25T09:00&amp;back" in page and "start=2026-10-25T11:00&amp;back" in page
    # 09:00 is the grid's first row (a 15-minute step), 10:00 the fifth, as on any day.
    assert re.search(r'class="cal-session booked row-5 span-4"', page)
