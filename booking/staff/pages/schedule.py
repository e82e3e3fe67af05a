"""Staff pages: agenda, attendance, schedule, time off, dashboard, adherence, exports.

Thin: parse, check who may (booking.staff.access), call a service or a selector, render.
"""

from datetime import date, datetime, time, timedelta
from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from booking import reports
from booking.exceptions import BookingError
from clinic import services as schedule
from clinic.errors import CodedError
from clinic.models import Therapist, TimeOff

from .. import services as booking_services
from . import access, charts, exports
from .forms import (
    AttendanceForm,
    MoveForm,
    ReportFilterForm,
    TimeOffForm,
    WorkingHoursForm,
    format_intervals,
)
from .selectors import agenda, planned_changes, sessions_in_the_way, staff_sessions, week_hours
from .services import session_mark_attendance


def staff_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        access.require_staff(request.user)
        try:
            return view(request, *args, **kwargs)
        finally:
            timezone.deactivate()

    return wrapper


def admin_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        access.require_admin(request.user)
        try:
            return view(request, *args, **kwargs)
        finally:
            timezone.deactivate()

    return wrapper


def _today(clinic) -> date:
    # Pages show the clinic's wall-clock time (the decorators reset it after the view).
    timezone.activate(clinic.tz)
    return timezone.now().astimezone(clinic.tz).date()


def _date_param(request, name: str, default: date) -> date:
    try:
        return date.fromisoformat(request.GET.get(name, ""))
    except ValueError:
        return default


def _context_clinic_and_therapist(request):
    """The clinic and therapist an agenda or schedule page is about: a therapist's own by
    default; ?therapist= for a colleague's agenda or (admins) any therapist of the clinic."""
    user = request.user
    own = access.own_therapist(user)
    if request.GET.get("therapist"):
        therapist = access.visible_therapist(user, request.GET["therapist"])
        return therapist.clinic, therapist
    if own is not None:
        return own.clinic, own
    if request.GET.get("clinic"):
        return access.visible_clinic(user, request.GET["clinic"]), None
    clinic = access.default_clinic(user)
    if clinic is None:
        raise Http404
    return clinic, None


def _therapists(user, clinic):
    return Therapist.objects.filter(clinic=clinic, active=True).order_by("display_name")


@staff_required
def home(request):
    if access.own_therapist(request.user) is not None:
        return redirect("staff:agenda")
    return redirect("staff:dashboard")


@staff_required
def agenda_day(request):
    clinic, therapist = _context_clinic_and_therapist(request)
    today = _today(clinic)
    day = _date_param(request, "date", today)
    days = agenda(user=request.user, clinic=clinic, first=day, last=day, therapist=therapist)
    return render(
        request,
        "staff/agenda_day.html",
        {
            "clinic": clinic,
            "therapist": therapist,
            "therapists": _therapists(request.user, clinic),
            "day": days[0],
            "today": today,
            "prev": day - timedelta(days=1),
            "next": day + timedelta(days=1),
            "query": _therapist_query(therapist),
            "own": access.own_therapist(request.user) is not None,
        },
    )


def _therapist_query(therapist) -> str:
    return f"&therapist={therapist.pk}" if therapist else ""


@staff_required
def agenda_week(request):
    clinic, therapist = _context_clinic_and_therapist(request)
    today = _today(clinic)
    day = _date_param(request, "date", today)
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
            "therapists": _therapists(request.user, clinic),
            "days": days,
            "today": today,
            "monday": monday,
            "prev": monday - timedelta(days=7),
            "next": monday + timedelta(days=7),
            "query": _therapist_query(therapist),
            "own": access.own_therapist(request.user) is not None,
        },
    )


def _session_for(request, pk):
    return get_object_or_404(
        staff_sessions(request.user).select_related(
            "runner__user", "service", "therapist", "clinic"
        ),
        pk=pk,
    )


@staff_required
def session_detail(request, pk: int):
    session = _session_for(request, pk)
    tz = session.clinic.tz
    _today(session.clinic)
    form = AttendanceForm(
        initial={
            "status": session.status if session.status in ("attended", "no_show") else None,
            "areas_treated": session.areas_treated or session.discomfort_areas,
            "mobilisation_done": bool(session.mobilisation_done),
            "note": session.therapist_note,
        }
    )
    return _render_session(request, session, form, tz)


