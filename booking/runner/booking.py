"""The runner's booking pages: pick a service, a physiotherapist and a time; confirm
one session or a plan. Views parse and render; the engine validates and writes."""

import uuid
from datetime import date, datetime, timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from booking.engine import series, services
from booking.engine.exceptions import BookingError, IdempotencyKeyReused
from booking.engine.refusal import violation_error
from booking.runner.forms import ConfirmForm, parse_day, parse_start
from booking.runner.picker import build_month, build_picker
from booking.runner.refusals import render_refusal, suggestion_links
from clinic.models import Clinic, Service, Therapist
from runners.decorators import runner_required


def _bookable_services():
    return (
        Service.objects.filter(active=True)
        .select_related("clinic")
        .order_by("clinic__name", "duration_minutes")
    )


def clinic_therapists(clinic: Clinic):
    return Therapist.objects.filter(clinic=clinic, active=True).order_by("display_name")


def pick_therapist(request, service: Service) -> Therapist | None:
    raw = request.GET.get("therapist") or request.POST.get("therapist") or ""
    if raw in ("", "any"):
        return None
    if not raw.isdigit():
        raise Http404
    return get_object_or_404(Therapist, pk=int(raw), clinic=service.clinic_id, active=True)


def clamp_day(request, clinic: Clinic, now: datetime) -> date:
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
        therapist = pick_therapist(request, service)
    now = timezone.now()
    day = clamp_day(request, service.clinic, now)
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
        first_free="day" not in request.GET,
    )
    context = {
        "plan": plan,
        "service": service,
        "clinic": service.clinic,
        "therapist": therapist,
        "therapists": list(clinic_therapists(service.clinic)),
        "picker": picker,
        "page_url": page_url,
        "month_href": month_href(
            reverse("booking:book_month", args=[service.pk]), therapist, picker.day, extra
        ),
        "mode": "book",
    }
    template = "booking/_picker.html" if request.headers.get("HX-Request") else "booking/slots.html"
    return render(request, template, context)


def parse_month(value: str | None) -> date | None:
    try:
        return date.fromisoformat(f"{value}-01") if value and len(value) == 7 else None
    except ValueError:
        return None


def render_month(
    request,
    *,
    service: Service,
    therapist: Therapist | None,
    page_url: str,
    day_url: str,
    params: dict,
    exclude_session_id: int | None = None,
):
    """The month at a glance: which days have free times, which are closed or blocked by
    a race; a day opens the picker (`day_url`) on that day. Plain links, no script."""
    now = timezone.now()
    clinic = service.clinic
    today = timezone.localdate(now, clinic.tz)
    last = today + timedelta(days=clinic.max_days_ahead)
    month = parse_month(request.GET.get("month")) or today
    month = min(max(month, today.replace(day=1)), last.replace(day=1))
    grid = build_month(
        service=service,
        therapist=therapist,
        runner=request.runner,
        month=month,
        now=now,
        page_url=page_url,
        day_url=day_url,
        params=params,
        exclude_session_id=exclude_session_id,
    )
    return render(
        request,
        "booking/month.html",
        {
            "service": service,
            "clinic": clinic,
            "therapist": therapist,
            "month": grid,
            "weekdays": [today - timedelta(days=today.weekday() - i) for i in range(7)],
            "week_href": f"{day_url}?{urlencode(params)}",
        },
    )


def month_href(month_url: str, therapist: Therapist | None, day: date, extra: dict) -> str:
    query = {"therapist": therapist.pk if therapist else "any", "month": f"{day:%Y-%m}", **extra}
    return f"{month_url}?{urlencode(query)}"


@runner_required
def book_month(request, service_id: int):
    service = get_object_or_404(
        Service.objects.select_related("clinic"), pk=service_id, active=True
    )
    therapist = pick_therapist(request, service)
    params = {"therapist": therapist.pk if therapist else "any"}
    if request.GET.get("plan") == "1" and request.runner.cadence_days:
        params["plan"] = "1"
    return render_month(
        request,
        service=service,
        therapist=therapist,
        page_url=reverse("booking:book_month", args=[service.pk]),
        day_url=reverse("booking:book_slots", args=[service.pk]),
        params=params,
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
            "count": series.DEFAULT_PLAN_COUNT,
            "repeat": ConfirmForm.REPEAT_PLAN
            if request.GET.get("plan") == "1"
            else ConfirmForm.REPEAT_ONCE,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data.get("repeat") == ConfirmForm.REPEAT_PLAN and runner.cadence_days:
                result = series.series_book(
                    runner=runner,
                    service=service,
                    therapist=therapist,
                    first_start=start,
                    every_days=runner.cadence_days,
                    count=data.get("count") or series.DEFAULT_PLAN_COUNT,
                    by=request.user,
                    discomfort_areas=data["discomfort_areas"],
                    runner_note=data["runner_note"],
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
            links = suggestion_links(error, service, "booking:book_confirm", [service.pk])
            return render_refusal(
                request,
                error,
                clinic=service.clinic,
                suggestions=links,
                back_href=back_href,
                refused_start=start,
            )
        return redirect(f"{reverse('booking:session_detail', args=[session.pk])}?booked=1")
    # Opened directly (a shared or old link): say now why this time cannot be booked.
    blockers = [
        violation_error(v).detail
        for v in services.session_violations(
            runner=runner, service=service, therapist=therapist, start=start
        )
    ]
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
            # Said, not refused: a session close to another one (spacing).
            "warnings": services.session_warnings(
                runner=runner, service=service, therapist=therapist, start=start
            ),
            "blockers": blockers,
        },
    )
