"""Exactly once, from the runner's side: twice, concurrently, and after a failed send."""

import threading
from datetime import timedelta

import pytest
from django.db import connection

from booking.models import Reminder
from booking.reminders import delivery, scans, tasks
from devtools.factories import SessionFactory
from tests.booking.reminders.conftest import booked_at, joined_at, madrid

pytestmark = pytest.mark.django_db


def run_scan_and_batches(now):
    batches = []
    tasks.run_cadence_scan(now=now, enqueue=batches.append)
    failed = [f for b in batches for f in tasks.run_cadence_batch(b, now=now)]
    assert failed == []
    return batches


def test_scan_twice_one_email_each(alice, bob, runner_clinic, scan_day, mailoutbox):
    run_scan_and_batches(scan_day)
    run_scan_and_batches(scan_day + timedelta(minutes=1))
    assert sorted(m.to[0] for m in mailoutbox) == ["alice@runners.test", "bob@runners.test"]


def test_the_same_batch_run_twice_sends_once(alice, bob, runner_clinic, scan_day, mailoutbox):
    """A redelivered task, or a second beat that got past the scan's filter."""
    batch = [alice.pk, bob.pk]
    tasks.run_cadence_batch(batch, now=scan_day)
    tasks.run_cadence_batch(batch, now=scan_day + timedelta(hours=1))
    assert len(mailoutbox) == 2
    assert Reminder.objects.filter(state="sent").count() == 2


def test_next_day_same_period_no_new_email(alice, runner_clinic, scan_day, mailoutbox):
    joined_at(alice, scan_day)
    tasks.run_cadence_batch([alice.pk], now=scan_day)
    tasks.run_cadence_batch([alice.pk], now=scan_day + timedelta(days=1))
    tasks.run_cadence_batch([alice.pk], now=scan_day + timedelta(days=13))
    assert len(mailoutbox) == 1
    # A full cadence later and still nothing booked: one new reminder for the new period.
    run_scan_and_batches(scan_day + timedelta(days=14))
    assert len(mailoutbox) == 2
    assert list(Reminder.objects.order_by("key").values_list("key", flat=True)) == [
        "2026-11-26",
        "2026-12-10",
    ]


def test_appointment_scan_twice_one_email(alice, therapist, mailoutbox):
    now = madrid(2026, 11, 26, 10, 0)
    session = SessionFactory(runner=alice, therapist=therapist, start=now + timedelta(hours=23))
    booked_at(session, now - timedelta(days=3))
    for minutes in (0, 15):
        batches = []
        tasks.run_appointment_scan(now=now + timedelta(minutes=minutes), enqueue=batches.append)
        for batch in batches:
            tasks.run_appointment_batch(batch, now=now + timedelta(minutes=minutes))
    tasks.run_appointment_batch([session.pk], now=now + timedelta(minutes=30))
    assert len(mailoutbox) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_one_email_each(
    alice, bob, runner_clinic, scan_day, mailoutbox, settings
):
    settings.EMAIL_BACKEND = "tests.support.mail.SlowLocmemBackend"
    barrier = threading.Barrier(2)
    errors = []

    def worker():
        try:
            barrier.wait()
            tasks.run_cadence_batch([alice.pk, bob.pk], now=scan_day)
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(m.to[0] for m in mailoutbox) == ["alice@runners.test", "bob@runners.test"]
    assert Reminder.objects.filter(state="sent").count() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_same_session_email_one_email(alice, therapist, mailoutbox, settings):
    settings.EMAIL_BACKEND = "tests.support.mail.SlowLocmemBackend"
    session = SessionFactory(runner=alice, therapist=therapist)
    barrier = threading.Barrier(3)
    results = []

    def worker():
        try:
            barrier.wait()
            results.append(delivery.send_session_email(session.pk, "confirmation"))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["busy", "busy", "sent"]
    assert len(mailoutbox) == 1


def test_a_failed_send_is_kept_and_retried_then_sent_once(
    alice, runner_clinic, scan_day, mailoutbox, flaky_backend
):
    failed = tasks.run_cadence_batch([alice.pk], now=scan_day)
    reminder = Reminder.objects.get(runner=alice)
    assert failed == [reminder.pk]
    assert (reminder.state, reminder.attempts) == ("failed", 1)
    assert "SMTPServerDisconnected" in reminder.last_error
    assert mailoutbox == []
    # The retry (what deliver_reminders runs after its countdown) sends it, once.
    assert delivery.deliver_many([reminder.pk], now=scan_day) == []
    assert delivery.deliver_many([reminder.pk], now=scan_day) == []
    reminder.refresh_from_db()
    assert (reminder.state, reminder.attempts, reminder.last_error) == ("sent", 2, "")
    assert len(mailoutbox) == 1


def test_the_task_retries_a_failed_session_email(alice, therapist, mailoutbox, flaky_backend):
    """Through Celery's own retry (run in-process here; a real worker in test_worker)."""
    flaky_backend.reset(2)
    session = SessionFactory(runner=alice, therapist=therapist)
    tasks.send_session_email.apply(args=(session.pk, "confirmation"))
    reminder = Reminder.objects.get(session=session)
    assert (reminder.state, reminder.attempts) == ("sent", 3)
    assert len(mailoutbox) == 1


