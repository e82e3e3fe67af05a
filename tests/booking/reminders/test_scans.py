"""Who is due which reminder, and when: the rules at their exact edges."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from booking.models import Reminder, Session
from booking.reminders import scans, tasks
from devtools.factories import (
    ClinicFactory,
    RunnerFactory,
    SessionFactory,
    TherapistFactory,
    UserFactory,
)
from runners.models import Cadence
from tests.booking.reminders.conftest import booked_at, joined_at, madrid, past_session

pytestmark = pytest.mark.django_db


def due_ids(clinic, now):
    return set(scans.due_runners(clinic=clinic, now=now).values_list("pk", flat=True))


@pytest.mark.parametrize(
    ("cadence", "days_ago", "due"),
    [
        (Cadence.FORTNIGHTLY, 14, True),
        (Cadence.FORTNIGHTLY, 13, False),
        (Cadence.FORTNIGHTLY, 15, True),
        (Cadence.MONTHLY, 30, True),
        (Cadence.MONTHLY, 29, False),
        (Cadence.MONTHLY, 14, False),
    ],
)
def test_due_at_the_exact_boundary_day(
    alice, therapist, runner_clinic, scan_day, cadence, days_ago, due
):
    alice.cadence = cadence
    alice.save()
    # Late in the evening, local time: it is the calendar day that counts, not 24 h spans.
    past_session(
        runner=alice,
        therapist=therapist,
        start=madrid(2026, 11, 26, 19, 0) - timedelta(days=days_ago),
    )
    assert (alice.pk in due_ids(runner_clinic, scan_day)) is due


def test_a_runner_who_never_had_a_session_is_due(alice, runner_clinic, scan_day):
    assert due_ids(runner_clinic, scan_day) == {alice.pk}


def test_opted_out_or_cadence_off_or_inactive_is_never_due(alice, bob, runner_clinic, scan_day):
    alice.reminders_opt_in = False
    alice.save()
    bob.cadence = Cadence.OFF
    bob.save()
    carol = RunnerFactory(clinic=runner_clinic, user=UserFactory(is_active=False))
    assert due_ids(runner_clinic, scan_day) == set()
    assert carol.pk not in due_ids(runner_clinic, scan_day)


def test_a_session_booked_ahead_means_not_due(alice, therapist, runner_clinic, scan_day):
    past_session(runner=alice, therapist=therapist, start=madrid(2026, 10, 1, 10))
    past_session(
        runner=alice,
        therapist=therapist,
        start=madrid(2026, 12, 8, 10),  # within the fortnight
        status=Session.Status.BOOKED,
    )
    assert due_ids(runner_clinic, scan_day) == set()


def test_only_a_session_within_the_cadence_suppresses_the_reminder(
    alice, therapist, runner_clinic, scan_day
):
    past_session(runner=alice, therapist=therapist, start=madrid(2026, 10, 1, 10))
    past_session(
        runner=alice,
        therapist=therapist,
        start=madrid(2027, 1, 25, 10),  # 60 days ahead
        status=Session.Status.BOOKED,
    )
    assert due_ids(runner_clinic, scan_day) == {alice.pk}


def test_a_cancelled_or_missed_session_does_not_count(alice, therapist, runner_clinic, scan_day):
    past_session(
        runner=alice,
        therapist=therapist,
        start=madrid(2026, 11, 20, 10),
        status=Session.Status.CANCELLED,
    )
    past_session(
        runner=alice,
        therapist=therapist,
        start=madrid(2026, 11, 21, 10),
        status=Session.Status.NO_SHOW,
    )
    assert due_ids(runner_clinic, scan_day) == {alice.pk}


def test_a_recent_session_not_yet_marked_attended_counts(alice, therapist, runner_clinic, scan_day):
    past_session(
        runner=alice,
        therapist=therapist,
        start=madrid(2026, 11, 24, 10),
        status=Session.Status.BOOKED,
    )
    assert due_ids(runner_clinic, scan_day) == set()


def test_only_the_clinics_own_runners(alice, other_clinic, runner_clinic, scan_day):
    RunnerFactory(clinic=other_clinic)
    assert due_ids(runner_clinic, scan_day) == {alice.pk}


# The due period (the unique key).


def test_period_starts_cadence_days_after_the_last_session_and_repeats():
    last = date(2026, 11, 1)
    assert scans.cadence_period(
        last=last, joined=date(2025, 1, 1), today=date(2026, 11, 15), days=14
    ) == date(2026, 11, 15)
    # Still due a week later: the same period, so no second e-mail.
    assert scans.cadence_period(
        last=last, joined=date(2025, 1, 1), today=date(2026, 11, 22), days=14
    ) == date(2026, 11, 15)
    # Still due after another full cadence: a new period, one new reminder.
    assert scans.cadence_period(
        last=last, joined=date(2025, 1, 1), today=date(2026, 11, 29), days=14
    ) == date(2026, 11, 29)


def test_never_had_a_session_periods_run_from_sign_up():
    joined = date(2026, 11, 10)
    assert scans.cadence_period(
        last=None, joined=joined, today=date(2026, 11, 10), days=30
    ) == date(2026, 11, 10)
    assert scans.cadence_period(last=None, joined=joined, today=date(2026, 12, 9), days=30) == date(
        2026, 11, 10
    )
    assert scans.cadence_period(
        last=None, joined=joined, today=date(2026, 12, 10), days=30
    ) == date(2026, 12, 10)


def test_due_keys_use_the_clinic_local_date_of_the_last_session(
    alice, bob, therapist, runner_clinic, scan_day
):
    # 00:30 in Madrid on 12 November is still 11 November in UTC.
    past_session(runner=alice, therapist=therapist, start=madrid(2026, 11, 12, 0, 30))
    joined_at(bob, madrid(2026, 11, 20, 12))
    keys = {
        d.runner_id: d.key
        for d in scans.cadence_due_keys(runner_ids=[alice.pk, bob.pk], now=scan_day)
    }
    assert keys == {alice.pk: "2026-11-26", bob.pk: "2026-11-20"}


# Time zones: each clinic at its own morning hour.


@pytest.mark.parametrize(
    ("utc_now", "scanned"),
    [
        # Winter: Madrid is UTC+1, New York UTC-5.
        (datetime(2026, 11, 26, 8, 5, tzinfo=ZoneInfo("UTC")), {"madrid"}),
        (datetime(2026, 11, 26, 14, 5, tzinfo=ZoneInfo("UTC")), {"nyc"}),
        (datetime(2026, 11, 26, 9, 5, tzinfo=ZoneInfo("UTC")), set()),
        # Summer: Madrid is UTC+2, New York UTC-4.
        (datetime(2026, 7, 1, 7, 5, tzinfo=ZoneInfo("UTC")), {"madrid"}),
        (datetime(2026, 7, 1, 13, 5, tzinfo=ZoneInfo("UTC")), {"nyc"}),
        # 29 March 2026: Madrid springs forward at 02:00; 09:05 local is 07:05 UTC.
        (datetime(2026, 3, 29, 7, 5, tzinfo=ZoneInfo("UTC")), {"madrid"}),
    ],
)
def test_each_clinic_is_scanned_at_its_local_reminder_hour(utc_now, scanned):
    ClinicFactory(slug="madrid", timezone="Europe/Madrid", reminder_hour=9)
    ClinicFactory(slug="nyc", timezone="America/New_York", reminder_hour=9)
    assert {c.slug for c in scans.clinics_at_reminder_hour(now=utc_now)} == scanned


def test_the_scan_enqueues_only_runners_of_clinics_at_their_hour(alice, therapist):
    nyc = ClinicFactory(slug="nyc", timezone="America/New_York", reminder_hour=9)
    ny_runner = RunnerFactory(clinic=nyc)
    batches = []
    tasks.run_cadence_scan(
        now=datetime(2026, 11, 26, 8, 5, tzinfo=ZoneInfo("UTC")), enqueue=batches.append
    )
    assert batches == [[alice.pk]]
    batches.clear()
    tasks.run_cadence_scan(
        now=datetime(2026, 11, 26, 14, 5, tzinfo=ZoneInfo("UTC")), enqueue=batches.append
    )
    assert batches == [[ny_runner.pk]]


def test_the_due_day_is_the_clinic_local_day(therapist):
    """One instant, two calendars: 12 Nov 23:30 UTC is 18:30 on the 12th in New York but
    already 00:30 on the 13th in Madrid; on 26 Nov one runner is due, the other not yet."""
    nyc = ClinicFactory(slug="nyc", timezone="America/New_York", reminder_hour=9)
    ny_runner = RunnerFactory(clinic=nyc)
    md_runner = RunnerFactory(clinic=therapist.clinic)
    last = datetime(2026, 11, 12, 23, 30, tzinfo=ZoneInfo("UTC"))
    SessionFactory(runner=ny_runner, therapist=TherapistFactory(), start=last, status="attended")
    SessionFactory(runner=md_runner, therapist=therapist, start=last, status="attended")
    now = datetime(2026, 11, 26, 12, 0, tzinfo=ZoneInfo("UTC"))
    assert ny_runner.pk in due_ids(nyc, now)
    assert md_runner.pk not in due_ids(therapist.clinic, now)


# Query counts: set-based, whatever the number of runners.


def test_the_scan_takes_the_same_queries_for_3_or_60_runners(
    runner_clinic, scan_day, django_assert_num_queries
):
    def run():
        batches = []
        with django_assert_num_queries(2):  # clinics, then the streamed due runners
            tasks.run_cadence_scan(now=scan_day, enqueue=batches.append)
        return batches

    RunnerFactory.create_batch(3, clinic=runner_clinic)
    assert sum(map(len, run())) == 3
    RunnerFactory.create_batch(57, clinic=runner_clinic)
    assert sum(map(len, run())) == 60


def test_the_scan_enqueues_one_task_per_batch(runner_clinic, scan_day, monkeypatch):
    monkeypatch.setattr(scans, "BATCH_SIZE", 4)
    RunnerFactory.create_batch(10, clinic=runner_clinic)
    batches = []
    tasks.run_cadence_scan(now=scan_day, enqueue=batches.append)
    assert [len(b) for b in batches] == [4, 4, 2]


def test_already_reminded_this_period_are_not_enqueued_again(alice, runner_clinic, scan_day):
    Reminder.objects.create(runner=alice, kind="cadence", key="2026-11-26")
    batches = []
    tasks.run_cadence_scan(now=scan_day, enqueue=batches.append)
    assert batches == []


# Appointment reminders: 24 hours before.


@pytest.fixture
def now():
    return madrid(2026, 11, 26, 10, 0)


def _session(alice, therapist, start, booked):
    s = SessionFactory(runner=alice, therapist=therapist, start=start)
    return booked_at(s, booked)


def appointment_due(now):
    return set(scans.sessions_due_appointment_reminder(now=now).values_list("pk", flat=True))


def test_appointment_reminder_exactly_24_hours_before(alice, therapist, now):
    s = _session(alice, therapist, now + timedelta(hours=24), now - timedelta(days=3))
    assert appointment_due(now) == {s.pk}
    assert appointment_due(now - timedelta(minutes=1)) == set()


def test_no_appointment_reminder_for_a_session_booked_within_24_hours(alice, therapist, now):
    _session(alice, therapist, now + timedelta(hours=20), now - timedelta(hours=3, minutes=59))
    assert appointment_due(now) == set()


def test_booked_exactly_24_hours_ahead_gets_one(alice, therapist, now):
    start = now + timedelta(hours=20)
    s = _session(alice, therapist, start, start - timedelta(hours=24))
    assert appointment_due(now) == {s.pk}


def test_a_late_scan_still_reminds_before_the_session_but_not_after(alice, therapist, now):
    s = _session(alice, therapist, now + timedelta(hours=2), now - timedelta(days=5))
    assert appointment_due(now) == {s.pk}
    assert appointment_due(now + timedelta(hours=2)) == set()


def test_no_appointment_reminder_for_cancelled_sessions(alice, therapist, now):
    s = _session(alice, therapist, now + timedelta(hours=5), now - timedelta(days=5))
    Session.objects.filter(pk=s.pk).update(status=Session.Status.CANCELLED)
    assert appointment_due(now) == set()


def test_a_reminded_session_is_not_selected_again(alice, therapist, now, mailoutbox):
    s = _session(alice, therapist, now + timedelta(hours=5), now - timedelta(days=5))
    assert tasks.run_appointment_batch([s.pk], now=now) == []
    assert appointment_due(now) == set()
    assert len(mailoutbox) == 1


def test_the_appointment_scan_is_set_based(alice, bob, therapist, now, django_assert_num_queries):
    for i, runner in enumerate([alice, bob]):
        _session(runner, therapist, now + timedelta(hours=3 + i), now - timedelta(days=5))
    batches = []
    with django_assert_num_queries(1):
        tasks.run_appointment_scan(now=now, enqueue=batches.append)
    assert len(batches) == 1 and len(batches[0]) == 2
