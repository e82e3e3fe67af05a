"""Celery tasks: thin adapters that take ids, re-fetch, and call booking.reminders.delivery.

Exactly once, from the runner's side: a scan only selects ids (set-based, streamed) and
enqueues one task per batch; the batch task records each reminder under its unique key
and `deliver` claims and sends it. Tasks are acked late and rejected (redelivered) when
a worker dies (settings); retries use short countdowns, well under the broker's
visibility timeout, and a sweep picks up anything a lost message left behind.

Each task keeps the name it was registered under when this module was booking.tasks:
the beat schedule (settings) and messages already queued in the broker refer to tasks by
name, so the names stay across the move.
"""

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from celery import shared_task
from django.db.models import F, Q
from django.utils import timezone

from booking.engine import outbox, waitlist
from booking.models import FreedTime, Reminder, Session
from booking.reminders import delivery, scans

logger = logging.getLogger(__name__)

# Countdown of the n-th retry in seconds (1, 2, 4, 8, 15 min): all far below the Redis
# visibility timeout (settings.CELERY_BROKER_TRANSPORT_OPTIONS), so an ETA'd retry held
# by a worker is never redelivered to a second one.
RETRY_COUNTDOWNS = (60, 120, 240, 480, 900)
# A reminder left pending or failed this long (its message lost, its retries spent) is
# picked up again by the sweep.
SWEEP_AFTER = timedelta(minutes=45)


def _enqueue_in_batches(queryset, enqueue: Callable[[list[int]], object]) -> int:
    """Stream the ids (in key order) and enqueue one task per BATCH_SIZE; the count."""
    ids = queryset.order_by("pk").values_list("pk", flat=True)
    count = 0
    for batch in scans.iter_batches(ids.iterator(chunk_size=scans.BATCH_SIZE)):
        enqueue(batch)
        count += len(batch)
    return count


def retry_countdown(retries: int) -> int:
    return RETRY_COUNTDOWNS[min(retries, len(RETRY_COUNTDOWNS) - 1)]


def _retry_failed(failed: list[int]) -> None:
    if failed:
        deliver_reminders.apply_async(args=(failed,), countdown=retry_countdown(0))


@shared_task(
    bind=True,
    acks_late=True,
    max_retries=len(RETRY_COUNTDOWNS),
    name="booking.tasks.send_session_email",
)
def send_session_email(self, session_id: int, kind: str) -> None:
    """Confirmation / cancellation / reschedule e-mail for one session (kind: a
    booking.models.Reminder.Kind value). Safe to run twice."""
    if delivery.send_session_email(session_id, kind) == delivery.FAILED:
        raise self.retry(countdown=retry_countdown(self.request.retries))


@shared_task(
    bind=True,
    acks_late=True,
    max_retries=len(RETRY_COUNTDOWNS),
    name=outbox.DELIVER_TASK,
)
def deliver_reminders(self, reminder_ids: list[int]) -> None:
    """Send recorded reminders that are not sent yet; retry the failed ones with backoff."""
    failed = delivery.deliver_many(reminder_ids)
    if failed:
        raise self.retry(args=(failed,), countdown=retry_countdown(self.request.retries))


def run_cadence_scan(
    *, now: datetime | None = None, enqueue: Callable[[list[int]], object] | None = None
) -> int:
    """Enqueue one batch task per BATCH_SIZE due runners of every clinic whose local hour
    is its reminder hour. Returns the number of runners enqueued."""
    now = now or timezone.now()
    enqueue = enqueue or (lambda ids: send_cadence_batch.delay(ids))
    count = 0
    for clinic in scans.clinics_at_reminder_hour(now=now):
        for batch in scans.due_runner_id_batches(clinic=clinic, now=now):
            enqueue(batch)
            count += len(batch)
    return count


def run_cadence_batch(runner_ids: list[int], *, now: datetime | None = None) -> list[int]:
    """Record and send the cadence reminders of a batch; return the ids that failed."""
    now = now or timezone.now()
    due = scans.cadence_due_keys(runner_ids=runner_ids, now=now)
    delivery.record_many(
        [Reminder(runner_id=d.runner_id, kind=Reminder.Kind.CADENCE, key=d.key) for d in due]
    )
    ids = delivery.pending_ids(
        kind=Reminder.Kind.CADENCE, pairs=[(d.runner_id, d.key) for d in due]
    )
    return delivery.deliver_many(ids, now=now)


@shared_task(acks_late=True, name="booking.tasks.cadence_scan")
def cadence_scan() -> int:
    """Hourly: for each clinic whose local time is its reminder hour, find due runners
    in set-based queries and enqueue one task per batch."""
    return run_cadence_scan()


