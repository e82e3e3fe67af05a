"""The runner's sessions: list them, see one, add it to a calendar, move or cancel it.
Views parse and render; the engine validates and writes."""

from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from booking.engine import conflicts, selectors, services
from booking.engine.calendar import add_to_calendar_links, session_ics
from booking.engine.codes import Code
from booking.engine.exceptions import BookingError
from booking.models import Session
from booking.reminders.race_email import move_links
from booking.runner.booking import (
    clamp_day,
    clinic_therapists,
    month_href,
    pick_therapist,
    render_month,
)
from booking.runner.forms import parse_start
from booking.runner.picker import build_picker
from booking.runner.refusals import render_refusal, suggestion_links
from clinic.models import Therapist
from runners.decorators import runner_required
from runners.selfcare import ROUTINES

SELFCARE_FOR_AREA = {
    "legs": ("quadriceps", "calves", "hamstrings"),
    "glutes": ("glutes",),
    "lumbar": ("lower-back",),
    "dorsal": ("lower-back",),
    "cervical": (),
}


def _my_sessions(request):
    return selectors.sessions_for(request.user).select_related("therapist", "service", "clinic")


def _own_session(request, pk: int) -> Session:
    # Only the runner's own sessions: another runner's is simply not found.
    return get_object_or_404(_my_sessions(request).filter(runner=request.runner), pk=pk)


@runner_required
def my_sessions(request):
    now = timezone.now()
    qs = _my_sessions(request).filter(runner=request.runner)
    upcoming = list(qs.filter(start__gte=now, status=Session.Status.BOOKED).order_by("start"))
    # A race logged or moved after booking: flagged here, never cancelled.
    found = conflicts.conflicts_for_sessions(upcoming, now=now)
    for s in upcoming:
        s.race_conflicts = found.get(s.pk, [])  # type: ignore[attr-defined]
    past = list(qs.exclude(start__gte=now, status=Session.Status.BOOKED).order_by("-start")[:50])
    return render(
        request,
        "booking/my_sessions.html",
        {"upcoming": upcoming, "past": past, "runner": request.runner},
    )


@runner_required
def session_detail(request, pk: int):
    session = _own_session(request, pk)
    slugs = []
    for area in session.discomfort_areas or session.service.body_areas or ["legs"]:
        for slug in SELFCARE_FOR_AREA.get(area, ()):
            if slug not in slugs:
                slugs.append(slug)
    routines = [r for r in ROUTINES if r.slug in slugs] or list(ROUTINES[:2])
    race_conflicts = conflicts.conflicts_for_sessions([session]).get(session.pk, [])
    # Three times that pass every rule, on different days: one tap opens the move.
    moves = (
        move_links(session, request.runner, now=timezone.now(), absolute_urls=False)
        if race_conflicts
        else []
    )
    is_upcoming = session.status == Session.Status.BOOKED and session.start > timezone.now()
    # A demanding training planned the day after (issue 20): said here too, not only when
    # booking, since a plan is often logged later.
    day_after = (
        [
            w
            for w in services.session_warnings(
                runner=request.runner,
                service=session.service,
                therapist=session.therapist,
                start=session.start,
            )
            if w["code"] == Code.DEMANDING_TRAINING_NEXT_DAY
        ]
        if is_upcoming
        else []
    )
    return render(
        request,
        "booking/session_detail.html",
        {
            "session": session,
            "clinic": session.clinic,
            "just_booked": request.GET.get("booked") == "1",
            "is_upcoming": is_upcoming,
            "day_after": day_after,
            "routines": routines,
            "race_conflicts": race_conflicts,
            "moves": moves,
            "calendar_links": add_to_calendar_links(session),
        },
    )


