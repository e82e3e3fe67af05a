"""Celery tasks: thin adapters that take ids, re-fetch, and call a service.

The reminders issue fills these in; the booking services already enqueue
`send_session_email` on commit.
"""

from celery import shared_task


@shared_task(acks_late=True)
def send_session_email(session_id: int, kind: str) -> None:
    """Confirmation / cancellation / reschedule e-mail for one session (kind: a
    booking.models.Reminder.Kind value). Safe to run twice."""
    from . import notifications

    notifications.send_session_email(session_id, kind)


@shared_task
def cadence_scan() -> None:
    """Hourly: for each clinic whose local time is its reminder hour, find due runners
    in set-based queries and enqueue one task per batch."""


@shared_task
def appointment_scan() -> None:
    """Every 15 minutes: enqueue the 24-hours-before reminders that are due."""