def _render_session(request, session, form, tz, status=200):
    races = session.runner.races.filter(start__gte=session.start).order_by("start")[:5]
    events = session.events.select_related("by").order_by("at", "id")
    return render(
        request,
        "staff/session.html",
        {
            "session": session,
            "local_start": session.start.astimezone(tz),
            "local_end": session.end.astimezone(tz),
            "races": [
                (r, (r.start.astimezone(tz).date() - session.start.astimezone(tz).date()).days)
                for r in races
            ],
            "events": events,
            "form": form,
            "started": timezone.now() >= session.start,
            "markable": session.status in ("booked", "attended", "no_show"),
        },
        status=status,
    )


@staff_required
@require_POST
def session_attendance(request, pk: int):
    session = _session_for(request, pk)
    _today(session.clinic)
    form = AttendanceForm(request.POST)
    if form.is_valid():
        try:
            session_mark_attendance(
                session=session,
                status=form.cleaned_data["status"],
                by=request.user,
                areas_treated=form.cleaned_data["areas_treated"],
                mobilisation_done=form.cleaned_data["mobilisation_done"],
                note=form.cleaned_data["note"],
            )
        except CodedError as err:
            form.add_error(None, err.detail)
        else:
            messages.success(request, _("Attendance saved."))
            local_day = session.start.astimezone(session.clinic.tz).date()
            return redirect(
                f"{reverse('staff:agenda')}?date={local_day.isoformat()}"
                f"{_therapist_query(session.therapist) if access.is_admin(request.user) else ''}"
            )
    return _render_session(request, session, form, session.clinic.tz, status=400)


def _schedule_therapist(request):
    own = access.own_therapist(request.user)
    tid = request.GET.get("therapist") or request.POST.get("therapist")
    if tid:
        return access.schedule_editable_therapist(request.user, tid)
    if own is not None:
        return own
    # A clinic admin without a therapist: the first therapist of their clinic.
    clinic = access.default_clinic(request.user)
    therapist = clinic and clinic.therapists.filter(active=True).order_by("display_name").first()
    if therapist is None:
        raise Http404
    return therapist


@staff_required
def working_hours(request):
    therapist = _schedule_therapist(request)
    clinic = therapist.clinic
    today = _today(clinic)
    shown = _date_param(request, "on", today)
    if request.method == "POST":
        form = WorkingHoursForm(request.POST, today=today)
        if form.is_valid():
            try:
                schedule.working_hours_replace(
                    therapist=therapist,
                    intervals=form.cleaned_data["intervals"],
                    valid_from=form.cleaned_data["valid_from"],
                    by=request.user,
                )
            except CodedError as err:
                field = f"day_{err.extra['weekday']}" if "weekday" in err.extra else None
                form.add_error(field, err.detail)
            else:
                messages.success(request, _("Working hours saved."))
                return redirect(
                    f"{reverse('staff:in-the-way')}?"
                    + urlencode(
                        {
                            "therapist": therapist.pk,
                            "since": form.cleaned_data["valid_from"].isoformat(),
                        }
                    )
                )
    else:
        hours = week_hours(therapist=therapist, on=shown)
        initial = {"valid_from": max(shown, today)}
        initial.update({f"day_{d}": format_intervals(rows) for d, rows in hours.items()})
        form = WorkingHoursForm(initial=initial, today=today)
    return render(
        request,
        "staff/working_hours.html",
        {
            "therapist": therapist,
            "clinic": clinic,
            "form": form,
            "shown": shown,
            "changes": planned_changes(therapist=therapist, after=shown),
            "therapists": _therapists(request.user, clinic)
            if access.is_admin(request.user)
            else None,
        },
        status=400 if request.method == "POST" else 200,
    )