@shared_task(acks_late=True, name="booking.tasks.send_cadence_batch")
def send_cadence_batch(runner_ids: list[int]) -> None:
    _retry_failed(run_cadence_batch(runner_ids))


def run_appointment_scan(
    *, now: datetime | None = None, enqueue: Callable[[list[int]], object] | None = None
) -> int:
    now = now or timezone.now()
    enqueue = enqueue or (lambda ids: send_appointment_batch.delay(ids))
    return _enqueue_in_batches(scans.sessions_due_appointment_reminder(now=now), enqueue)


def run_appointment_batch(session_ids: list[int], *, now: datetime | None = None) -> list[int]:
    now = now or timezone.now()
    due = list(
        scans.with_booked_at(
            Session.objects.filter(
                pk__in=session_ids,
                status=Session.Status.BOOKED,
                start__gt=now,
                start__lte=now + scans.APPOINTMENT_LEAD,
            )
        )
        .filter(booked_at__lte=F("start") - scans.APPOINTMENT_LEAD)
        .annotate(reminder_key=scans.appointment_key_expression())
        .values_list("pk", "runner_id", "reminder_key")
    )
    delivery.record_many(
        [
            Reminder(runner_id=runner_id, kind=Reminder.Kind.APPOINTMENT, key=key, session_id=pk)
            for pk, runner_id, key in due
        ]
    )
    ids = delivery.pending_ids(kind=Reminder.Kind.APPOINTMENT, pairs=[(r, k) for _pk, r, k in due])
    return delivery.deliver_many(ids, now=now)


def run_sweep(
    *, now: datetime | None = None, enqueue: Callable[[list[int]], object] | None = None
) -> int:
    """Re-enqueue reminders left pending or failed (a lost message, spent retries) for
    SWEEP_AFTER, and at once those that could not be queued at all (broker down)."""
    now = now or timezone.now()
    enqueue = enqueue or (lambda ids: deliver_reminders.delay(ids))
    due = Reminder.objects.filter(
        Q(created_at__lt=now - SWEEP_AFTER) | Q(state=Reminder.State.FAILED, attempts=0),
        state__in=[Reminder.State.PENDING, Reminder.State.FAILED],
        attempts__lt=delivery.MAX_ATTEMPTS,
        created_at__gt=now - timedelta(days=2),
    )
    return _enqueue_in_batches(due, enqueue)


@shared_task(acks_late=True, name="booking.tasks.appointment_scan")
def appointment_scan() -> int:
    """Every 15 minutes: enqueue the 24-hours-before reminders that are due, and sweep
    up reminders whose message was lost."""
    count = run_appointment_scan()
    run_sweep()
    return count


@shared_task(acks_late=True, name="booking.tasks.send_appointment_batch")
def send_appointment_batch(session_ids: list[int]) -> None:
    _retry_failed(run_appointment_batch(session_ids))


# The waitlist (booking.engine.waitlist): a freed time is offered once, e-mailed in join order.
WAITLIST_SWEEP_AFTER = timedelta(minutes=1)


def run_waitlist_offer(freed_id: int, *, now: datetime | None = None) -> list[int]:
    """Record the offers of a freed time (once), then send the e-mails not sent yet, in
    the order the runners joined (each stamped with its own sending time); the ids that
    failed."""
    return delivery.deliver_many(waitlist.make_offers(freed_id, now=now))


@shared_task(
    bind=True,
    acks_late=True,
    max_retries=len(RETRY_COUNTDOWNS),
    name=waitlist.OFFER_TASK,
)
def waitlist_offer(self, freed_id: int) -> None:
    """Safe to run twice, or again after a worker died mid-batch: the offers and their
    e-mail rows are unique, `deliver` sends each at most once."""
    if run_waitlist_offer(freed_id):
        raise self.retry(countdown=retry_countdown(self.request.retries))


def run_waitlist_sweep(*, now: datetime | None = None) -> int:
    """Freed times not offered a minute after they were recorded (the message lost, the
    broker down): offer them now. Recent ones only: an old freed time is long gone."""
    now = now or timezone.now()
    ids = list(
        FreedTime.objects.filter(
            offered_at__isnull=True,
            created_at__lt=now - WAITLIST_SWEEP_AFTER,
            created_at__gt=now - timedelta(days=1),
        ).values_list("pk", flat=True)
    )
    for freed_id in ids:
        waitlist_offer.delay(freed_id)
    return len(ids)


@shared_task(acks_late=True, name="booking.tasks.waitlist_sweep")
def waitlist_sweep() -> int:
    return run_waitlist_sweep()
