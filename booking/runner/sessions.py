"""The runner's booking pages: pick a service, a physiotherapist and a time; confirm;
see, move and cancel sessions. Views parse and render; the engine validates and writes."""

import uuid
from datetime import date, datetime, timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from clinic.models import Clinic, Service, Therapist
from runners.decorators import runner_required
from runners.selfcare import ROUTINES

from . import selectors, services
from .calendar import session_ics
from .exceptions import BookingError, IdempotencyKeyReused
from .forms import ConfirmForm, parse_day, parse_start
from .models import Session
from .picker import build_picker
from .refusals import refusal_page

SELFCARE_FOR_AREA = {
    "legs": ("quadriceps", "calves", "hamstrings"),
    "glutes": ("glutes",),
    "lumbar": ("lower-back",),
    "dorsal": ("lower-back",),
    "cervical": (),
}


def _bookable_services():
    return (
        Service.objects.filter(active=True)
        .select_related("clinic")
        .order_by("clinic__name", "duration_minutes")
    )


def _clinic_therapists(clinic: Clinic):
    return Therapist.objects.filter(clinic=clinic, active=True).order_by("display_name")


def _pick_therapist(request, service: Service) -> Therapist | None:
    raw = request.GET.get("therapist") or request.POST.get("therapist") or ""
    if raw in ("", "any"):
        return None
    if not raw.isdigit():
        raise Http404
    return get_object_or_404(Therapist, pk=int(raw), clinic=service.clinic_id, active=True)


def _clamp_day(request, clinic: Clinic, now: datetime) -> date:
    today = timezone.localdate(now, clinic.tz)
    day = parse_day(request.GET.get("day")) or today
    return min(max(day, today), today + timedelta(days=clinic.max_days_ahead))


@runner_required
def book_start(request):
    runner = request.runner
    services_list = list(_bookable_services())
    # The runner's own clinic first; other clinics after.
    services_list.sort(key=lambda s: (s.clinic_id != runner.clinic_id, s.clinic.name))
    return render(
        request,
        "booking/book_start.html",
        {"services": services_list, "runner": runner, "plan": request.GET.get("plan") == "1"},
    )


@runner_required
def book_slots(request, service_id: int):
    runner = request.runner
    service = get_object_or_404(
        Service.objects.select_related("clinic"), pk=service_id, active=True
    )
    if "therapist" not in request.GET and runner.preferred_therapist_id:
        therapist = Therapist.objects.filter(
            pk=runner.preferred_therapist_id, clinic=service.clinic_id, active=True
        ).first()
    else:
        therapist = _pick_therapist(request, service)
    now = timezone.now()
    day = _clamp_day(request, service.clinic, now)
    page_url = reverse("booking:book_slots", args=[service.pk])
    confirm_url = reverse("booking:book_confirm", args=[service.pk])

    plan = request.GET.get("plan") == "1" and bool(runner.cadence_days)
    extra = {"plan": "1"} if plan else {}

    def slot_href(slot):
        query = {"start": slot.start.isoformat(), "therapist": slot.therapist_id, **extra}
        return f"{confirm_url}?{urlencode(query)}"

    picker = build_picker(
        service=service,
        therapist=therapist,
        runner=runner,
        day=day,
        now=now,
        page_url=page_url,
        slot_href=slot_href,
        extra_params=extra,
    )
    context = {
        "plan": plan,
        "service": service,
        "clinic": service.clinic,
        "therapist": therapist,
        "therapists": list(_clinic_therapists(service.clinic)),
        "picker": picker,
        "page_url": page_url,
        "mode": "book",
    }
    template = "booking/_picker.html" if request.headers.get("HX-Request") else "booking/slots.html"
    return render(request, template, context)


def _suggestion_links(error: BookingError, service: Service, url_name: str, args) -> list[dict]:
    out = []
    for s in error.suggestions or []:
        if isinstance(s, dict):
            start, therapist_id = s.get("start"), s.get("therapist_id") or s.get("therapist")
        else:
            start, therapist_id = getattr(s, "start", None), getattr(s, "therapist_id", None)
        if isinstance(start, str):
            start = parse_start(start)
        if not isinstance(start, datetime):
            continue
        if isinstance(therapist_id, dict):
            therapist_id = therapist_id.get("id")
        query = {"start": start.isoformat()}
        if therapist_id:
            query["therapist"] = therapist_id
        out.append({"start": start, "href": f"{reverse(url_name, args=args)}?{urlencode(query)}"})
    return out