@staff_required
def time_off(request):
    therapist = _schedule_therapist(request)
    tz = therapist.clinic.tz
    _today(therapist.clinic)
    if request.method == "POST":
        form = TimeOffForm(request.POST, tz=tz)
        if form.is_valid():
            try:
                off = schedule.time_off_add(
                    therapist=therapist,
                    start=form.cleaned_data["start"],
                    end=form.cleaned_data["end"],
                    reason=form.cleaned_data["reason"],
                    by=request.user,
                )
            except CodedError as err:
                form.add_error(None, err.detail)
            else:
                messages.success(request, _("Time off saved."))
                return redirect(
                    f"{reverse('staff:in-the-way')}?"
                    + urlencode(
                        {
                            "therapist": therapist.pk,
                            "since": off.start.astimezone(tz).date().isoformat(),
                        }
                    )
                )
    else:
        form = TimeOffForm(tz=tz)
    offs = TimeOff.objects.filter(therapist=therapist, end__gt=timezone.now()).order_by("start")
    return render(
        request,
        "staff/time_off.html",
        {
            "therapist": therapist,
            "clinic": therapist.clinic,
            "form": form,
            "offs": [(o, o.start.astimezone(tz), o.end.astimezone(tz)) for o in offs],
            "therapists": _therapists(request.user, therapist.clinic)
            if access.is_admin(request.user)
            else None,
        },
        status=400 if request.method == "POST" else 200,
    )


@staff_required
@require_POST
def time_off_delete(request, pk: int):
    off = get_object_or_404(TimeOff.objects.select_related("therapist"), pk=pk)
    access.schedule_editable_therapist(request.user, off.therapist_id)
    schedule.time_off_remove(time_off=off, by=request.user)
    messages.success(request, _("Time off removed."))
    return redirect(f"{reverse('staff:time-off')}?therapist={off.therapist_id}")


@staff_required
def in_the_way(request):
    therapist = _schedule_therapist(request)
    since_day = _date_param(request, "since", _today(therapist.clinic))
    return _render_in_the_way(request, therapist, since_day)


def _render_in_the_way(request, therapist, since_day, refusal=None, status=200):
    """The list, each with a move form; after a refused move, that session's form shows
    the reason and the nearest slots that pass, one tap each."""
    tz = therapist.clinic.tz
    since = datetime.combine(since_day, time.min, tzinfo=tz)
    items = sessions_in_the_way(therapist=therapist, since=since)
    colleagues = Therapist.objects.filter(clinic=therapist.clinic, active=True).order_by(
        "display_name"
    )
    rows = []
    for w in items:
        form = MoveForm(
            tz=tz,
            therapists=colleagues,
            initial={"start": w.local_start},
            prefix=f"s{w.session.pk}",
        )
        error, slots = None, []
        if refusal and refusal[0] == w.session.pk:
            error = refusal[1].detail
            names = {t.pk: t.display_name for t in colleagues}
            slots = [
                (s.start.astimezone(tz), s.therapist_id, names.get(s.therapist_id, ""))
                for s in getattr(refusal[1], "suggested_slots", [])
            ]
        rows.append((w, form, error, slots))
    return render(
        request,
        "staff/in_the_way.html",
        {"therapist": therapist, "clinic": therapist.clinic, "items": rows, "since": since_day},
        status=status,
    )


def _back_to_in_the_way(session):
    return redirect(f"{reverse('staff:in-the-way')}?therapist={session.therapist_id}")


@staff_required
@require_POST
def session_move(request, pk: int):
    session = _session_for(request, pk)
    therapist = access.schedule_editable_therapist(request.user, session.therapist_id)
    clinic = session.clinic
    _today(clinic)
    form = MoveForm(
        request.POST,
        tz=clinic.tz,
        therapists=Therapist.objects.filter(clinic=clinic, active=True),
        prefix=f"s{session.pk}",
    )
    if not form.is_valid():
        messages.error(request, _("Give the new start as a date and a time."))
        return _back_to_in_the_way(session)
    try:
        booking_services.session_reschedule(
            session=session,
            start=form.cleaned_data["start"],
            therapist=form.cleaned_data.get("therapist"),
            by=request.user,
        )
    except BookingError as err:
        return _render_in_the_way(
            request,
            therapist,
            _today(clinic),
            refusal=(session.pk, err),
            status=err.status_code,
        )
    messages.success(request, _("Session moved; the runner gets an e-mail."))
    return _back_to_in_the_way(session)


