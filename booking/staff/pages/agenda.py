"""Staff pages: home, the day and week agenda, a session and its attendance."""

from datetime import timedelta

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from booking.engine.availability import availability
from booking.engine.selectors import staff_sessions
from booking.engine.services import cancellation_outcome
from booking.staff.forms import AttendanceForm, MoveForm
from booking.staff.pages.base import (
    clinic_therapists,
    clinic_today,
    context_clinic_and_therapist,
    date_param,
    staff_required,
    therapist_query,
)
from booking.staff.selectors import agenda, past_unmarked, runner_season
from booking.staff.services import (
    MARKS,
    session_mark_attendance,
    session_mark_attended_as_booked,
    treated_as_booked,
)
from clinic import permissions
from clinic.errors import CodedError
from clinic.models import Service


@staff_required
def home(request):
    if permissions.own_therapist(request.user) is not None:
        return redirect("staff:agenda")
    return redirect("staff:dashboard")


@staff_required
def agenda_day(request):
    clinic, therapist = context_clinic_and_therapist(request)
    today = clinic_today(clinic)
    day = date_param(request, "date", today)
    days = agenda(user=request.user, clinic=clinic, first=day, last=day, therapist=therapist)
    return render(
        request,
        "staff/agenda_day.html",
        {
            "clinic": clinic,
            "therapist": therapist,
            "therapists": clinic_therapists(request.user, clinic),
            "day": days[0],
            "today": today,
            "prev": day - timedelta(days=1),
            "next": day + timedelta(days=1),
            "query": therapist_query(therapist),
            "own": permissions.own_therapist(request.user) is not None,
            "unmarked": past_unmarked(user=request.user, clinic=clinic, therapist=therapist),
            "free": _free_times(request, therapist, day, today),
        },
    )


def _free_times(request, therapist, day, today):
    """The therapist's bookable starts that day, for the clinic's first service (the
    booking page lets staff pick another), when the user may book for them."""
    if therapist is None or day < today:
        return []
    if not permissions.may_change_schedule(request.user, therapist):
        return []
    service = Service.objects.filter(clinic=therapist.clinic, active=True).order_by("name").first()
    if service is None:
        return []
    service.clinic = therapist.clinic
    found = availability(service=service, start_date=day, end_date=day, therapist=therapist)
    return [s.start.astimezone(therapist.clinic.tz) for s in found.slots]


@staff_required
def agenda_week(request):
    clinic, therapist = context_clinic_and_therapist(request)
    today = clinic_today(clinic)
    day = date_param(request, "date", today)
    monday = day - timedelta(days=day.weekday())
    days = agenda(
        user=request.user,
        clinic=clinic,
        first=monday,
        last=monday + timedelta(days=6),
        therapist=therapist,
    )
    return render(
        request,
        "staff/agenda_week.html",
        {
            "clinic": clinic,
            "therapist": therapist,
            "therapists": clinic_therapists(request.user, clinic),
            "days": days,
            "today": today,
            "monday": monday,
            "prev": monday - timedelta(days=7),
            "next": monday + timedelta(days=7),
            "query": therapist_query(therapist),
            "own": permissions.own_therapist(request.user) is not None,
            "unmarked": past_unmarked(user=request.user, clinic=clinic, therapist=therapist),
        },
    )


def session_for(request, pk):
    return get_object_or_404(
        staff_sessions(request.user).select_related(
            "runner__user", "service", "therapist", "clinic"
        ),
        pk=pk,
    )


@staff_required
def session_detail(request, pk: int):
    session = session_for(request, pk)
    clinic_today(session.clinic)
    return render_session(request, session)


def _initial_form(session):
    areas = session.areas_treated or treated_as_booked(session.discomfort_areas)
    return AttendanceForm(
        initial={
            "status": session.status if session.status in MARKS else None,
            **AttendanceForm.initial_areas(areas),
            "mobilisation_done": bool(session.mobilisation_done),
            "discomfort_before": session.discomfort_before,
            "discomfort_after": session.discomfort_after,
            "note": session.therapist_note,
        }
    )


def render_session(request, session, form=None, *, status=200, error=None, move_refusal=None):
    """The session page: the record, attendance, and (booked, not started, and the user may
    change the therapist's schedule) move and cancel. move_refusal: (reason, slots)."""
    tz = session.clinic.tz
    now = timezone.now()
    movable = (
        session.status == "booked"
        and session.start > now
        and permissions.may_change_schedule(request.user, session.therapist)
    )
    season = runner_season(session)
    events = session.events.select_related("by").order_by("at", "id")
    return render(
        request,
        "staff/session.html",
        {
            "session": session,
            "local_start": session.start.astimezone(tz),
            "local_end": session.end.astimezone(tz),
            "races": season.races,
            "race_conflicts": season.conflicts,
            "load": season.load,
            "previous": season.previous,
            "events": events,
            "form": form or _initial_form(session),
            "error": error,
            "started": now >= session.start,
            "movable": movable,
            "move_form": MoveForm(
                tz=tz,
                therapists=clinic_therapists(request.user, session.clinic),
                initial={"start": session.start.astimezone(tz)},
                prefix=f"s{session.pk}",
            )
            if movable
            else None,
            "move_refusal": move_refusal,
            "markable": session.status in ("booked", *MARKS),
            # Inside the cancellation window: the runner's call can be marked a late cancel.
            "late_cancel_open": session.status == "booked"
            and cancellation_outcome(session, now=now) == "late_cancelled",
        },
        status=status,
    )


@staff_required
@require_POST
def session_attendance(request, pk: int):
    """The full form, or one tap: "attended as booked" (as_booked), or a bare mark from
    the agenda (quick: no-show or late cancellation, the record left as it is)."""
    session = session_for(request, pk)
    clinic_today(session.clinic)
    as_booked = bool(request.POST.get("as_booked"))
    quick = request.POST.get("quick") in MARKS and request.POST.get("quick")
    form = AttendanceForm(request.POST)
    if as_booked or quick or form.is_valid():
        try:
            if as_booked:
                session_mark_attended_as_booked(session=session, by=request.user)
            elif quick:
                session_mark_attendance(session=session, status=quick, by=request.user)
            else:
                data = form.cleaned_data
                session_mark_attendance(
                    session=session,
                    status=data["status"],
                    by=request.user,
                    areas_treated=data["areas_treated"],
                    mobilisation_done=data["mobilisation_done"],
                    discomfort_before=data["discomfort_before"],
                    discomfort_after=data["discomfort_after"],
                    note=data["note"],
                )
        except CodedError as err:
            if as_booked or quick:
                return render_session(request, session, status=err.status_code, error=err.detail)
            form.add_error(None, err.detail)
            return render_session(request, session, form, status=err.status_code)
        else:
            messages.success(request, _("Attendance saved."))
            local_day = session.start.astimezone(session.clinic.tz).date()
            return redirect(
                f"{reverse('staff:agenda')}?date={local_day.isoformat()}"
                f"{therapist_query(session.therapist) if permissions.is_clinic_admin(request.user) else ''}"
            )
    return render_session(request, session, form, status=400)
