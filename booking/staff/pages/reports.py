"""Admins' pages: the dashboard, adherence and the CSV exports."""

from datetime import datetime, timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from booking.models import Reminder
from booking.reminders import scans, tasks
from booking.staff import charts, exports, reports
from booking.staff.forms import ReportFilterForm
from booking.staff.pages.base import admin_required, clinic_today
from clinic import permissions, selectors
from clinic.models import Therapist
from runners.models import Runner

# The dashboard's default period: the last eight weeks.
DEFAULT_WEEKS = 8
# Runners per page of the adherence list.
ADHERENCE_PAGE = 50


def _report_filters(request):
    user = request.user
    clinics = selectors.clinics_for(user)
    clinic = None
    if request.GET.get("clinic"):
        clinic = selectors.clinic_for_staff(user, request.GET["clinic"])
    else:
        clinic = clinics.first()
    if clinic is None:
        raise Http404
    therapists = Therapist.objects.filter(clinic=clinic).order_by("display_name")
    form = ReportFilterForm(request.GET or None, clinics=clinics, therapists=therapists)
    today = clinic_today(clinic)
    valid = form.is_bound and form.is_valid()
    data = form.cleaned_data if valid else {}
    if form.is_bound and "therapist" in form.errors:
        raise Http404  # a therapist of another clinic
    therapist = data.get("therapist")
    end = data.get("end") or today
    start = data.get("start") or (end - timedelta(days=7 * DEFAULT_WEEKS - 1))
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
    page = Paginator(rows, ADHERENCE_PAGE).get_page(request.GET.get("page"))
    reminded = reminded_this_period(
        [r.runner.pk for r in page.object_list if r.overdue], timezone.now()
    )
    return render(
        request,
        "staff/adherence.html",
        {
            "form": form,
            "clinic": clinic,
            "rows": [(r, reminded.get(r.runner.pk)) for r in page.object_list],
            "page": page,
            "page_query": urlencode(
                base | {"sort": sort} | ({"overdue": 1} if overdue_only else {})
            ),
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


def reminded_this_period(runner_ids: list[int], now: datetime) -> dict[int, datetime]:
    """{runner id: when} for the due runners already sent their current due period's
    cadence reminder (the key booking.reminders sends it under): a fixed number of
    queries for a page of runners."""
    due = scans.cadence_due_keys(runner_ids=runner_ids, now=now)
    if not due:
        return {}
    pairs = Q()
    for d in due:
        pairs |= Q(runner_id=d.runner_id, key=d.key)
    return dict(
        Reminder.objects.filter(
            pairs, kind=Reminder.Kind.CADENCE, state=Reminder.State.SENT
        ).values_list("runner_id", "sent_at")
    )


@admin_required
@require_POST
def remind_now(request, runner_id: int):
    """ "Send a reminder now" for an overdue runner: the cadence reminder the hourly scan
    would send (booking.reminders), under the same key, so at most once per due period."""
    runner = get_object_or_404(
        permissions.scope(Runner.objects.select_related("user"), request.user), pk=runner_id
    )
    name = runner.user.get_full_name()
    now = timezone.now()
    if not scans.cadence_due_keys(runner_ids=[runner.pk], now=now):
        messages.info(request, _("%(name)s is not due for a reminder.") % {"name": name})
    else:
        sent_at = reminded_this_period([runner.pk], now).get(runner.pk)
        if sent_at is not None:
            messages.info(
                request,
                _("%(name)s was already reminded for this period, on %(day)s.")
                % {"name": name, "day": date_format(sent_at, "j F Y")},
            )
        elif tasks.run_cadence_batch([runner.pk], now=now):
            messages.error(
                request,
                _("The e-mail to %(name)s could not be sent; it is retried.") % {"name": name},
            )
        else:
            messages.success(request, _("Reminder sent to %(name)s.") % {"name": name})
    back = request.POST.get("back", "")
    return redirect(f"{reverse('staff:adherence')}?{back}" if back else reverse("staff:adherence"))
