"""The attendance report against a hand-counted fixture, and the adherence list."""

from datetime import date, timedelta

import pytest

from booking.staff.reports import adherence, attendance_report, race_overrides
from devtools.factories import RunnerFactory, SessionFactory, TherapistFactory
from tests.booking.staff.conftest import at

pytestmark = pytest.mark.django_db

DASHBOARD_QUERIES = 8
ADHERENCE_QUERIES = 12


@pytest.fixture
def fixture_sessions(clinic, therapist, service, other_therapist, make_session):
    """Hand-counted, Madrid time, November 2026 (Mondays: 2, 9, 16, 23, 30):

    week of 2 Nov : attended x2, no-show x1                         -> booked 3, rate 2/3
    week of 9 Nov : attended x1, cancelled x1, late-cancelled x1    -> booked 3, rate 1/2
    week of 16 Nov: (none)
    week of 23 Nov: booked x1 (pending), attended x1 on Sun 29 23:30 local (22:30 UTC)
    1 Dec 00:30 local (30 Nov 23:30 UTC): attended -> December, outside the period
    another clinic's session in the period: never counted
    """
    colleague = TherapistFactory(clinic=clinic, display_name="Pablo")
    make_session(at(2026, 11, 2, 10), "attended")
    make_session(at(2026, 11, 3, 10), "attended", therapist=colleague)
    make_session(at(2026, 11, 4, 10), "no_show")
    make_session(at(2026, 11, 9, 10), "attended")
    make_session(at(2026, 11, 10, 10), "cancelled")
    make_session(at(2026, 11, 11, 10), "late_cancelled", therapist=colleague)
    make_session(at(2026, 11, 25, 10), "booked")
    make_session(at(2026, 11, 29, 23, 0), "attended")
    make_session(at(2026, 12, 1, 0, 30), "attended")
    SessionFactory(therapist=other_therapist, start=at(2026, 11, 3, 10), status="attended")
    return colleague


def test_weekly_report_matches_the_hand_count(clinic, fixture_sessions):
    report = attendance_report(clinic=clinic, start=date(2026, 11, 2), end=date(2026, 11, 29))
    rows = [r.as_dict() for r in report.rows]
    assert [r["period"] for r in rows] == ["2026-11-02", "2026-11-09", "2026-11-16", "2026-11-23"]
    assert [
        (
            r["booked"],
            r["attended"],
            r["no_show"],
            r["cancelled"],
            r["late_cancelled"],
            r["pending"],
        )
        for r in rows
    ] == [
        (3, 2, 1, 0, 0, 0),
        (3, 1, 0, 1, 1, 0),
        (0, 0, 0, 0, 0, 0),
        (2, 1, 0, 0, 0, 1),
    ]
    assert [r["attendance_rate"] for r in rows] == [0.6667, 0.5, None, 1.0]
    total = report.total.as_dict()
    assert (total["booked"], total["attended"], total["attendance_rate"]) == (8, 4, 0.6667)


def test_monthly_report_uses_the_clinic_calendar(clinic, fixture_sessions):
    report = attendance_report(
        clinic=clinic, start=date(2026, 11, 1), end=date(2026, 12, 31), group_by="month"
    )
    assert [(r.period.isoformat(), r.booked, r.attended) for r in report.rows] == [
        ("2026-11-01", 8, 4),
        ("2026-12-01", 1, 1),
    ]


def test_report_for_one_therapist(clinic, fixture_sessions):
    report = attendance_report(
        clinic=clinic, start=date(2026, 11, 2), end=date(2026, 11, 29), therapist=fixture_sessions
    )
    assert (report.total.booked, report.total.attended, report.total.late_cancelled) == (2, 1, 1)


def test_report_is_one_query(clinic, fixture_sessions, django_assert_num_queries):
    with django_assert_num_queries(1):
        attendance_report(
            clinic=clinic, start=date(2025, 1, 1), end=date(2026, 12, 31), group_by="month"
        )