def test_the_task_retries_failed_reminders_with_backoff_countdowns():
    assert tasks.RETRY_COUNTDOWNS == tuple(sorted(tasks.RETRY_COUNTDOWNS))
    assert tasks.retry_countdown(0) == 60
    assert tasks.retry_countdown(99) == tasks.RETRY_COUNTDOWNS[-1]


def test_retry_countdowns_fit_in_the_visibility_timeout(settings):
    timeout = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout", 3600)
    assert max(tasks.RETRY_COUNTDOWNS) < timeout / 2
    assert settings.CELERY_TASK_TIME_LIMIT < timeout
    assert settings.CELERY_TASK_ACKS_LATE and settings.CELERY_TASK_REJECT_ON_WORKER_LOST


def test_the_sweep_picks_up_a_reminder_whose_message_was_lost(
    alice, runner_clinic, scan_day, mailoutbox
):
    reminder = Reminder.objects.create(runner=alice, kind="cadence", key="2026-11-26")
    Reminder.objects.filter(pk=reminder.pk).update(created_at=scan_day - timedelta(hours=1))
    batches = []
    assert tasks.run_sweep(now=scan_day, enqueue=batches.append) == 1
    assert delivery.deliver_many(batches[0], now=scan_day) == []
    assert len(mailoutbox) == 1
    assert tasks.run_sweep(now=scan_day, enqueue=batches.append) == 0


def test_a_reminder_that_failed_too_often_is_left_alone(alice, runner_clinic, scan_day, mailoutbox):
    reminder = Reminder.objects.create(
        runner=alice,
        kind="cadence",
        key="2026-11-26",
        state="failed",
        attempts=delivery.MAX_ATTEMPTS,
    )
    assert delivery.deliver(reminder.pk, now=scan_day) == delivery.BUSY
    assert mailoutbox == []


def test_each_cadence_email_costs_the_same_queries_however_big_the_batch(
    runner_clinic, therapist, service, scan_day, mailoutbox
):
    """The batch's own reads are set-based; what grows is one fixed cost per e-mail
    (suggestions from the engine, races, the claim): no N+1 inside an e-mail."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from devtools.factories import RunnerFactory

    counts = {}
    for n in (1, 4):
        batch = [r.pk for r in RunnerFactory.create_batch(n, clinic=runner_clinic)]
        with CaptureQueriesContext(connection) as queries:
            assert tasks.run_cadence_batch(batch, now=scan_day) == []
        counts[n] = len(queries)
    per_email = (counts[4] - counts[1]) / 3
    assert per_email == int(per_email) and per_email <= 30
    assert counts[1] - per_email <= 6  # the batch's own: re-check, insert, select
    assert len(mailoutbox) == 5


def test_the_repeated_hour_when_clocks_go_back_sends_once(alice, runner_clinic, mailoutbox):
    """25 Oct 2026 in Madrid: 02:00-03:00 happens twice; a clinic reminding at 02:00 is
    scanned in both, and the runner still gets one e-mail."""
    from datetime import UTC, datetime

    runner_clinic.reminder_hour = 2
    runner_clinic.save()
    first = datetime(2026, 10, 25, 0, 5, tzinfo=UTC)  # 02:05 CEST
    second = datetime(2026, 10, 25, 1, 5, tzinfo=UTC)  # 02:05 CET
    assert {c.pk for c in scans.clinics_at_reminder_hour(now=first)} == {runner_clinic.pk}
    assert {c.pk for c in scans.clinics_at_reminder_hour(now=second)} == {runner_clinic.pk}
    run_scan_and_batches(first)
    run_scan_and_batches(second)
    tasks.run_cadence_batch([alice.pk], now=second)  # even if the second scan enqueued it
    assert len(mailoutbox) == 1


def test_staff_can_send_failed_reminders_again_from_the_admin(
    persona, client, superuser, alice, runner_clinic, scan_day, flaky_backend
):
    flaky_backend.reset(delivery.MAX_ATTEMPTS)
    reminder = Reminder.objects.create(runner=alice, kind="cadence", key="2026-11-26")
    for _ in range(delivery.MAX_ATTEMPTS):
        delivery.deliver(reminder.pk, now=scan_day)
    reminder.refresh_from_db()
    assert (reminder.state, reminder.attempts) == ("failed", delivery.MAX_ATTEMPTS)
    client = persona("superuser").page
    response = client.post(
        "/admin/booking/reminder/",
        {"action": "send_again", "_selected_action": [reminder.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert "1 reminders will be sent again." in response.content.decode()
    reminder.refresh_from_db()
    assert reminder.attempts == 0
    # What the enqueued deliver_reminders task runs:
    flaky_backend.reset(0)
    assert delivery.deliver_many([reminder.pk], now=scan_day) == []
    reminder.refresh_from_db()
    assert reminder.state == "sent"
