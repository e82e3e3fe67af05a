"""Locks and retries for the booking writes: a short lock timeout, a retry when
PostgreSQL aborts one of two writers (deadlock, serialization failure), and a violated
exclusion constraint turned into the refusal it means."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import CharField, Exists, Func, OuterRef, Value

from billing.models import CreditGrant
from booking.engine.codes import Code
from booking.engine.exceptions import BookingError, SlotTaken
from booking.models import Session
from clinic.models import RaceWindow, Therapist
from runners.models import Race, Runner, Training

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
    """Lock the runner row, then the therapists (sorted: no deadlock between two
    reschedules), in one statement, the lock timeout set before either wait.

    Every booking write locks in this order, runner first (the runner's FOR UPDATE
    sub-select is an InitPlan run before the therapists are scanned); the timeout is
    set by a filter on the runner row, evaluated before that row is locked. The
    therapists come with their clinic (not read lazily under the lock afterwards),
    `has_race_windows`, `runner_has_races` and `runner_has_trainings` (False: the rules'
    inputs skip the race-window, race or training query) and `runner_has_credits` (False:
    the booking skips the pack-credit lookup)."""
    runner = Runner.objects.select_for_update(of=("self",)).filter(pk=runner_id)
    if connection.vendor == "postgresql":
        runner = runner.alias(
            lock_timeout=Func(
                Value("lock_timeout"),
                Value(LOCK_TIMEOUT),
                Value(True),
                function="set_config",
                output_field=CharField(),
            )
        ).filter(lock_timeout__isnull=False)
    return list(
        Therapist.objects.select_for_update(of=("self",))
        .select_related("clinic")
        .filter(Exists(runner), pk__in=sorted(set(therapist_ids)))
        .annotate(
            has_race_windows=Exists(RaceWindow.objects.filter(clinic=OuterRef("clinic_id"))),
            runner_has_races=Exists(Race.objects.filter(runner_id=runner_id)),
            runner_has_trainings=Exists(Training.objects.filter(runner_id=runner_id)),
            runner_has_credits=Exists(
                CreditGrant.objects.filter(runner_id=runner_id, remaining__gt=0)
            ),
        )
        .order_by("pk")
    )


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
