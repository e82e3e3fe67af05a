"""Writes by staff on sessions: attendance and the treatment record.

Every change leaves a SessionEvent with who and when, in the same transaction.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from booking.engine.services import settle_credit
from booking.models import Session, SessionEvent
from clinic.errors import CodedError
from clinic.models import BodyArea, User


class AttendanceError(CodedError):
    pass


class Code:
    NOT_STARTED = "not_started"
    NOT_MARKABLE = "not_markable"
    CORRECTION_TOO_LATE = "correction_too_late"
    BAD_STATUS = "invalid_status"
    BAD_AREAS = "invalid_areas"
    NOTE_TOO_LONG = "note_too_long"


MARKS = (Session.Status.ATTENDED, Session.Status.NO_SHOW)
NOTE_MAX = 2000


def _validate(status: str, areas_treated: Sequence[str] | None, note: str | None) -> None:
    if status not in MARKS:
        raise AttendanceError(_("Mark a session as attended or no-show."), code=Code.BAD_STATUS)
    if areas_treated is not None and (
        not isinstance(areas_treated, list | tuple)
        or any(a not in BodyArea.values for a in areas_treated)
    ):
        raise AttendanceError(
            _("Choose the areas treated from: %(areas)s.") % {"areas": ", ".join(BodyArea.values)},
            code=Code.BAD_AREAS,
        )
    if status == Session.Status.NO_SHOW and areas_treated:
        raise AttendanceError(
            _("A session the runner missed has no areas treated."), code=Code.BAD_AREAS
        )
    if note is not None and len(note) > NOTE_MAX:
        raise AttendanceError(
            _("Keep the note under %(n)s characters.") % {"n": NOTE_MAX}, code=Code.NOTE_TOO_LONG
        )


def session_mark_attendance(
    *,
    session: Session,
    status: str,
    by: User,
    areas_treated: Sequence[str] | None = None,
    mobilisation_done: bool | None = None,
    note: str | None = None,
    now: datetime | None = None,
) -> Session:
    """Mark a session attended or no-show and record the treatment.

    Only once the session has started. The first mark can be given any time after that;
    changing a mark (a no-show who turned up late, a slip of the finger) only on the
    session's day, in the clinic's time zone. Fields left as None stay as they are.
    """
    now = now or timezone.now()
    _validate(status, areas_treated, note)
    with transaction.atomic():
        session = Session.objects.select_for_update().select_related("clinic").get(pk=session.pk)
        if session.status not in (Session.Status.BOOKED, *MARKS):
            raise AttendanceError(
                _("A cancelled session cannot be marked."), code=Code.NOT_MARKABLE, status_code=409
            )
        if now < session.start:
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
        events = []
        old_status = session.status
        if old_status != status:
            session.status = status
            if status == Session.Status.ATTENDED:
                session.attended_at, session.no_show_at = now, None
            else:
                session.no_show_at, session.attended_at = now, None
                session.areas_treated, session.mobilisation_done = [], None
            events.append(
                SessionEvent(
                    session=session,
                    kind=SessionEvent.Kind.ATTENDED
                    if status == Session.Status.ATTENDED
                    else SessionEvent.Kind.NO_SHOW,
                    by=by,
                    from_status=old_status,
                    to_status=status,
                )
            )
        record: dict[str, Any] = {}
        if areas_treated is not None and list(areas_treated) != session.areas_treated:
            record["areas_treated"] = session.areas_treated = list(areas_treated)
        if mobilisation_done is not None and mobilisation_done != session.mobilisation_done:
            record["mobilisation_done"] = session.mobilisation_done = mobilisation_done
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
                    "areas_treated",
                    "mobilisation_done",
                    "therapist_note",
                    "updated_at",
                ]
            )
            SessionEvent.objects.bulk_create(events)
        if old_status != status:
            settle_credit(session, by=by, at=now)
    return session


def session_mark_attended_as_booked(
    *, session: Session, by: User, note: str | None = None, now: datetime | None = None
) -> Session:
    """ "Attended as booked", in one tap: the areas the runner flagged as discomfort were
    treated, and the session closed with mobilisation and stretching."""
    return session_mark_attendance(
        session=session,
        status=Session.Status.ATTENDED,
        by=by,
        areas_treated=list(session.discomfort_areas or []),
        mobilisation_done=True,
        note=note,
        now=now,
    )
