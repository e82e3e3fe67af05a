"""The e-mail a session change causes: its reminder row is written inside the change
(same transaction), then handed to a worker once committed."""

import logging
from datetime import UTC

from django.db import transaction

from booking.models import Reminder, Session, SessionEvent
from clinic.celery import app as celery_app

logger = logging.getLogger(__name__)

# The worker's task (booking.reminders.tasks.deliver_reminders, registered by
# booking.apps) that sends recorded reminders.
DELIVER_TASK = "booking.tasks.deliver_reminders"


def last_move(session: Session) -> SessionEvent | None:
    return (
        SessionEvent.objects.filter(session=session, kind=SessionEvent.Kind.RESCHEDULED)
        .order_by("-at", "-pk")
        .first()
    )


def session_email_key(session: Session, kind: str) -> str:
    """One confirmation per booking, one cancellation per session, one e-mail per move
    (a session is moved in place, so a move is its RESCHEDULED event)."""
    if kind == Reminder.Kind.CANCELLATION:
        return f"s{session.pk}"
    if kind == Reminder.Kind.RESCHEDULE:
        move = last_move(session)
        if move is not None:
            return f"s{session.pk}@e{move.pk}"
    return f"s{session.pk}@{session.start.astimezone(UTC):%Y-%m-%dT%H:%MZ}"


def record_in_change(*, session: Session, kind: str) -> Reminder:
    """A session e-mail's row, written inside the change that causes it, in one statement
    (INSERT ... ON CONFLICT ... RETURNING): a row already there is kept as it is."""
    (reminder,) = Reminder.objects.bulk_create(
        [
            Reminder(
                runner_id=session.runner_id,
                kind=kind,
                key=session_email_key(session, kind),
                session_id=session.pk,
            )
        ],
        update_conflicts=True,
        unique_fields=["runner", "kind", "key"],
        update_fields=["session"],
    )
    return reminder


def enqueue(session: Session, kind: str) -> None:
    """The session's e-mail: its reminder row is written with the change (same
    transaction), then handed to a worker once committed. If the broker is down the
    change still answers: the row is marked for the next sweep (`queue`)."""
    reminder = record_in_change(session=session, kind=kind)
    transaction.on_commit(lambda: queue([reminder.pk]), robust=True)


def queue(reminder_ids: list[int]) -> None:
    """Hand recorded reminders to a worker. With the broker down the caller (a booking
    that has committed) must not fail: the rows are marked as never queued (failed, no
    attempt) and the next sweep, every 15 minutes with the appointment scan, sends them."""
    try:
        # By name: the engine does not import the reminders (they import the engine).
        celery_app.tasks[DELIVER_TASK].delay(reminder_ids)
    except Exception as exc:  # any broker error: kombu's, redis', a socket's
        logger.warning(
            "could not queue reminders %s (%s): left to the next sweep",
            reminder_ids,
            type(exc).__name__,
        )
        Reminder.objects.filter(
            pk__in=reminder_ids, state=Reminder.State.PENDING, attempts=0
        ).update(state=Reminder.State.FAILED, last_error=f"not queued: {type(exc).__name__}")
