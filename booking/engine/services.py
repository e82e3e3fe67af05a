"""Writes: book, cancel, reschedule (a plan of sessions: booking.engine.series). One
transaction each; tasks enqueued on commit.

Booking, in order: transaction → lock the therapist rows (sorted by id) and the runner
row → re-read their time → run the rules → insert → enqueue the e-mail on commit → drop
the therapist's cached availability on commit (clinic.cache.availability_changed: every
write that moves availability says so itself; there are no model signals) → the runner
leaves the waitlists the booking answers (booking.engine.waitlist.left_on_booking).
A cancellation or a move says which time it frees (clinic.events.time_freed: the waitlist).

Why the lock: PostgreSQL's exclusion constraints (session_therapist_no_overlap,
session_runner_no_overlap) refuse two overlapping sessions whatever the application did,
but they compare the bare [start, end) ranges: they know nothing of the clinic's buffer.
Locking the therapist row serialises bookings of one therapist, so the buffer rule holds
under concurrency too; the constraints stay the last word (their violation becomes a
409, never a 500). On SQLite the transactions are IMMEDIATE (see settings): the write
lock is taken at BEGIN, so the re-check and the insert are serialised as well.

Rescheduling moves the same row (its id, links and reminders stay valid) and records
the move as a SessionEvent with the old and new start (and therapists in `data`);
`rescheduled_from` is left for flows that create a new session from an old one.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from billing import ledger
from booking.engine import outbox, rules, waitlist
from booking.engine.codes import Code
from booking.engine.context import load_context
from booking.engine.exceptions import BookingError, warning_dict
from booking.engine.idempotency import booked_with_key, booking_fingerprint
from booking.engine.locking import lock_rows, set_lock_timeout, write_with_retry
from booking.engine.refusal import attach_suggestions, set_apart_overridden, violation_error
from booking.models import Reminder, Session, SessionEvent
from clinic import events, permissions, timeutils
from clinic.cache import availability_changed
from clinic.models import Service, Therapist, User, validate_body_areas
from clinic.policy import Policy, ServiceKind
from runners.models import Runner


def _check(
    *,
    runner: Runner,
    service: Service,
    therapist: Therapist,
    start: datetime,
    end: datetime,
    now: datetime,
    exclude_session_id: int | None = None,
    grid_only: bool = False,
    warnings: list[rules.Violation] | None = None,
) -> list[rules.Violation]:
    """The validator on freshly read data; `warnings`, when given, receives what is said
    but not refused (spacing, a demanding training planned the day after)."""
    clinic = therapist.clinic
    tz = Policy.from_clinic(clinic).tz
    day = start.astimezone(tz).date()
    span_start, span_end = timeutils.local_day_bounds(tz, day, day)
    spacing = timedelta(days=clinic.min_days_between_sessions)
    ctx = load_context(
        clinic=clinic,
        therapist_ids=[therapist.pk],
        runner=runner,
        span_start=min(span_start, start),
        span_end=max(span_end, end),
        therapists=[therapist],
        # Locked rows say whether there are race-window rules and races to read
        # (booking.engine.locking): the queries are skipped when there are none.
        race_windows=[] if getattr(therapist, "has_race_windows", None) is False else None,
        races=[] if getattr(therapist, "runner_has_races", None) is False else None,
        with_trainings=getattr(therapist, "runner_has_trainings", None) is not False,
        lookback=spacing,
        lookahead=spacing,
    )
    ctx.policy = ctx.policy.for_service(service.kind)  # its own race rules
    if warnings is not None and ctx.runner is not None:
        warnings.extend(rules.spacing_warnings(start, ctx.runner, ctx.policy, exclude_session_id))
        if service.kind == ServiceKind.UNLOADING:
            warnings.extend(rules.next_day_warnings(start, end, ctx.runner, ctx.policy))
    return rules.check(
        start=start,
        end=end,
        therapist=ctx.therapists[therapist.pk],
        service_active=service.active,
        runner=ctx.runner,
        policy=ctx.policy,
        now=now,
        exclude_session_id=exclude_session_id,
        grid_only=grid_only,
    )


def session_violations(
    *,
    runner: Runner,
    service: Service,
    therapist: Therapist,
    start: datetime,
    end: datetime | None = None,
    now: datetime | None = None,
    exclude_session_id: int | None = None,
) -> list[rules.Violation]:
    """The validator alone (no lock, nothing written): every rule this session would
    break, race rules last. For forms and the admin; booking re-checks under the lock."""
    return _check(
        runner=runner,
        service=service,
        therapist=therapist,
        start=start,
        end=end or start + service.duration,
        now=now or timezone.now(),
        exclude_session_id=exclude_session_id,
    )


def session_warnings(
    *,
    runner: Runner,
    service: Service,
    therapist: Therapist,
    start: datetime,
    now: datetime | None = None,
) -> list[dict[str, str]]:
    """What booking this time would say without refusing it (the confirm page shows it
    before the runner confirms): `[{"code", "detail"}]`."""
    said: list[rules.Violation] = []
    _check(
        runner=runner,
        service=service,
        therapist=therapist,
        start=start,
        end=start + service.duration,
        now=now or timezone.now(),
        warnings=said,
    )
    return [warning_dict(v) for v in said]


def require_aware(start: datetime) -> None:
    if not isinstance(start, datetime) or timezone.is_naive(start):
        raise BookingError(Code.INVALID, _("Give the start time with its time zone."))


def _same_clinic(service: Service, therapist: Therapist) -> None:
    if rules.clinic_mismatch(
        service_clinic_id=service.clinic_id, therapist_clinic_id=therapist.clinic_id
    ):
        raise BookingError(
            Code.INVALID, _("That service is not offered at that therapist's clinic.")
        )


def _record_override(
    session: Session, *, by: User, reason: str, overridden: Sequence[rules.Violation]
) -> None:
    """Keep a staff override of race rules in the session's history, with its reason."""
    SessionEvent.objects.create(
        session=session,
        kind=SessionEvent.Kind.OVERRIDE,
        by=by,
        new_start=session.start,
        data={
            "reason": reason,
            "rules": [v.code for v in overridden],
            "races": [v.race_id for v in overridden],
        },
    )


