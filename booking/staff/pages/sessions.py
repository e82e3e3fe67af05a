"""Staff run the day from the agenda and a session's page: book for a runner at a free
time, move a session (to another time or therapist) and cancel it after a confirmation.

Thin: parse, check who may (clinic.selectors.therapist_for_schedule), call the booking
services, render. Every page works without JavaScript.
"""

from datetime import datetime
from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from booking.engine import services
from booking.engine.exceptions import BookingError
from booking.staff.forms import BookForm, MoveForm, NewRunnerForm
from booking.staff.pages.agenda import render_session, session_for
from booking.staff.pages.base import clinic_today, staff_required
from booking.staff.pages.schedule import render_in_the_way, schedule_therapist
from booking.staff.selectors import runners_matching
from clinic import permissions, selectors
from clinic.models import Service, Therapist
from runners.models import Runner
from runners.services import RunnerError, runner_invite

# Where a move or a cancellation returns to: the page it was started from.
BACKS = ("in-the-way", "agenda", "session", "calendar")


def _back_of(request) -> str:
    back = request.POST.get("back") or request.GET.get("back")
    return back if back in BACKS else "in-the-way"


def _back(request, session, therapist_id: int, back: str):
    """The page to return to. `therapist_id` is the therapist whose pages the user came
    from: after a move to a colleague, not the colleague's (a therapist may not open
    a colleague's schedule pages)."""
    if back == "session":
        return redirect("staff:session", session.pk)
    if back == "calendar":
        return _to_calendar(session)
    if back == "agenda":
        day = session.start.astimezone(session.clinic.tz).date().isoformat()
        query = {"date": day}
        if permissions.is_clinic_admin(request.user):
            query["therapist"] = therapist_id
        return redirect(f"{reverse('staff:agenda')}?{urlencode(query)}")
    return redirect(f"{reverse('staff:in-the-way')}?therapist={therapist_id}")


def _to_calendar(session):
    day = session.start.astimezone(session.clinic.tz).date().isoformat()
    return redirect(f"{reverse('staff:calendar')}?{urlencode({'date': day})}")


def _slots(err: BookingError, clinic, tz):
    names = dict(Therapist.objects.filter(clinic=clinic).values_list("pk", "display_name"))
    return [
        (s.start.astimezone(tz), s.therapist_id, names.get(s.therapist_id, ""))
        for s in err.suggestions
    ]


@staff_required
@require_POST
def session_move(request, pk: int):
    session = session_for(request, pk)
    therapist = selectors.therapist_for_schedule(request.user, session.therapist_id)
    clinic, back = session.clinic, _back_of(request)
    clinic_today(clinic)
    form = MoveForm(
        request.POST,
        tz=clinic.tz,
        therapists=Therapist.objects.filter(clinic=clinic, active=True),
        prefix=f"s{session.pk}",
    )
    if not form.is_valid():
        messages.error(request, _("Give the new start as a date and a time."))
        return _back(request, session, therapist.pk, back)
    try:
        services.session_reschedule(
            session=session,
            start=form.cleaned_data["start"],
            therapist=form.cleaned_data.get("therapist"),
            by=request.user,
        )
    except BookingError as err:
        if back in ("session", "calendar"):
            return render_session(
                request,
                session,
                status=err.status_code,
                move_refusal=(err.detail, _slots(err, clinic, clinic.tz)),
            )
        return render_in_the_way(
            request,
            therapist,
            clinic_today(clinic),
            refusal=(session.pk, err),
            status=err.status_code,
        )
    messages.success(request, _("Session moved; the runner gets an e-mail."))
    return _back(request, session, therapist.pk, back)


@staff_required
def session_cancel(request, pk: int):
    """GET: the confirmation (saying the runner is e-mailed); POST: cancel."""
    session = session_for(request, pk)
    therapist = selectors.therapist_for_schedule(request.user, session.therapist_id)
    back = _back_of(request)
    tz = session.clinic.tz
    clinic_today(session.clinic)
    if request.method != "POST":
        return render(
            request,
            "staff/cancel_confirm.html",
            {
                "session": session,
                "local_start": session.start.astimezone(tz),
                "local_end": session.end.astimezone(tz),
                "back": back,
                "cancellable": session.status == "booked",
            },
        )
    try:
        services.session_cancel(session=session, by=request.user)
    except BookingError as err:
        messages.error(request, err.detail)
    else:
        messages.success(request, _("Session cancelled; the runner gets an e-mail."))
    return _back(request, session, therapist.pk, back)