@runner_required
def session_calendar(request, pk: int):
    session = _own_session(request, pk)
    response = HttpResponse(session_ics(session), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="session-{session.pk}.ics"'
    return response


@runner_required
@require_http_methods(["GET", "POST"])
def session_cancel(request, pk: int):
    session = _own_session(request, pk)
    detail_url = reverse("booking:session_detail", args=[session.pk])
    if request.method == "POST":
        try:
            services.session_cancel(session=session, by=request.user)
        except BookingError as error:
            return render_refusal(
                request, error, clinic=session.clinic, suggestions=[], back_href=detail_url
            )
        session.refresh_from_db()
        if session.status == Session.Status.LATE_CANCELLED:
            messages.warning(
                request, _("Your session is cancelled. It counts as a late cancellation.")
            )
        else:
            messages.success(request, _("Your session is cancelled. Nothing to pay."))
        return redirect("booking:my_sessions")
    if session.status != Session.Status.BOOKED:
        error = BookingError("not_cancellable")
        return render_refusal(
            request, error, clinic=session.clinic, suggestions=[], back_href=detail_url
        )
    outcome = services.cancellation_outcome(session)
    return render(
        request,
        "booking/cancel.html",
        {
            "session": session,
            "clinic": session.clinic,
            "late": outcome == Session.Status.LATE_CANCELLED,
            "free_until": session.start - session.clinic.cancellation_window,
        },
    )


@runner_required
def session_reschedule(request, pk: int):
    session = _own_session(request, pk)
    if session.status != Session.Status.BOOKED or session.start <= timezone.now():
        error = BookingError("not_reschedulable")
        return render_refusal(
            request,
            error,
            clinic=session.clinic,
            suggestions=[],
            back_href=reverse("booking:session_detail", args=[session.pk]),
        )
    service = session.service
    if "therapist" in request.GET:
        therapist = pick_therapist(request, service)
    else:
        therapist = session.therapist
    now = timezone.now()
    if "day" in request.GET:
        day = clamp_day(request, session.clinic, now)
    else:
        day = max(
            timezone.localdate(now, session.clinic.tz),
            session.start.astimezone(session.clinic.tz).date(),
        )
    page_url = reverse("booking:session_reschedule", args=[session.pk])
    confirm_url = reverse("booking:session_reschedule_confirm", args=[session.pk])

    def slot_href(slot):
        return f"{confirm_url}?{urlencode({'start': slot.start.isoformat(), 'therapist': slot.therapist_id})}"

    picker = build_picker(
        service=service,
        therapist=therapist,
        runner=request.runner,
        day=day,
        now=now,
        page_url=page_url,
        slot_href=slot_href,
        exclude_session=session,
    )
    context = {
        "service": service,
        "clinic": session.clinic,
        "therapist": therapist,
        "therapists": list(clinic_therapists(session.clinic)),
        "picker": picker,
        "page_url": page_url,
        "month_href": month_href(
            reverse("booking:session_reschedule_month", args=[session.pk]),
            therapist,
            picker.day,
            {},
        ),
        "mode": "reschedule",
        "session": session,
    }
    template = "booking/_picker.html" if request.headers.get("HX-Request") else "booking/slots.html"
    return render(request, template, context)


@runner_required
def session_reschedule_month(request, pk: int):
    """The move's month view: the days this session could move to (it does not block its
    own move)."""
    session = _own_session(request, pk)
    if session.status != Session.Status.BOOKED or session.start <= timezone.now():
        return redirect("booking:session_reschedule", pk=session.pk)
    service = session.service
    therapist = (
        pick_therapist(request, service) if "therapist" in request.GET else session.therapist
    )
    return render_month(
        request,
        service=service,
        therapist=therapist,
        page_url=reverse("booking:session_reschedule_month", args=[session.pk]),
        day_url=reverse("booking:session_reschedule", args=[session.pk]),
        params={"therapist": therapist.pk if therapist else "any"},
        exclude_session_id=session.pk,
    )


@runner_required
@require_http_methods(["GET", "POST"])
def session_reschedule_confirm(request, pk: int):
    session = _own_session(request, pk)
    source = request.POST if request.method == "POST" else request.GET
    start = parse_start(source.get("start"))
    therapist_raw = source.get("therapist", "")
    page_url = reverse("booking:session_reschedule", args=[session.pk])
    if start is None or not therapist_raw.isdigit():
        messages.error(request, _("Pick a time from the list first."))
        return redirect(page_url)
    therapist = get_object_or_404(
        Therapist, pk=int(therapist_raw), clinic=session.clinic_id, active=True
    )
    if request.method == "POST":
        try:
            moved = services.session_reschedule(
                session=session, start=start, therapist=therapist, by=request.user
            )
        except BookingError as error:
            links = suggestion_links(
                error, session.service, "booking:session_reschedule_confirm", [session.pk]
            )
            return render_refusal(
                request,
                error,
                clinic=session.clinic,
                suggestions=links,
                back_href=page_url,
                refused_start=start,
            )
        messages.success(request, _("Your session is moved."))
        return redirect("booking:session_detail", pk=moved.pk)
    return render(
        request,
        "booking/reschedule_confirm.html",
        {
            "session": session,
            "clinic": session.clinic,
            "therapist": therapist,
            "start": start,
            "end": start + session.service.duration,
            "back_href": page_url,
        },
    )
