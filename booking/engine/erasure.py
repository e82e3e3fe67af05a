"""Writes when a runner deletes their account: the booking side of it. The clinic's
records stay (who was treated when, by whom); what the runner told us goes, their upcoming
sessions are freed, their reminder log and their waitlist entries (with the offers made
from them) are dropped. Called by the account deletion
(booking.runner.account.runner_account_delete), inside its transaction."""

from __future__ import annotations

from datetime import datetime

from booking.models import Reminder, Session, SessionEvent, WaitlistEntry, WaitlistOffer
from clinic.cache import availability_changed
from runners.models import Runner


def runner_sessions_forget(*, runner: Runner, now: datetime) -> None:
    """Free the runner's upcoming sessions and scrub what they wrote on every session.
    The caller holds the runner row's lock (as the booking service does)."""
    # Event payloads may quote what the runner wrote; the events themselves (who changed
    # what, when) stay with the clinic's records.
    SessionEvent.objects.filter(session__runner=runner).update(data={})

    # Upcoming sessions are freed directly rather than through session_cancel: no e-mail
    # goes to an address that is being deleted, and no late-cancellation is counted.
    upcoming = list(
        Session.objects.select_for_update()
        .filter(runner=runner, status=Session.Status.BOOKED, start__gt=now)
        .values_list("pk", "therapist_id")
    )
    if upcoming:
        Session.objects.filter(pk__in=[pk for pk, _t in upcoming]).update(
            status=Session.Status.CANCELLED, cancelled_at=now, updated_at=now
        )
        SessionEvent.objects.bulk_create(
            SessionEvent(
                session_id=pk,
                kind=SessionEvent.Kind.CANCELLED,
                by=None,
                from_status=Session.Status.BOOKED,
                to_status=Session.Status.CANCELLED,
                data={"reason": "account_deleted"},
            )
            for pk, _t in upcoming
        )
        availability_changed(therapist_ids={t for _pk, t in upcoming})

    # The clinic's records stay; what the runner told us, or what names them, goes.
    Session.objects.filter(runner=runner).update(
        runner_note="",
        discomfort_areas=[],
        discomfort_before=None,
        discomfort_after=None,
        therapist_note="",
        race_override_reason="",
        idempotency_key=None,
        # A hash of the request, note included: a guessed note could be checked against it.
        idempotency_fingerprint="",
    )
    Reminder.objects.filter(runner=runner).delete()
    # What they waited for is theirs, not the clinic's record; a time offered by hand to
    # one of their entries goes with it (FreedTime.entry cascades).
    WaitlistOffer.objects.filter(runner=runner).delete()
    WaitlistEntry.objects.filter(runner=runner).delete()