def session_book(
    *,
    runner: Runner,
    service: Service,
    therapist: Therapist,
    start: datetime,
    by: User,
    discomfort_areas: Sequence[str] = (),
    runner_note: str = "",
    idempotency_key: str | None = None,
    idempotency_fingerprint: str | None = None,
    override_reason: str = "",
    now: datetime | None = None,
    with_suggestions: bool = True,
) -> Session:
    """Validate and book, or raise BookingError (with suggestions). override_reason (staff
    only) lets a race rule pass and is kept on the session.

    With an idempotency_key, a retry of the same request returns the session it booked
    (`replayed` set) and another request raises IdempotencyKeyReused. The request is this
    booking's input, or the larger request it is part of (a series passes its own
    idempotency_fingerprint)."""
    now = now or timezone.now()
    require_aware(start)
    _same_clinic(service, therapist)
    override_reason = (override_reason or "").strip()
    if override_reason and not permissions.may_override_race_rule(by, therapist.clinic_id):
        raise BookingError(Code.OVERRIDE_NOT_ALLOWED)
    areas = list(discomfort_areas or [])
    try:
        validate_body_areas(areas)
    except ValidationError as exc:
        raise BookingError(Code.INVALID, exc.messages[0]) from None
    fingerprint = ""
    if idempotency_key:
        fingerprint = idempotency_fingerprint or booking_fingerprint(
            service_id=service.pk,
            therapist_id=therapist.pk,
            start=start,
            discomfort_areas=areas,
            runner_note=runner_note,
            override_reason=override_reason,
        )
    end = start + service.duration
    # Runners book the times offered (the slot grid); the clinic's staff may book off it.
    grid_only = not permissions.acts_for_clinic(by, therapist.clinic_id)

    def write() -> Session | BookingError:
        (locked,) = lock_rows([therapist.pk], runner.pk) or (therapist,)
        said: list[rules.Violation] = []
        violations = _check(
            runner=runner,
            service=service,
            therapist=locked,
            start=start,
            end=end,
            now=now,
            grid_only=grid_only,
            warnings=said,
        )
        violations, overridden = set_apart_overridden(violations, override_reason)
        if violations:
            # A retry whose first attempt booked (the runner's own session is in the way),
            # or the key reused: looked up under the runner's lock, on refusals only.
            earlier = (
                booked_with_key(runner, idempotency_key, fingerprint) if idempotency_key else None
            )
            return earlier if earlier is not None else violation_error(violations[0])
        session = Session.objects.create(
            runner=runner,
            therapist=locked,
            service=service,
            clinic=locked.clinic,  # read with the lock: the 201 body needs it
            start=start,
            end=end,
            price=service.price,
            discomfort_areas=areas,
            runner_note=runner_note,
            idempotency_key=idempotency_key or None,
            idempotency_fingerprint=fingerprint,
            race_override_reason=override_reason if overridden else "",
            race_override_by=by if overridden else None,
        )
        SessionEvent.objects.create(
            session=session,
            kind=SessionEvent.Kind.BOOKED,
            by=by,
            to_status=Session.Status.BOOKED,
            new_start=start,
            data={"therapist": locked.pk, "service": service.pk},
        )
        if overridden:
            _record_override(session, by=by, reason=override_reason, overridden=overridden)
        # A pack or membership credit, if the runner has one for it (runner row locked;
        # the locked row says whether they hold any credit at all).
        if getattr(locked, "runner_has_credits", None) is not False:
            ledger.use_for_session(
                session_id=session.pk,
                runner_id=runner.pk,
                clinic_id=locked.clinic_id,
                service_id=service.pk,
                day=start.astimezone(locked.clinic.tz).date(),
                by=by,
                at=now,
            )
        outbox.enqueue(session, Reminder.Kind.CONFIRMATION)
        availability_changed(therapist_ids={locked.pk})
        waitlist.left_on_booking(session, locked.clinic.tz)
        session.warnings = [warning_dict(v) for v in said]
        return session

    def same_key(exc: IntegrityError) -> Session | None:
        # The key already booked (by an earlier request whose session no longer holds this
        # time, or by a concurrent one): that session is the answer, or the key was reused.
        if idempotency_key and "idempotency" in str(exc):
            return booked_with_key(runner, idempotency_key, fingerprint)
        return None

    result = write_with_retry(write, therapist=therapist, on_integrity=same_key)
    if isinstance(result, BookingError):
        if with_suggestions:
            attach_suggestions(
                result, runner=runner, service=service, therapist=therapist, around=start, now=now
            )
        raise result
    return result


