"""Locks and retries for the booking writes: a short lock timeout, a retry when
PostgreSQL aborts one of two writers (deadlock, serialization failure), and a violated
exclusion constraint turned into the refusal it means."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.db import IntegrityError, OperationalError, connection, transaction

from booking.engine.codes import Code
from booking.engine.exceptions import BookingError, SlotTaken
from booking.models import Session
from clinic.models import Therapist
from runners.models import Runner

LOCK_TIMEOUT = "5s"
RETRIES = 3
RETRYABLE_SQLSTATES = {"40P01", "40001"}  # deadlock detected, serialization failure


def _is_retryable(exc: OperationalError) -> bool:
    return getattr(exc.__cause__, "sqlstate", None) in RETRYABLE_SQLSTATES


def set_lock_timeout() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")


def lock_rows(therapist_ids: Sequence[int], runner_id: int) -> list[Therapist]:
    """Lock the therapists (sorted: no deadlock between two reschedules) and the runner."""
    set_lock_timeout()
    locked = list(
        Therapist.objects.select_for_update()
        .filter(pk__in=sorted(set(therapist_ids)))
        .order_by("pk")
    )
    list(Runner.objects.select_for_update().filter(pk=runner_id).values_list("pk"))
    return locked


def _integrity_to_booking_error(exc: IntegrityError, therapist: Therapist) -> BookingError:
    text = str(exc)
    cause = getattr(exc, "__cause__", None)
    name = getattr(getattr(cause, "diag", None), "constraint_name", None) or ""
    if "session_runner_no_overlap" in (name or text):
        return BookingError(Code.RUNNER_OVERLAP)
    if "session_therapist_no_overlap" in (name or text):
        return SlotTaken(therapist.display_name)
    raise exc


def write_with_retry(
    write: Callable[[], Session | BookingError],
    *,
    therapist: Therapist,
    on_integrity: Callable[[IntegrityError], Session | None] | None = None,
) -> Session | BookingError:
    """Run `write` in a transaction: it returns the session written, or the refusal it
    decided on (its transaction then writes nothing). A violated exclusion constraint (the
    database's last word on a conflict) becomes the matching refusal, unless `on_integrity`
    finds what the violation means (an idempotent retry). Two writers checking the
    constraint against each other can deadlock; PostgreSQL aborts one, whose retry sees
    the winner's row: retried up to RETRIES times, then a slot taken."""
    for _attempt in range(RETRIES):
        try:
            with transaction.atomic():
                return write()
        except IntegrityError as exc:
            found = on_integrity(exc) if on_integrity is not None else None
            return found if found is not None else _integrity_to_booking_error(exc, therapist)
        except OperationalError as exc:
            if not _is_retryable(exc):
                raise
    return SlotTaken(therapist.display_name)
