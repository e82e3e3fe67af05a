"""E-mails to runners: record under a unique key, claim, send once.

Every e-mail is a booking.models.Reminder row first (unique runner, kind, key), then
`deliver` claims the row (a row lock that a second worker skips), sends it through
Django's e-mail backend in the runner's language (plain text + HTML) and marks it sent in
the same transaction. A second beat, a retried task or a second worker finds the row sent
or locked and does nothing; a failed send leaves the row `failed` for the retry.

Health notes, the runner's note and areas of discomfort never go into an e-mail.
"""

import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from clinic.models import Clinic, Therapist
from runners.models import Runner
from runners.selfcare import pick_routine

from . import reminders
from .calendar import session_ics
from .exceptions import BookingError
from .models import Reminder, Session, SessionEvent

logger = logging.getLogger(__name__)

SESSION_KINDS = (
    Reminder.Kind.CONFIRMATION,
    Reminder.Kind.CANCELLATION,
    Reminder.Kind.RESCHEDULE,
)
# After this many failed sends a reminder is left alone (and visible in the admin).
MAX_ATTEMPTS = 10

SENT = "sent"
FAILED = "failed"
SKIPPED = "skipped"
BUSY = "busy"  # sent already, or being sent by another worker right now


class Moot(Exception):
    """The reminder no longer applies (booked since, opted out, session cancelled)."""


def _last_move(session: Session) -> SessionEvent | None:
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
        move = _last_move(session)
        if move is not None:
            return f"s{session.pk}@e{move.pk}"
    return f"s{session.pk}@{session.start.astimezone(UTC):%Y-%m-%dT%H:%MZ}"


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


def record_many(rows: list[Reminder]) -> None:
    """Insert many rows in one statement; the ones that exist already are left as they are."""
    Reminder.objects.bulk_create(rows, ignore_conflicts=True, batch_size=reminders.BATCH_SIZE)


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


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _first_url(names: list[str], kwargs: dict, fallback: str) -> str:
    """A runner page owned by the web pages; the first name that resolves wins."""
    for name in names:
        try:
            return absolute(reverse(name, kwargs=kwargs))
        except NoReverseMatch:
            continue
    return absolute(fallback)


def session_urls(session: Session) -> dict[str, str]:
    kw = {"pk": session.pk}
    return {
        "detail": _first_url(
            ["booking:session_detail", "booking:session"], kw, f"/sessions/{session.pk}/"
        ),
        "reschedule": _first_url(
            ["booking:session_reschedule", "booking:reschedule"],
            kw,
            f"/sessions/{session.pk}/reschedule/",
        ),
        "cancel": _first_url(
            ["booking:session_cancel", "booking:cancel"], kw, f"/sessions/{session.pk}/cancel/"
        ),
    }


def booking_page_url() -> str:
    return _first_url(["booking:book", "booking:booking", "booking:new"], {}, "/book/")


def when(moment: datetime, clinic: Clinic) -> str:
    """A date and time in the clinic's zone, in the active language."""
    # Translators: Django date format for an appointment, e.g. "Thursday 27 November, 09:00".
    return formats.date_format(clinic.local(moment), _("l j F, H:i")) + f" ({clinic.timezone})"


def day(moment: datetime, clinic: Clinic) -> str:
    # Translators: Django date format for a day, e.g. "Thursday 27 November".
    return formats.date_format(clinic.local(moment), _("l j F"))


def cancellation_policy(clinic: Clinic) -> str:
    return _(
        "You can cancel or move it free of charge up to %(hours)s hours before it starts. "
        "Later cancellations and missed sessions count as late cancellations."
    ) % {"hours": clinic.cancellation_window_hours}


@dataclass
class Rendered:
    subject: str
    text: str
    html: str


def _render(template: str, context: dict) -> Rendered:
    context = {"site_url": settings.SITE_URL.rstrip("/"), **context}
    subject = context["subject"]
    return Rendered(
        subject=subject,
        text=re.sub(r"\n{3,}", "\n\n", render_to_string(f"emails/{template}.txt", context)).strip()
        + "\n",
        html=render_to_string(f"emails/{template}.html", context),
    )


