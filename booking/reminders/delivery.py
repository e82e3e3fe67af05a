"""E-mails to runners: record under a unique key, claim, send once.

Every e-mail is a booking.models.Reminder row first (unique runner, kind, key), then
`deliver` claims the row (a row lock that a second worker skips), sends it through
Django's e-mail backend in the runner's language (plain text + HTML) and marks it sent in
the same transaction. A second beat, a retried task or a second worker finds the row sent
or locked and does nothing; a failed send leaves the row `failed` for the retry."""

import logging
from datetime import datetime

from celery.exceptions import SoftTimeLimitExceeded
from django.db import IntegrityError, transaction
from django.utils import timezone

from booking.engine.outbox import queue, session_email_key
from booking.models import Reminder, Session
from booking.reminders import scans
from booking.reminders.messages import SESSION_KINDS, Moot, build_message

logger = logging.getLogger(__name__)

# After this many failed sends a reminder is left alone (and visible in the admin).
MAX_ATTEMPTS = 10
SENT = "sent"
FAILED = "failed"
SKIPPED = "skipped"
BUSY = "busy"  # sent already, or being sent by another worker right now


def record(*, runner_id: int, kind: str, key: str, session_id: int | None = None) -> Reminder:
    """The reminder row under its unique key, created if missing (insert or fetch)."""
    try:
        with transaction.atomic():
            reminder, _created = Reminder.objects.get_or_create(
                runner_id=runner_id, kind=kind, key=key, defaults={"session_id": session_id}
            )
    except IntegrityError:  # created by a concurrent worker between the get and the insert
        reminder = Reminder.objects.get(runner_id=runner_id, kind=kind, key=key)
    return reminder


def record_many(rows: list[Reminder]) -> None:
    """Insert many rows in one statement; the ones that exist already are left as they are."""
    Reminder.objects.bulk_create(rows, ignore_conflicts=True, batch_size=scans.BATCH_SIZE)


def resend(reminder_ids: list[int]) -> int:
    """Failed or pending reminders get a fresh budget of attempts and go to the worker
    again (`deliver` still sends each at most once). Returns how many were queued."""
    ids = list(
        Reminder.objects.filter(
            pk__in=reminder_ids, state__in=[Reminder.State.FAILED, Reminder.State.PENDING]
        ).values_list("pk", flat=True)
    )
    Reminder.objects.filter(pk__in=ids).update(attempts=0)
    for start in range(0, len(ids), 500):
        queue(ids[start : start + 500])
    return len(ids)


def deliver(reminder_id: int, *, now: datetime | None = None) -> str:
    """Send one recorded reminder unless it is sent or another worker holds it.

    The row lock is held while the message goes out, so two workers never send the same
    row; if this worker dies mid-send the transaction rolls back and the row is pending
    again for the redelivered task."""
    now = now or timezone.now()
    with transaction.atomic():
        reminder = (
            Reminder.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(
                pk=reminder_id,
                state__in=[Reminder.State.PENDING, Reminder.State.FAILED],
                attempts__lt=MAX_ATTEMPTS,
            )
            .first()
        )
        if reminder is None:
            return BUSY
        try:
            message = build_message(reminder, now=now)
        except Moot as reason:
            logger.info("reminder %s skipped: %s", reminder.pk, reason)
            reminder.delete()
            return SKIPPED
        try:
            message.send()
        except SoftTimeLimitExceeded:
            raise  # out of time: roll back, the row stays pending for the sweep
        except Exception as exc:  # any backend error: keep the row for the retry
            logger.warning(
                "reminder %s failed to send (%s)", reminder.pk, type(exc).__name__, exc_info=False
            )
            reminder.state = Reminder.State.FAILED
            reminder.attempts += 1
            reminder.last_error = f"{type(exc).__name__}: {exc}"[:500]
            reminder.save(update_fields=["state", "attempts", "last_error"])
            return FAILED
        reminder.state = Reminder.State.SENT
        reminder.attempts += 1
        reminder.sent_at = now
        reminder.last_error = ""
        reminder.save(update_fields=["state", "attempts", "sent_at", "last_error"])
        return SENT


def deliver_many(reminder_ids: list[int], *, now: datetime | None = None) -> list[int]:
    """Deliver each; return the ids that failed (for a retry with backoff)."""
    return [rid for rid in reminder_ids if deliver(rid, now=now) == FAILED]


def send_session_email(session_id: int, kind: str) -> str:
    """Confirmation / cancellation / reschedule e-mail for a session, at most once."""
    if kind not in SESSION_KINDS:
        raise ValueError(f"Not a session e-mail kind: {kind}")
    session = Session.objects.filter(pk=session_id).first()
    if session is None:
        return SKIPPED
    reminder = record(
        runner_id=session.runner_id,
        kind=kind,
        key=session_email_key(session, kind),
        session_id=session.pk,
    )
    return deliver(reminder.pk)


def pending_ids(*, kind: str, pairs: list[tuple[int, str]]) -> list[int]:
    """Ids of the not-yet-sent rows among (runner id, key) pairs of one kind (one query)."""
    if not pairs:
        return []
    wanted = set(pairs)
    rows = Reminder.objects.filter(
        kind=kind,
        runner_id__in={r for r, _k in pairs},
        key__in={k for _r, k in pairs},
        state__in=[Reminder.State.PENDING, Reminder.State.FAILED],
    ).values_list("pk", "runner_id", "key")
    return [pk for pk, runner_id, key in rows if (runner_id, key) in wanted]
