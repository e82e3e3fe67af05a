"""The calendar staff run the day from: a day with the clinic's therapists as columns, a
therapist's week with the days as columns. A time grid on a wide screen, a list on a
phone (the same markup, static/css/calendar.css). A free time links to the booking page,
a session to its page (move, cancel, attendance); dragging a session onto a free time
(static/js/calendar.js) posts the session page's own move form. No JavaScript needed."""

from datetime import timedelta

from django.shortcuts import redirect, render
from django.utils import timezone

from booking.staff.calendar import calendar_grid
from booking.staff.pages.base import (
    clinic_therapists,
    clinic_today,
    context_clinic_and_therapist,
    date_param,
    staff_required,
)
from booking.staff.selectors import past_unmarked
from clinic import permissions


def _render(request, template, *, clinic, days, therapists, therapist, today, step, extra):
    grid = calendar_grid(user=request.user, clinic=clinic, days=days, therapists=therapists)
    return render(
        request,
        template,
        {
            "clinic": clinic,
            "grid": grid,
            "therapist": therapist,
            "today": today,
            "now": timezone.now().astimezone(clinic.tz),
            "prev": days[0] - step,
            "next": days[0] + step,
            "unmarked": past_unmarked(user=request.user, clinic=clinic, therapist=therapist),
            **extra,
        },
    )


@staff_required
def calendar_day(request):
    """Every active therapist of the clinic side by side, on one day."""
    clinic, _own = context_clinic_and_therapist(request)
    today = clinic_today(clinic)
    day = date_param(request, "date", today)
    therapists = list(clinic_therapists(request.user, clinic))
    return _render(
        request,
        "staff/calendar_day.html",
        clinic=clinic,
        days=[day],
        therapists=therapists,
        therapist=None,
        today=today,
        step=timedelta(days=1),
        extra={"day": day, "columns_class": f"cols-{len(therapists)}"},
    )


@staff_required
def calendar_week(request):
    """One therapist's week, Monday to Sunday: the user's own, or the one chosen."""
    clinic, therapist = context_clinic_and_therapist(request)
    therapists = list(clinic_therapists(request.user, clinic))
    if therapist is None:
        if not therapists:
            return redirect("staff:calendar")
        therapist = therapists[0]
    today = clinic_today(clinic)
    day = date_param(request, "date", today)
    monday = day - timedelta(days=day.weekday())
    return _render(
        request,
        "staff/calendar_week.html",
        clinic=clinic,
        days=[monday + timedelta(days=i) for i in range(7)],
        therapists=[therapist],
        therapist=therapist,
        today=today,
        step=timedelta(days=7),
        extra={
            "monday": monday,
            "therapists": therapists,
            "own": permissions.own_therapist(request.user) is not None,
            "columns_class": "cols-7",
        },
    )
