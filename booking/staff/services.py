"""Writes by staff on sessions: attendance and the treatment record.

Every change leaves a SessionEvent with who and when, in the same transaction.
"""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from booking.engine.services import cancellation_outcome, settle_credit
from booking.models import (
    DISCOMFORT_MAX,
    TREATED_FOR_DISCOMFORT,
    Session,
    SessionEvent,
    Side,
    TreatedArea,
)
from clinic import events as clinic_events
from clinic.cache import availability_changed
from clinic.errors import CodedError
from clinic.models import User


class AttendanceError(CodedError):
    pass


class Code:
    NOT_STARTED = "not_started"
    NOT_MARKABLE = "not_markable"
    CORRECTION_TOO_LATE = "correction_too_late"
    BAD_STATUS = "invalid_status"
    BAD_AREAS = "invalid_areas"
    BAD_SCORE = "invalid_discomfort_score"
    NOTE_TOO_LONG = "note_too_long"
    TOO_EARLY_FOR_LATE_CANCEL = "too_early_for_late_cancel"
    TIME_TAKEN = "time_taken"


MARKS = (Session.Status.ATTENDED, Session.Status.NO_SHOW, Session.Status.LATE_CANCELLED)
NOTE_MAX = 2000
_EVENT_OF: dict[str, str] = {
    Session.Status.ATTENDED: SessionEvent.Kind.ATTENDED,
    Session.Status.NO_SHOW: SessionEvent.Kind.NO_SHOW,
    Session.Status.LATE_CANCELLED: SessionEvent.Kind.LATE_CANCELLED,
}


def _validate(
    status: str,
    areas_treated: Mapping[str, str] | None,
    scores: tuple[int | None, int | None],
    note: str | None,
) -> None:
    if status not in MARKS:
        raise AttendanceError(
            _("Mark a session as attended, no-show or cancelled late."), code=Code.BAD_STATUS
        )
    if areas_treated is not None and (
        not isinstance(areas_treated, Mapping)
        or any(
            a not in TreatedArea.values or s not in Side.values for a, s in areas_treated.items()
        )
    ):
        raise AttendanceError(
            _("Give each area treated (%(areas)s) a side (%(sides)s).")
            % {"areas": ", ".join(TreatedArea.values), "sides": ", ".join(Side.values)},
            code=Code.BAD_AREAS,
        )
    for score in scores:
        if score is not None and (
            isinstance(score, bool)
            or not isinstance(score, int)
            or not 0 <= score <= DISCOMFORT_MAX
        ):
            raise AttendanceError(
                _("Give discomfort as a whole number from 0 to %(max)s.") % {"max": DISCOMFORT_MAX},
                code=Code.BAD_SCORE,
            )
    if note is not None and len(note) > NOTE_MAX:
        raise AttendanceError(
            _("Keep the note under %(n)s characters.") % {"n": NOTE_MAX}, code=Code.NOTE_TOO_LONG
        )


def _check_timing(session: Session, status: str, now: datetime) -> None:
    """Attended and no-show once the session has started; a late cancellation (the
    runner told the clinic inside its cancellation window) from the window's start.
    Changing a mark (a no-show who turned up late, a slip of the finger) only on the
    session's day, in the clinic's time zone."""
    if status == Session.Status.LATE_CANCELLED:
        # The engine's rule for in time or late, asked as for the runner's own cancel.
        if cancellation_outcome(session, now=now) != Session.Status.LATE_CANCELLED:
            raise AttendanceError(
                _(
                    "It is still more than %(hours)s hours before the session: cancel it "
                    "in time instead (the runner is e-mailed)."
                )
                % {"hours": session.clinic.cancellation_window_hours},
                code=Code.TOO_EARLY_FOR_LATE_CANCEL,
            )
    elif now < session.start:
        raise AttendanceError(
            _("This session has not started yet; mark it once it has started."),
            code=Code.NOT_STARTED,
        )
    tz = session.clinic.tz
    changing = session.status in MARKS and session.status != status
    if changing and now.astimezone(tz).date() != session.start.astimezone(tz).date():
        raise AttendanceError(
            _("A mark can only be corrected on the day of the session."),
            code=Code.CORRECTION_TOO_LATE,
            status_code=409,
        )