@staff_required
@require_POST
def session_cancel(request, pk: int):
    session = _session_for(request, pk)
    access.schedule_editable_therapist(request.user, session.therapist_id)
    try:
        booking_services.session_cancel(session=session, by=request.user)
    except BookingError as err:
        messages.error(request, err.detail)
    else:
        messages.success(request, _("Session cancelled; the runner gets an e-mail."))
    return _back_to_in_the_way(session)


def _report_filters(request):
    user = request.user
    clinics = access.clinics_for(user)
    clinic = None
    if request.GET.get("clinic"):
        clinic = access.visible_clinic(user, request.GET["clinic"])
    else:
        clinic = clinics.first()
    if clinic is None:
        raise Http404
    therapists = Therapist.objects.filter(clinic=clinic).order_by("display_name")
    form = ReportFilterForm(request.GET or None, clinics=clinics, therapists=therapists)
    today = _today(clinic)
    valid = form.is_bound and form.is_valid()
    data = form.cleaned_data if valid else {}
    if form.is_bound and "therapist" in form.errors:
        raise Http404  # a therapist of another clinic
    therapist = data.get("therapist")
    end = data.get("end") or today
    start = data.get("start") or (end - timedelta(days=7 * 12 - 1))
    group_by = data.get("group_by") or "week"
    if valid or not form.is_bound:
        # Show the period actually reported, defaults included.
        form = ReportFilterForm(
            initial={
                "clinic": clinic,
                "therapist": therapist,
                "start": start,
                "end": end,
                "group_by": group_by,
            },
            clinics=clinics,
            therapists=therapists,
        )
    return form, clinic, therapist, start, end, group_by


@admin_required
def dashboard(request):
    form, clinic, therapist, start, end, group_by = _report_filters(request)
    report = reports.attendance_report(
        clinic=clinic, start=start, end=end, group_by=group_by, therapist=therapist
    )
    query = urlencode(
        {"clinic": clinic.pk, "start": start, "end": end, "group_by": group_by}
        | ({"therapist": therapist.pk} if therapist else {})
    )
    return render(
        request,
        "staff/dashboard.html",
        {
            "form": form,
            "clinic": clinic,
            "therapist": therapist,
            "report": report,
            "counts_chart": charts.counts_chart(report),
            "rate_chart": charts.rate_chart(report),
            "query": query,
        },
        status=400 if form.errors else 200,
    )


@admin_required
def adherence(request):
    form, clinic, _therapist, start, end, _group = _report_filters(request)
    sort = request.GET.get("sort", "days_since_last")
    if sort not in reports.SORTS:
        sort = "days_since_last"
    overdue_only = request.GET.get("overdue") == "1"
    rows = reports.adherence(
        clinic=clinic, start=start, end=end, sort=sort, overdue_only=overdue_only
    )
    base = {"clinic": clinic.pk, "start": start, "end": end}
    return render(
        request,
        "staff/adherence.html",
        {
            "form": form,
            "clinic": clinic,
            "rows": rows,
            "overdue_count": sum(1 for r in rows if r.overdue),
            "overrides": reports.race_overrides(clinic=clinic, start=start, end=end)[:200],
            "sort": sort,
            "overdue_only": overdue_only,
            "sorts": [
                (
                    key,
                    label,
                    urlencode(base | {"sort": key} | ({"overdue": 1} if overdue_only else {})),
                )
                for key, label in [
                    ("name", _("Runner")),
                    ("attended", _("Attended")),
                    ("longest_gap", _("Longest gap")),
                    ("days_since_last", _("Days since last")),
                    ("next_booked", _("Next booked")),
                ]
            ],
            "base_query": urlencode(base | {"sort": sort}),
        },
    )


@admin_required
def export_report(request):
    _form, clinic, therapist, start, end, group_by = _report_filters(request)
    report = reports.attendance_report(
        clinic=clinic, start=start, end=end, group_by=group_by, therapist=therapist
    )
    return exports.csv_response(
        exports.stream_csv(exports.report_rows(report)),
        f"attendance-{clinic.slug}-{start}-{end}-{group_by}.csv",
    )


@admin_required
def export_sessions(request):
    _form, clinic, therapist, start, end, _group = _report_filters(request)
    return exports.csv_response(
        exports.sessions_csv(clinic=clinic, start=start, end=end, therapist=therapist),
        f"sessions-{clinic.slug}-{start}-{end}.csv",
    )