def _local_start(value: str | None, tz) -> datetime | None:
    """The time being booked, to say it in the page's heading (the form parses it again)."""
    try:
        return datetime.fromisoformat((value or "")[:16]).replace(tzinfo=tz)
    except ValueError:
        return None


def _booked_redirect(request, session, therapist):
    if (request.POST.get("back") or request.GET.get("back")) == "calendar":
        return _to_calendar(session)
    day = session.start.astimezone(therapist.clinic.tz).date().isoformat()
    return redirect(
        f"{reverse('staff:agenda')}?{urlencode({'date': day, 'therapist': therapist.pk})}"
    )


def _add_walk_in(request, clinic, therapist, source):
    """A walk-in added on the spot: (the form, None, the status) when refused, or (the
    form, a redirect back to the booking page with the runner found and the time kept)."""
    form = NewRunnerForm(request.POST, prefix="new")
    if not form.is_valid():
        return form, None, 400
    try:
        runner = runner_invite(request=request, clinic=clinic, by=request.user, **form.cleaned_data)
    except RunnerError as err:
        form.add_error(None, err.detail)
        return form, None, err.status_code
    messages.success(
        request,
        _("%(name)s added; they get an e-mail to choose a password. Now book.")
        % {"name": runner.user.get_full_name()},
    )
    query = {"therapist": therapist.pk, "q": runner.user.email, "start": source.get("start", "")}
    if source.get("back") == "calendar":
        query["back"] = "calendar"
    return form, redirect(f"{reverse('staff:book')}?{urlencode(query)}"), 302


@staff_required
def session_book(request):
    """Book for a runner at a therapist's free time: find the runner by name, e-mail or
    phone (or add a walk-in on the spot), choose the service, confirm."""
    source = request.POST if request.method == "POST" else request.GET
    therapist = schedule_therapist(request)
    clinic, tz = therapist.clinic, therapist.clinic.tz
    today = clinic_today(clinic)
    query = (request.GET.get("q") or "").strip()[:100]
    found = runners_matching(request.user, query)
    runners = permissions.scope(Runner.objects.select_related("user"), request.user)
    services_qs = Service.objects.filter(clinic=clinic, active=True).order_by("name")
    status, refusal = 200, None
    new_runner = NewRunnerForm(prefix="new", initial={"language": request.LANGUAGE_CODE[:2]})
    form = BookForm(
        tz=tz,
        runners=found,
        services=services_qs,
        initial={
            "start": source.get("start"),
            "service": services_qs.first(),
            "runner": found[0] if len(found) == 1 else None,
        },
    )
    if request.method == "POST" and "new-email" in request.POST:
        new_runner, added, status = _add_walk_in(request, clinic, therapist, source)
        if added is not None:
            return added
    elif request.method == "POST":
        form = BookForm(request.POST, tz=tz, runners=runners, services=services_qs)
        if form.is_valid():
            data = form.cleaned_data
            try:
                session = services.session_book(
                    runner=data["runner"],
                    service=data["service"],
                    therapist=therapist,
                    start=data["start"],
                    by=request.user,
                    override_reason=data["override_reason"],
                )
            except BookingError as err:
                status, refusal = err.status_code, (err.detail, _slots(err, clinic, tz))
            else:
                messages.success(request, _("Session booked; the runner gets an e-mail."))
                return _booked_redirect(request, session, therapist)
        else:
            status = 400
        found = runners.filter(pk=request.POST.get("runner")) if not query else found
    form.fields["runner"].queryset = found
    return render(
        request,
        "staff/book.html",
        {
            "therapist": therapist,
            "clinic": clinic,
            "today": today,
            "form": form,
            "new_runner": new_runner,
            "query": query,
            "found": found,
            "refusal": refusal,
            "start_value": (source.get("start") or "")[:16],
            "start_local": _local_start(source.get("start"), tz),
            "back": "calendar" if source.get("back") == "calendar" else "",
        },
        status=status,
    )
