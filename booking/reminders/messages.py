"""What the e-mails to runners say: subject, plain text and HTML in the runner's
language, built from a recorded reminder (booking.reminders.delivery sends them). A
reminder that no longer applies raises Moot and is not sent.

Health notes, the runner's note and areas of discomfort never go into an e-mail.
"""

import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext as _

from billing.selectors import balance as credit_balance
from booking.engine.availability import suggest_slots
from booking.engine.calendar import add_to_calendar_links, session_invitation
from booking.engine.exceptions import BookingError
from booking.engine.outbox import last_move
from booking.models import Reminder, Session
from booking.reminders import scans
from booking.reminders.advice import race_advice
from booking.reminders.links import (
    absolute,
    book_token,
    booking_page_url,
    session_urls,
    unsubscribe_token,
)
from clinic.branding import sender
from clinic.models import Clinic, Therapist
from runners.models import Runner
from runners.selfcare import pick_routine

logger = logging.getLogger(__name__)

SESSION_KINDS = (
    Reminder.Kind.CONFIRMATION,
    Reminder.Kind.CANCELLATION,
    Reminder.Kind.RESCHEDULE,
)


class Moot(Exception):
    """The reminder no longer applies (booked since, opted out, session cancelled)."""


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
            if session is None or not scans.appointment_still_due(session, now=now):
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
            # iTIP (booking.engine.calendar): the runner's calendar updates the event.
            session.runner = runner
            method, ics = session_invitation(session, now=now)
            attachments.append((f"session-{session.pk}.ics", ics, _itip_type(method)))
            old = session.rescheduled_from
            if reminder.kind == Reminder.Kind.RESCHEDULE and old and old.pk != session.pk:
                old.runner, old.clinic = runner, session.clinic
                method, ics = session_invitation(old, cancelled=True, now=now)
                attachments.append((f"session-{old.pk}-cancelled.ics", ics, _itip_type(method)))
        elif reminder.kind == Reminder.Kind.RACE_CONFLICT:
            from booking.reminders import race_email  # it builds on this module

            rendered = race_email.render(runner, reminder, now=now)
        elif reminder.kind == Reminder.Kind.WAITLIST_OFFER:
            from booking.reminders import waitlist_email  # it builds on this module

            rendered = waitlist_email.render(runner, reminder, now=now)
        else:
            raise Moot(f"unknown kind {reminder.kind}")
    clinic = session.clinic if session else runner.clinic
    message = EmailMultiAlternatives(
        subject=rendered.subject,
        body=rendered.text,
        from_email=sender(clinic.name) if clinic else settings.DEFAULT_FROM_EMAIL,
        to=[runner.user.email],
        headers={"X-Reminder-Key": f"{reminder.kind}:{reminder.key}", **headers},
        reply_to=[clinic.email] if clinic and clinic.email else None,
    )
    message.attach_alternative(rendered.html, "text/html")
    for name, content, mimetype in attachments:
        message.attach(name, content, mimetype)
    return message


def _itip_type(method: str) -> str:
    """The attachment's type with its iTIP method, which mail clients look for."""
    return f"text/calendar; method={method}"


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
        token = book_token(
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
    for advice in race_advice(runner, clinic, now=now):
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
    if clinic is None or not scans.cadence_still_due(runner, now=now):
        raise Moot("not due any more")
    unsubscribe = absolute(reverse("reminders:unsubscribe", args=[unsubscribe_token(runner)]))
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
        # "3 sessions left in your pack, valid until 12 March."
        "balance": credit_balance(runner, today=clinic.local(now).date()),
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


def _calendar_context(session: Session) -> dict:
    """The confirmation page's "Add to Google / Outlook / Apple" links (one home:
    booking.engine.calendar) and the session's .ics, for a booked session's e-mail."""
    return {
        "calendar_links": {
            **add_to_calendar_links(session),
            "ics": absolute(reverse("booking:session_ics", args=[session.pk])),
        }
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
    if kind != Reminder.Kind.CANCELLATION:
        context.update(_calendar_context(session))
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
        move = last_move(session)
        if move is not None and move.old_start:
            context["old_when"] = when(move.old_start, session.clinic)
        elif session.rescheduled_from:
            context["old_when"] = when(session.rescheduled_from.start, session.clinic)
        else:
            context["old_when"] = ""
    return _render(f"session_{kind}", context)


# For the race-conflict e-mail (booking.reminders.race_email).
base_context = _base_context
render_email = _render