def render_refusal(request, error: BookingError, *, clinic: Clinic, suggestions, back_href: str):
    title, hint = refusal_page(error.code)
    return render(
        request,
        "booking/refused.html",
        {
            "error": error,
            "title": title,
            "hint": hint,
            "suggestions": suggestions,
            "clinic": clinic,
            "back_href": back_href,
            "is_race": error.code in ("too_soon_after_race", "too_close_before_race"),
        },
        status=error.status_code,
    )


@runner_required
@require_http_methods(["GET", "POST"])
def book_confirm(request, service_id: int):
    runner = request.runner
    service = get_object_or_404(
        Service.objects.select_related("clinic"), pk=service_id, active=True
    )
    source = request.POST if request.method == "POST" else request.GET
    start = parse_start(source.get("start"))
    therapist_raw = source.get("therapist", "")
    if start is None or not therapist_raw.isdigit():
        messages.error(request, _("Pick a time from the list first."))
        return redirect("booking:book_slots", service_id=service.pk)
    therapist = get_object_or_404(
        Therapist, pk=int(therapist_raw), clinic=service.clinic_id, active=True
    )
    slots_url = reverse("booking:book_slots", args=[service.pk])
    back_href = f"{slots_url}?{urlencode({'therapist': therapist.pk, 'day': start.astimezone(service.clinic.tz).date().isoformat()})}"
    form = ConfirmForm(
        request.POST or None,
        initial={
            "discomfort_areas": runner.discomfort_areas,
            "token": uuid.uuid4().hex,
            "count": 3,
            "repeat": ConfirmForm.REPEAT_PLAN
            if request.GET.get("plan") == "1"
            else ConfirmForm.REPEAT_ONCE,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data.get("repeat") == ConfirmForm.REPEAT_PLAN and runner.cadence_days:
                result = services.series_book(
                    runner=runner,
                    service=service,
                    therapist=therapist,
                    first_start=start,
                    every_days=runner.cadence_days,
                    count=data.get("count") or 3,
                    by=request.user,
                )
                return render(
                    request,
                    "booking/plan_result.html",
                    {"result": result, "service": service, "clinic": service.clinic},
                )
            session = services.session_book(
                runner=runner,
                service=service,
                therapist=therapist,
                start=start,
                by=request.user,
                discomfort_areas=data["discomfort_areas"],
                runner_note=data["runner_note"],
                idempotency_key=data.get("token") or None,
            )
        except IdempotencyKeyReused as reused:
            # This form was sent before (back button, then changed and sent again): the
            # first booking stands, unchanged; say so rather than show a refusal.
            messages.info(
                request,
                _(
                    "You had already booked this session with this form; your changes were not saved."
                ),
            )
            return redirect("booking:session_detail", pk=reused.session_id)
        except BookingError as error:
            links = _suggestion_links(error, service, "booking:book_confirm", [service.pk])
            return render_refusal(
                request, error, clinic=service.clinic, suggestions=links, back_href=back_href
            )
        return redirect(f"{reverse('booking:session_detail', args=[session.pk])}?booked=1")
    return render(
        request,
        "booking/confirm.html",
        {
            "form": form,
            "service": service,
            "clinic": service.clinic,
            "therapist": therapist,
            "start": start,
            "end": start + service.duration,
            "runner": runner,
            "back_href": back_href,
            "free_until": start - service.clinic.cancellation_window,
        },
    )


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
    return render(
        request,
        "booking/session_detail.html",
        {
            "session": session,
            "clinic": session.clinic,
            "just_booked": request.GET.get("booked") == "1",
            "is_upcoming": session.status == Session.Status.BOOKED
            and session.start > timezone.now(),
            "routines": routines,
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
        therapist = _pick_therapist(request, service)
    else:
        therapist = session.therapist
    now = timezone.now()
    if "day" in request.GET:
        day = _clamp_day(request, session.clinic, now)
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
        "therapists": list(_clinic_therapists(session.clinic)),
        "picker": picker,
        "page_url": page_url,
        "mode": "reschedule",
        "session": session,
    }
    template = "booking/_picker.html" if request.headers.get("HX-Request") else "booking/slots.html"
    return render(request, template, context)


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
            links = _suggestion_links(
                error, session.service, "booking:session_reschedule_confirm", [session.pk]
            )
            return render_refusal(
                request, error, clinic=session.clinic, suggestions=links, back_href=page_url
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