def test_adherence_and_overdue(
    clinic, therapist, service, alice, bob, make_session, django_assert_max_num_queries
):
    now = at(2026, 11, 30, 12)
    # Alice: fortnightly, attended 1 Nov and 22 Nov, nothing booked -> not yet overdue (8 days).
    make_session(at(2026, 11, 1, 10), "attended", runner=alice)
    make_session(at(2026, 11, 22, 10), "attended", runner=alice)
    # Bob: monthly, attended 1 Oct, nothing booked -> overdue (60 days).
    bob.cadence = "monthly"
    bob.save()
    make_session(at(2026, 10, 1, 10), "attended", runner=bob)
    # Carl: fortnightly, last 1 Oct but booked for 3 Dec -> not overdue.
    carl = RunnerFactory(clinic=clinic)
    make_session(at(2026, 10, 1, 12), "attended", runner=carl)
    make_session(at(2026, 12, 3, 10), "booked", runner=carl)
    # Dora: cadence off -> not listed.
    RunnerFactory(clinic=clinic, cadence="off")
    with django_assert_max_num_queries(3):
        rows = adherence(clinic=clinic, start=date(2026, 9, 1), end=date(2026, 11, 30), now=now)
    by_runner = {a.runner.pk: a for a in rows}
    assert set(by_runner) == {alice.pk, bob.pk, carl.pk}
    a = by_runner[alice.pk]
    assert (a.attended, a.days_since_last, a.longest_gap_days, a.overdue) == (2, 8, 21, False)
    b = by_runner[bob.pk]
    assert (b.attended, b.days_since_last, b.overdue, b.cadence_days) == (1, 60, True, 30)
    assert b.longest_gap_days == 60  # open gap from 1 Oct to now
    assert by_runner[carl.pk].overdue is False and by_runner[carl.pk].next_booked is not None
    assert [a.runner.pk for a in rows][0] == bob.pk or rows[0].days_since_last >= rows[
        -1
    ].days_since_last
    overdue = adherence(
        clinic=clinic, start=date(2026, 9, 1), end=date(2026, 11, 30), now=now, overdue_only=True
    )
    assert [a.runner.pk for a in overdue] == [bob.pk]
    by_name = adherence(
        clinic=clinic, start=date(2026, 9, 1), end=date(2026, 11, 30), now=now, sort="name"
    )
    assert [a.name.lower() for a in by_name] == sorted(a.name.lower() for a in by_name)


def test_race_overrides_listed_with_reasons(clinic, therapist, clinic_admin, make_session):
    s = make_session(
        at(2026, 11, 5, 10),
        "attended",
        race_override_reason="Runner insisted, light pressure",
        race_override_by=clinic_admin,
    )
    make_session(at(2026, 11, 6, 10), "attended")
    listed = list(race_overrides(clinic=clinic, start=date(2026, 11, 1), end=date(2026, 11, 30)))
    assert [(x.pk, x.race_override_reason) for x in listed] == [
        (s.pk, "Runner insisted, light pressure")
    ]
    assert listed[0].start - timedelta(0) == s.start


def test_overdue_in_the_report_is_due_as_the_reminder_scan_decides(
    clinic, therapist, service, alice, make_session
):
    from booking.reminders import scans

    # Fortnightly Alice attended 12 Nov at 18:00; on 26 Nov at 09:00 (13 days and 15
    # hours later) she is due by the clinic's calendar: the scan and the report agree.
    make_session(at(2026, 11, 12, 18), "attended", runner=alice)
    now = at(2026, 11, 26, 9)
    assert scans.due_runners(clinic=clinic, now=now).filter(pk=alice.pk).exists()
    (row,) = adherence(clinic=clinic, start=date(2026, 11, 1), end=date(2026, 11, 30), now=now)
    assert row.days_since_last == 13 and row.overdue is True
    # The day before, neither says so.
    earlier = at(2026, 11, 25, 9)
    assert not scans.due_runners(clinic=clinic, now=earlier).filter(pk=alice.pk).exists()
    (row,) = adherence(clinic=clinic, start=date(2026, 11, 1), end=date(2026, 11, 30), now=earlier)
    assert row.overdue is False