def build_message(reminder: Reminder, *, now: datetime) -> EmailMultiAlternatives:
    runner = Runner.objects.select_related("user", "clinic", "preferred_therapist").get(
        pk=reminder.runner_id
    )
    if not runner.user.is_active or not runner.user.email:
        raise Moot("no active account")
    session = None
    if reminder.session_id:
        session = Session.objects.select_related(
            "clinic", "therapist", "service", "rescheduled_from"
        ).get(pk=reminder.session_id)
    language = runner.user.language or settings.LANGUAGE_CODE
    with translation.override(language):
        headers: dict[str, str] = {}
        attachments: list[tuple[str, bytes, str]] = []
        if reminder.kind == Reminder.Kind.CADENCE:
            rendered, unsubscribe = _cadence(runner, now=now)
            # RFC 8058 one-click unsubscribe for mail clients that offer it.
            headers["List-Unsubscribe"] = f"<{unsubscribe}>"
            headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        elif reminder.kind == Reminder.Kind.APPOINTMENT:
            if session is None or not reminders.appointment_still_due(session, now=now):
                raise Moot("session not booked within the next 24 h any more")
            rendered = _appointment(runner, session)
        elif reminder.kind in SESSION_KINDS:
            if session is None:
                raise Moot("session gone")
            if reminder.kind != Reminder.Kind.CANCELLATION and session.status != (
                Session.Status.BOOKED
            ):
                raise Moot("session no longer booked")
            rendered = _session_change(runner, session, reminder.kind)
            attachments.append((f"session-{session.pk}.ics", session_ics(session), "text/calendar"))
            old = session.rescheduled_from
            if reminder.kind == Reminder.Kind.RESCHEDULE and old and old.pk != session.pk:
                attachments.append(
                    (
                        f"session-{old.pk}-cancelled.ics",
                        session_ics(old, cancelled=True),
                        "text/calendar",
                    )
                )
        else:
            raise Moot(f"unknown kind {reminder.kind}")
    clinic = session.clinic if session else runner.clinic
    message = EmailMultiAlternatives(
        subject=rendered.subject,
        body=rendered.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[runner.user.email],
        headers={"X-Reminder-Key": f"{reminder.kind}:{reminder.key}", **headers},
        reply_to=[clinic.email] if clinic and clinic.email else None,
    )
    message.attach_alternative(rendered.html, "text/html")
    for name, content, mimetype in attachments:
        message.attach(name, content, mimetype)
    return message


def _base_context(runner: Runner, clinic: Clinic | None) -> dict:
    return {
        "first_name": runner.user.first_name or runner.user.get_full_name(),
        "clinic": clinic,
        "language": translation.get_language(),
    }


# Enough of the slots nearest to tomorrow to find three different days.
CANDIDATES = 300


def spread(slots: list, *, clinic: Clinic, preferred_id: int | None, today, limit: int = 3) -> list:
    """Three choices worth offering, from the engine's order (nearest to tomorrow
    first): the preferred therapist first, from tomorrow on and on different days when
    there are any, rather than three neighbouring quarter hours."""
    chosen: list = []
    days: set = set()

    def day_of(slot):
        return clinic.local(slot.start).date()

    passes = (
        lambda s: s.therapist_id == preferred_id and day_of(s) > today and day_of(s) not in days,
        lambda s: day_of(s) > today and day_of(s) not in days,
        lambda s: day_of(s) not in days,
        lambda s: True,
    )
    for accept in passes:
        for slot in slots:
            if len(chosen) >= limit:
                break
            if slot not in chosen and accept(slot):
                chosen.append(slot)
                days.add(day_of(slot))
    return sorted(chosen, key=lambda s: (s.therapist_id != preferred_id, s.start))


def _suggestions(runner: Runner, clinic: Clinic, *, now: datetime) -> list[dict]:
    """Up to three slots that pass the validator for this runner, preferred therapist
    first, each with a signed one-click link. A reminder without suggestions is still
    worth sending, so an engine error only leaves them out."""
    from .selectors import suggest_slots

    last = (
        Session.objects.filter(runner=runner, service__active=True, clinic=clinic)
        .select_related("service")
        .order_by("-start")
        .first()
    )
    service = last.service if last else clinic.services.filter(active=True).first()
    if service is None:
        return []
    preferred = runner.preferred_therapist
    if not (preferred and preferred.active and preferred.clinic_id == clinic.pk):
        preferred = None
    try:
        candidates = suggest_slots(
            runner=runner,
            service=service,
            around=now + timedelta(days=1),
            therapist=preferred,
            limit=CANDIDATES,
            now=now,
        )
    except (BookingError, NotImplementedError) as exc:
        logger.warning("no suggestions for a cadence reminder (%s)", type(exc).__name__)
        return []
    slots = spread(
        candidates,
        clinic=clinic,
        preferred_id=preferred.pk if preferred else None,
        today=clinic.local(now).date(),
    )
    return slot_links(runner=runner, service=service, slots=slots, clinic=clinic)