def session_mark_attendance(
    *,
    session: Session,
    status: str,
    by: User,
    areas_treated: Mapping[str, str] | None = None,
    mobilisation_done: bool | None = None,
    discomfort_before: int | None = None,
    discomfort_after: int | None = None,
    note: str | None = None,
    now: datetime | None = None,
) -> Session:
    """Mark a session attended, no-show or cancelled late, and record the treatment.

    The treatment fields (areas and sides, mobilisation, discomfort before and after)
    only count for an attended session: for the others they are ignored and cleared, so
    areas pre-ticked from the runner's discomfort never block a no-show. The note is
    kept for every mark. Fields left as None stay as they are. A late cancellation frees
    the time and e-mails nobody (the runner is the one who told the clinic).
    """
    now = now or timezone.now()
    _validate(status, areas_treated, (discomfort_before, discomfort_after), note)
    if status != Session.Status.ATTENDED:
        areas_treated = mobilisation_done = discomfort_before = discomfort_after = None
    try:
        with transaction.atomic():
            session = _mark(
                session,
                status,
                by,
                now,
                {
                    "areas_treated": None if areas_treated is None else dict(areas_treated),
                    "mobilisation_done": mobilisation_done,
                    "discomfort_before": discomfort_before,
                    "discomfort_after": discomfort_after,
                },
                note,
            )
    except IntegrityError:
        # Back from a late cancellation to a mark that holds the time, which someone
        # else has booked since (the exclusion constraints).
        raise AttendanceError(
            _("This time was booked for someone else after the late cancellation."),
            code=Code.TIME_TAKEN,
            status_code=409,
        ) from None
    return session


def _mark(
    session: Session,
    status: str,
    by: User,
    now: datetime,
    treatment: dict[str, Any],
    note: str | None,
) -> Session:
    session = Session.objects.select_for_update().select_related("clinic").get(pk=session.pk)
    if session.status not in (Session.Status.BOOKED, *MARKS):
        raise AttendanceError(
            _("A cancelled session cannot be marked."), code=Code.NOT_MARKABLE, status_code=409
        )
    _check_timing(session, status, now)
    events = []
    old_status = session.status
    frees_or_holds_time = False
    if old_status != status:
        session.status = status
        session.attended_at = now if status == Session.Status.ATTENDED else None
        session.no_show_at = now if status == Session.Status.NO_SHOW else None
        was_late_cancel = old_status == Session.Status.LATE_CANCELLED
        if status == Session.Status.LATE_CANCELLED or was_late_cancel:
            session.cancelled_at = now if status == Session.Status.LATE_CANCELLED else None
            session.calendar_sequence += 1  # a subscribed calendar shows it (un)cancelled
            frees_or_holds_time = True
        if status != Session.Status.ATTENDED:
            session.areas_treated, session.mobilisation_done = {}, None
            session.discomfort_before = session.discomfort_after = None
        events.append(
            SessionEvent(
                session=session,
                kind=_EVENT_OF[status],
                by=by,
                from_status=old_status,
                to_status=status,
            )
        )
    record: dict[str, Any] = {}
    for field, value in treatment.items():
        if value is not None and value != getattr(session, field):
            setattr(session, field, value)
            record[field] = value
    if note is not None and note != session.therapist_note:
        session.therapist_note = note
        record["note_changed"] = True
    if record:
        events.append(
            SessionEvent(
                session=session,
                kind=SessionEvent.Kind.RECORD,
                by=by,
                from_status=status,
                to_status=status,
                data=record,
            )
        )
    if events:
        session.save(
            update_fields=[
                "status",
                "attended_at",
                "no_show_at",
                "cancelled_at",
                "calendar_sequence",
                "areas_treated",
                "mobilisation_done",
                "discomfort_before",
                "discomfort_after",
                "therapist_note",
                "updated_at",
            ]
        )
        SessionEvent.objects.bulk_create(events)
    if old_status != status:
        settle_credit(session, by=by, at=now)
    if frees_or_holds_time:
        availability_changed(therapist_ids={session.therapist_id})
    if status == Session.Status.LATE_CANCELLED and old_status != status:
        # The time is free again: the waitlist may offer it (as a cancellation does).
        clinic_events.time_freed(
            therapist_id=session.therapist_id,
            start=session.start,
            end=session.end,
            reason="cancelled",
        )
    return session


def treated_as_booked(discomfort_areas: list[str] | None) -> dict[str, str]:
    """The areas treated when a session went as booked: those of the runner's discomfort
    (legs: the leg muscle groups), both sides."""
    return {
        str(area): Side.BOTH.value
        for flagged in discomfort_areas or []
        for area in TREATED_FOR_DISCOMFORT.get(flagged, ())
    }


def session_mark_attended_as_booked(
    *, session: Session, by: User, note: str | None = None, now: datetime | None = None
) -> Session:
    """ "Attended as booked", in one tap: the areas the runner flagged as discomfort were
    treated, and the session closed with mobilisation and stretching."""
    return session_mark_attendance(
        session=session,
        status=Session.Status.ATTENDED,
        by=by,
        areas_treated=treated_as_booked(session.discomfort_areas),
        mobilisation_done=True,
        note=note,
        now=now,
    )
