"""The runner's waitlist page: the lists they wait on, join one, leave one. The form
parses; booking.engine.waitlist decides and writes."""

from datetime import time, timedelta

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from booking.engine import waitlist
from booking.engine.exceptions import BookingError
from booking.models import WaitlistEntry
from clinic import permissions, timeutils
from clinic.forms import Form
from clinic.models import Service, Therapist
from runners.decorators import runner_required

# The days a new entry covers unless the runner says otherwise.
DEFAULT_DAYS = 14


class JoinForm(Form):
    service = forms.ModelChoiceField(queryset=Service.objects.none(), label=gettext_lazy("Massage"))
    therapist = forms.ModelChoiceField(
        queryset=Therapist.objects.none(),
        required=False,
        label=gettext_lazy("Physiotherapist"),
        empty_label=gettext_lazy("Any physiotherapist"),
    )
    first_day = forms.DateField(
        label=gettext_lazy("From"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    last_day = forms.DateField(
        label=gettext_lazy("Until"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    earliest = forms.TimeField(
        label=gettext_lazy("Not before"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    latest = forms.TimeField(
        label=gettext_lazy("Finished by"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )

    def __init__(self, *args, clinic, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = Service.objects.filter(clinic=clinic, active=True)
        self.fields["therapist"].queryset = Therapist.objects.filter(clinic=clinic, active=True)


def _entries(runner):
    return list(
        waitlist.waiting(WaitlistEntry.objects.filter(runner=runner))
        .select_related("service", "therapist")
        .order_by("first_day", "joined_at")
    )


@runner_required
@require_http_methods(["GET", "POST"])
def waitlist_page(request):
    runner = request.runner
    clinic = runner.clinic
    if clinic is None:  # the lists are a clinic's: the profile says which
        return render(request, "booking/waitlist.html", {"entries": _entries(runner), "form": None})
    today = timeutils.local_date(timezone.now(), clinic.tz)
    form = JoinForm(
        request.POST or None,
        clinic=clinic,
        initial={
            "first_day": today,
            "last_day": today + timedelta(days=DEFAULT_DAYS),
            "earliest": time(7, 0),
            "latest": time(21, 0),
        },
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                waitlist.join(runner=runner, **form.cleaned_data)
            except (waitlist.WaitlistError, BookingError) as exc:
                form.add_error(None, exc.detail)
            else:
                messages.success(
                    request, _("You are on the waitlist: we will e-mail you when a time frees up.")
                )
                return redirect("booking:waitlist")
        status = 400
    return render(
        request,
        "booking/waitlist.html",
        {"form": form, "entries": _entries(runner), "runner": runner},
        status=status,
    )


@runner_required
@require_POST
def waitlist_leave(request, pk: int):
    scoped = permissions.scope(WaitlistEntry.objects.all(), request.user)
    entry = get_object_or_404(waitlist.waiting(scoped), pk=pk)
    waitlist.leave(entry=entry)
    messages.success(request, _("You have left that waitlist."))
    return redirect("booking:waitlist")
