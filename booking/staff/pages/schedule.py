"""Staff pages for a therapist's schedule: weekly hours, time off, and the sessions a
change leaves in the way (moved or cancelled from here).

Thin: parse, check who may (clinic.permissions, clinic.selectors), call a service or a
selector, render.
"""

from datetime import time, timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from booking.engine.context import therapist_hours
from booking.staff.forms import (
    END_OF_DAY,
    MoveForm,
    TimeOffForm,
    WorkingHoursForm,
    format_intervals,
)
from booking.staff.pages.base import clinic_therapists, clinic_today, date_param, staff_required
from booking.staff.selectors import sessions_in_the_way
from clinic import permissions, selectors, timeutils
from clinic import services as schedule
from clinic.errors import CodedError
from clinic.models import Therapist, TimeOff, WorkingHours
from clinic.selectors import planned_changes


def schedule_therapist(request):
    own = permissions.own_therapist(request.user)
    tid = request.GET.get("therapist") or request.POST.get("therapist")
    if tid:
        return selectors.therapist_for_schedule(request.user, tid)
    if own is not None:
        return own
    # A clinic admin without a therapist: the first therapist of their clinic.
    clinic = selectors.default_clinic(request.user)
    therapist = clinic and clinic.therapists.filter(active=True).order_by("display_name").first()
    if therapist is None:
        raise Http404
    return therapist


@staff_required
def working_hours(request):
    therapist = schedule_therapist(request)
    clinic = therapist.clinic
    today = clinic_today(clinic)
    shown = date_param(request, "on", today)
    plan = timeutils.week_plan(therapist_hours(therapist), shown)
    status = 200
    if request.method == "POST" and "add" in request.POST:
        # "Add an interval" (no JavaScript): the same page, one more empty pair that day.
        form = _form_with_one_more(request.POST, today)
    elif request.method == "POST":
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
                # Next to the day it is about (its first interval), else above the form.
                weekday = err.extra.get("weekday")
                form.add_error(None if weekday is None else f"d{weekday}_0_start", err.detail)
            else:
                messages.success(request, _("Working hours saved."))
                return _in_the_way(therapist, since=form.cleaned_data["valid_from"])
        status = 400
    else:
        initial: dict = {"valid_from": max(shown, today)}
        for day, rows in plan.items():
            for i, row in enumerate(rows):
                initial[f"d{day}_{i}_start"] = row.start_time
                initial[f"d{day}_{i}_end"] = (
                    time.min if row.end_time == END_OF_DAY else row.end_time
                )
        counts = {day: len(plan.get(day, [])) + 1 for day in range(7)}
        form = WorkingHoursForm(initial=initial, today=today, rows=counts)
    return render(
        request,
        "staff/working_hours.html",
        {
            "therapist": therapist,
            "clinic": clinic,
            "form": form,
            "shown": shown,
            "summary": [
                (label, format_intervals(plan.get(day, [])))
                for day, label in WorkingHours.Weekday.choices
            ],
            "changes": planned_changes(therapist=therapist, after=shown),
            "audit": selectors.schedule_changes(therapist=therapist),
            "therapists": clinic_therapists(request.user, clinic)
            if permissions.is_clinic_admin(request.user)
            else None,
        },
        status=status,
    )


def _form_with_one_more(data, today):
    try:
        day = int(data["add"])
    except ValueError:
        day = -1
    counts = {}
    for d in range(7):
        try:
            counts[d] = int(data.get(f"d{d}_rows", 1)) + (1 if d == day else 0)
        except ValueError:
            counts[d] = 1
    return WorkingHoursForm(initial=dict(data.items()), today=today, rows=counts)


def _in_the_way(therapist, *, since):
    """After a schedule change: the sessions it leaves outside the therapist's hours."""
    query = urlencode({"therapist": therapist.pk, "since": since.isoformat()})
    return redirect(f"{reverse('staff:in-the-way')}?{query}")


@staff_required
def time_off(request):
    therapist = schedule_therapist(request)
    tz = therapist.clinic.tz
    clinic_today(therapist.clinic)
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
                return _in_the_way(therapist, since=off.start.astimezone(tz).date())
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
            "changes": selectors.schedule_changes(therapist=therapist),
            "therapists": clinic_therapists(request.user, therapist.clinic)
            if permissions.is_clinic_admin(request.user)
            else None,
        },
        status=400 if request.method == "POST" else 200,
    )


def _time_off_initial(off, tz) -> dict:
    start, end = off.start.astimezone(tz), off.end.astimezone(tz)
    whole_last_day = end.time() == time.min
    return {
        "start_date": start.date(),
        "start_time": None if start.time() == time.min else start.time(),
        "end_date": end.date() - timedelta(days=1) if whole_last_day else end.date(),
        "end_time": None if whole_last_day else end.time(),
        "reason": off.reason,
    }


@staff_required
def time_off_edit(request, pk: int):
    off = get_object_or_404(TimeOff.objects.select_related("therapist__clinic"), pk=pk)
    therapist = selectors.therapist_for_schedule(request.user, off.therapist_id)
    tz = therapist.clinic.tz
    clinic_today(therapist.clinic)
    if request.method == "POST":
        form = TimeOffForm(request.POST, tz=tz)
        if form.is_valid():
            off.start, off.end = form.cleaned_data["start"], form.cleaned_data["end"]
            off.reason = form.cleaned_data["reason"]
            try:
                schedule.time_off_save(time_off=off, by=request.user)
            except CodedError as err:
                form.add_error(None, err.detail)
            else:
                messages.success(request, _("Time off saved."))
                return _in_the_way(therapist, since=off.start.astimezone(tz).date())
    else:
        form = TimeOffForm(tz=tz, initial=_time_off_initial(off, tz))
    return render(
        request,
        "staff/time_off_edit.html",
        {"therapist": therapist, "clinic": therapist.clinic, "form": form, "off": off},
        status=400 if request.method == "POST" else 200,
    )


@staff_required
@require_POST
def time_off_delete(request, pk: int):
    off = get_object_or_404(TimeOff.objects.select_related("therapist"), pk=pk)
    selectors.therapist_for_schedule(request.user, off.therapist_id)
    schedule.time_off_remove(time_off=off, by=request.user)
    messages.success(request, _("Time off removed."))
    return redirect(f"{reverse('staff:time-off')}?therapist={off.therapist_id}")


@staff_required
def in_the_way(request):
    therapist = schedule_therapist(request)
    since_day = date_param(request, "since", clinic_today(therapist.clinic))
    return render_in_the_way(request, therapist, since_day)


def render_in_the_way(request, therapist, since_day, refusal=None, status=200):
    """The list, each with a move form; after a refused move, that session's form shows
    the reason and the nearest slots that pass, one tap each."""
    tz = therapist.clinic.tz
    since = timeutils.local_midnight(since_day, tz)
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
                for s in refusal[1].suggestions
            ]
        rows.append((w, form, error, slots))
    return render(
        request,
        "staff/in_the_way.html",
        {"therapist": therapist, "clinic": therapist.clinic, "items": rows, "since": since_day},
        status=status,
    )