def slot_links(*, runner, service, slots, clinic, full_url: bool = True) -> list[dict]:
    """Each slot as a signed one-click booking link (e-mails need the full address; the
    reminder pages a path), with its clinic-local time and therapist (one query)."""
    therapists = {t.pk: t for t in Therapist.objects.filter(pk__in={s.therapist_id for s in slots})}
    links = []
    for slot in slots:
        token = reminders.book_token(
            runner_id=runner.pk,
            therapist_id=slot.therapist_id,
            service_id=service.pk,
            start=slot.start,
        )
        path = reverse("reminders:book", args=[token])
        links.append(
            {
                "when": when(slot.start, clinic),
                "therapist": therapists.get(slot.therapist_id),
                "service": service,
                "url": absolute(path) if full_url else path,
            }
        )
    return links


def race_sentences(runner: Runner, clinic: Clinic, *, now: datetime) -> list[str]:
    out = []
    for advice in reminders.race_advice(runner, clinic, now=now):
        params = {
            "race": advice.race_name,
            "race_day": day(advice.race_start, clinic),
            "first": when(advice.first_session_from, clinic),
        }
        if advice.upcoming and advice.last_session_end_by:
            params["end_by"] = when(advice.last_session_end_by, clinic)
            out.append(
                _(
                    "%(race)s is on %(race_day)s: your last massage before it should end by "
                    "%(end_by)s, so a rest day fits before the race. After the race, the "
                    "first one can be from %(first)s."
                )
                % params
            )
        elif advice.upcoming:
            out.append(
                _(
                    "%(race)s is on %(race_day)s: it is too close for a massage before it. "
                    "After the race, the first one can be from %(first)s."
                )
                % params
            )
        else:
            out.append(
                _(
                    "After %(race)s your muscles need to settle: the first massage can be "
                    "from %(first)s."
                )
                % params
            )
    return out


def _cadence(runner: Runner, *, now: datetime) -> tuple[Rendered, str]:
    clinic = runner.clinic
    if clinic is None or not reminders.cadence_still_due(runner, now=now):
        raise Moot("not due any more")
    unsubscribe = absolute(
        reverse("reminders:unsubscribe", args=[reminders.unsubscribe_token(runner)])
    )
    routine = pick_routine(clinic.local(now).date().toordinal() + runner.pk)
    context = {
        **_base_context(runner, clinic),
        "subject": _("Time to book your unloading massage"),
        "days": runner.cadence_days,
        "suggestions": _suggestions(runner, clinic, now=now),
        "race_sentences": race_sentences(runner, clinic, now=now),
        "routine": routine,
        "book_url": booking_page_url(),
        "unsubscribe_url": unsubscribe,
    }
    return _render("cadence", context), unsubscribe


def _session_context(runner: Runner, session: Session) -> dict:
    clinic = session.clinic
    return {
        **_base_context(runner, clinic),
        "session": session,
        "when": when(session.start, clinic),
        "therapist": session.therapist,
        "service": session.service,
        "price": session.price if session.price is not None else session.service.price,
        "urls": session_urls(session),
        "policy": cancellation_policy(clinic),
    }


def _appointment(runner: Runner, session: Session) -> Rendered:
    context = _session_context(runner, session)
    context["subject"] = _("Reminder: your unloading massage on %(when)s") % {
        "when": context["when"]
    }
    return _render("appointment", context)


def _session_change(runner: Runner, session: Session, kind: str) -> Rendered:
    context = _session_context(runner, session)
    context["kind"] = kind
    if kind == Reminder.Kind.CONFIRMATION:
        context["subject"] = _("Booked: unloading massage on %(when)s") % {"when": context["when"]}
    elif kind == Reminder.Kind.CANCELLATION:
        context["subject"] = _("Cancelled: unloading massage on %(when)s") % {
            "when": context["when"]
        }
        context["late"] = session.status == Session.Status.LATE_CANCELLED
        context["book_url"] = booking_page_url()
    else:
        context["subject"] = _("Moved: your unloading massage is now on %(when)s") % {
            "when": context["when"]
        }
        move = _last_move(session)
        if move is not None and move.old_start:
            context["old_when"] = when(move.old_start, session.clinic)
        elif session.rescheduled_from:
            context["old_when"] = when(session.rescheduled_from.start, session.clinic)
        else:
            context["old_when"] = ""
    return _render(f"session_{kind}", context)