def cancellation_outcome(
    session: Session, *, now: datetime | None = None, by: User | None = None
) -> str:
    """Session.Status.CANCELLED if cancelled now is in time, else LATE_CANCELLED.

    In time means at least the clinic's cancellation window before the start (exactly
    the window still counts). A cancellation by the clinic's staff is never late: it
    must not count against the runner's attendance.
    """
    now = now or timezone.now()
    if by is not None and permissions.cancels_for_the_clinic(by, session.clinic_id):
        return Session.Status.CANCELLED
    window = timedelta(hours=session.clinic.cancellation_window_hours)
    if now <= session.start - window:
        return Session.Status.CANCELLED
    return Session.Status.LATE_CANCELLED


def settle_credit(session: Session, *, by: User | None, at: datetime) -> None:
    """The session's pack credit after a status change (billing.ledger): kept when it was
    attended, or cancelled late / missed and the clinic counts that; otherwise given back.
    Called by every service that changes a status, inside its transaction."""
    clinic = session.clinic
    uses = {
        Session.Status.BOOKED: True,
        Session.Status.ATTENDED: True,
        Session.Status.LATE_CANCELLED: clinic.late_cancel_uses_credit,
        Session.Status.NO_SHOW: clinic.no_show_uses_credit,
        Session.Status.CANCELLED: False,
    }[Session.Status(session.status)]
    ledger.settle_session(session_id=session.pk, uses_credit=uses, by=by, at=at)