@pytest.mark.clock(at(2026, 12, 1, 9))
def test_adherence_targets_are_whole_sessions_and_the_list_is_paginated(
    persona, client, clinic, clinic_admin
):
    from django.urls import reverse

    from booking.staff.pages.reports import ADHERENCE_PAGE

    for _ in range(ADHERENCE_PAGE + 1):
        RunnerFactory(clinic=clinic, cadence="fortnightly")
    (row, *_rest) = adherence(clinic=clinic, start=date(2026, 9, 9), end=date(2026, 11, 30))
    assert row.expected == 6 and isinstance(row.expected, int)  # 83 days / 14: not 5.9
    page = persona("clinic_admin").page
    url = reverse("staff:adherence") + "?start=2026-09-09&end=2026-11-30"
    html = page.get(url).content.decode()
    assert "0 / 6" in html and "5.9" not in html
    assert html.count('<th scope="row">') == ADHERENCE_PAGE and "Page 1 of 2" in html
    html = page.get(url + "&page=2").content.decode()
    assert html.count('<th scope="row">') == 1 and "Previous page" in html


@pytest.mark.clock(at(2026, 12, 1, 9))
def test_send_a_reminder_now_exactly_once_per_due_period(
    persona, client, clinic_admin, alice, bob, make_session, mailoutbox
):
    from django.urls import reverse

    make_session(at(2026, 10, 1, 10), "attended", runner=alice)  # overdue since mid-October
    make_session(at(2026, 11, 28, 10), "attended", runner=bob)  # not due
    page = persona("clinic_admin").page
    html = page.get(reverse("staff:adherence")).content.decode()
    assert reverse("staff:remind", args=[alice.pk]) in html
    assert reverse("staff:remind", args=[bob.pk]) not in html
    r = page.post(reverse("staff:remind", args=[alice.pk]), follow=True)
    assert "Reminder sent to Alice Runner." in r.content.decode()
    assert [m.to for m in mailoutbox] == [["alice@runners.test"]]
    # The list says so in place of the button, for this due period.
    assert "Reminded on 1 Dec" in r.content.decode()
    assert reverse("staff:remind", args=[alice.pk]) not in r.content.decode()
    r = page.post(reverse("staff:remind", args=[alice.pk]), follow=True)
    assert "Alice Runner was already reminded for this period" in r.content.decode()
    assert len(mailoutbox) == 1
    r = page.post(reverse("staff:remind", args=[bob.pk]), follow=True)
    assert "Bob Runner is not due for a reminder." in r.content.decode()
    assert len(mailoutbox) == 1
    # A therapist may not; another clinic's runner is not found.
    assert (
        persona("therapist").page.post(reverse("staff:remind", args=[alice.pk])).status_code == 403
    )
    assert (
        persona("other_admin").page.post(reverse("staff:remind", args=[alice.pk])).status_code
        == 404
    )


@pytest.mark.clock(at(2026, 12, 1, 9))
def test_dashboard_and_adherence_pages_in_a_fixed_number_of_queries(
    persona, clinic, therapist, service, make_session, django_assert_num_queries
):
    """Eight weeks of sessions and a page of runners on a cadence: the same count of
    queries for a handful as for many (no query per session, runner or period)."""
    from django.urls import reverse

    page = persona("clinic_admin").page
    page.get(reverse("staff:dashboard"))  # the session and the clinic's settings, cached
    n = 0
    for runners in (3, 30):
        for _ in range(runners):
            runner = RunnerFactory(clinic=clinic, cadence="fortnightly")
            for status in ("attended", "no_show"):
                start = at(2026, 10, 12, 8) + timedelta(days=n // 8, hours=n % 8)
                make_session(start, status, runner=runner)
                n += 1
        with django_assert_num_queries(DASHBOARD_QUERIES):
            assert page.get(reverse("staff:dashboard")).status_code == 200
        with django_assert_num_queries(ADHERENCE_QUERIES):
            html = page.get(reverse("staff:adherence")).content.decode()
        assert html.count('<th scope="row">') == runners + (3 if runners == 30 else 0)