def session_cancel(*, session: Session, by: User, now: datetime | None = None) -> Session:
    now = now or timezone.now()
    with transaction.atomic():
        set_lock_timeout()
        locked = Session.objects.select_for_update().select_related("clinic").get(pk=session.pk)
        if locked.status != Session.Status.BOOKED or locked.start <= now:
            raise BookingError(Code.NOT_CANCELLABLE)
        outcome = cancellation_outcome(locked, now=now, by=by)
        old_status = locked.status
        locked.status = outcome
        locked.cancelled_at = now
        locked.calendar_sequence += 1
        locked.save(update_fields=["status", "cancelled_at", "calendar_sequence", "updated_at"])
        SessionEvent.objects.create(
            session=locked,
            kind=(
                SessionEvent.Kind.CANCELLED
                if outcome == Session.Status.CANCELLED
                else SessionEvent.Kind.LATE_CANCELLED
            ),
            by=by,
            from_status=old_status,
            to_status=outcome,
            old_start=locked.start,
        )
        settle_credit(locked, by=by, at=now)
        outbox.enqueue(locked, Reminder.Kind.CANCELLATION)
        availability_changed(therapist_ids={locked.therapist_id})
        events.time_freed(
            therapist_id=locked.therapist_id, start=locked.start, end=locked.end, reason="cancelled"
        )
    session.status, session.cancelled_at = locked.status, locked.cancelled_at
    session.calendar_sequence = locked.calendar_sequence
    return locked


def session_reschedule(
    *,
    session: Session,
    start: datetime,
    by: User,
    therapist: Therapist | None = None,
    now: datetime | None = None,
    override_reason: str = "",
) -> Session:
    """Move a booked, future session (optionally to another therapist of the clinic), in
    one transaction, re-validated as a new booking except that the session does not
    block itself. The same row moves; the history keeps the old start."""
    now = now or timezone.now()
    require_aware(start)
    override_reason = (override_reason or "").strip()
    current = Session.objects.select_related("service", "therapist__clinic", "runner").get(
        pk=session.pk
    )
    target = therapist or current.therapist
    _same_clinic(current.service, target)
    if override_reason and not permissions.may_override_race_rule(by, target.clinic_id):
        raise BookingError(Code.OVERRIDE_NOT_ALLOWED)
    end = start + current.service.duration

    def write() -> Session | BookingError:
        locked_therapists = {
            t.pk: t for t in lock_rows([current.therapist_id, target.pk], current.runner_id)
        }
        locked = Session.objects.select_for_update().get(pk=session.pk)
        if locked.status != Session.Status.BOOKED or locked.start <= now:
            raise BookingError(Code.NOT_RESCHEDULABLE)
        new_therapist = locked_therapists[target.pk]
        new_therapist.clinic = target.clinic
        violations = _check(
            runner=current.runner,
            service=current.service,
            therapist=new_therapist,
            start=start,
            end=end,
            now=now,
            exclude_session_id=locked.pk,
            grid_only=not permissions.acts_for_clinic(by, target.clinic_id),
        )
        violations, overridden = set_apart_overridden(violations, override_reason)
        if violations:
            return violation_error(violations[0])
        old_start, old_end, old_therapist = locked.start, locked.end, locked.therapist_id
        locked.start, locked.end = start, end
        locked.therapist = new_therapist
        locked.calendar_sequence += 1
        fields = ["start", "end", "therapist", "calendar_sequence", "updated_at"]
        if overridden:
            locked.race_override_reason = override_reason
            locked.race_override_by = by
            fields += ["race_override_reason", "race_override_by"]
        locked.save(update_fields=fields)
        SessionEvent.objects.create(
            session=locked,
            kind=SessionEvent.Kind.RESCHEDULED,
            by=by,
            from_status=locked.status,
            to_status=locked.status,
            old_start=old_start,
            new_start=start,
            data={"old_therapist": old_therapist, "new_therapist": new_therapist.pk},
        )
        if overridden:
            _record_override(locked, by=by, reason=override_reason, overridden=overridden)
        outbox.enqueue(locked, Reminder.Kind.RESCHEDULE)
        # The old therapist's time is free, the new one's taken (the same one, often).
        availability_changed(therapist_ids={old_therapist, new_therapist.pk})
        events.time_freed(therapist_id=old_therapist, start=old_start, end=old_end, reason="moved")
        return locked

    result = write_with_retry(write, therapist=target)
    if isinstance(result, BookingError):
        attach_suggestions(
            result,
            runner=current.runner,
            service=current.service,
            therapist=target,
            around=start,
            now=now,
            exclude_session_id=current.pk,
        )
        raise result
    for name in (
        "start",
        "end",
        "therapist_id",
        "calendar_sequence",
        "race_override_reason",
        "race_override_by_id",
    ):
        setattr(session, name, getattr(result, name))
    return result
