"""Staff: the clinic's waitlist for a day, in the order the runners joined, and offering
one of them a time by hand (booking.engine.waitlist.offer_by_hand: checked with the one
validator for that runner, e-mailed by the worker like any freed time)."""

from collections import defaultdict
from datetime import datetime, timedelta

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from booking.engine import waitlist
from booking.engine.availability import availability
from booking.engine.exceptions import BookingError
from booking.models import WaitlistEntry
from booking.staff.pages.base import (
    clinic_today,
    context_clinic_and_therapist,
    date_param,
    staff_required,
)
from clinic import permissions
from clinic.models import Therapist


def _times_for(entries, day, clinic, names):
    """Each entry's free starts that day within its hours (and its therapist, if any), as
    (form value "therapist|start", label): one availability read per service, however
    many runners wait."""
    by_service = {}
    for entry in entries:
        by_service.setdefault(entry.service_id, entry.service)
    slots = defaultdict(list)
    for service in by_service.values():
        service.clinic = clinic
        for slot in availability(service=service, start_date=day, end_date=day).slots:
            slots[service.pk].append(slot)
    tz = clinic.tz
    for entry in entries:
        entry.times = [
            (
                f"{slot.therapist_id}|{slot.start.astimezone(tz).isoformat()}",
                f"{slot.start.astimezone(tz):%H:%M} · {names.get(slot.therapist_id, '')}",
            )
            for slot in slots[entry.service_id]
            if (entry.therapist_id is None or slot.therapist_id == entry.therapist_id)
            and slot.start.astimezone(tz).time() >= entry.earliest
            and slot.end.astimezone(tz).time() <= entry.latest
            and slot.end.astimezone(tz).date() == day
        ]


def _aware(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


@staff_required
def waitlist_day(request):
    clinic, _therapist = context_clinic_and_therapist(request)
    today = clinic_today(clinic)
    day = date_param(request, "date", today)
    entries = list(
        waitlist.waiting(permissions.scope(WaitlistEntry.objects.all(), request.user))
        .filter(clinic=clinic, first_day__lte=day, last_day__gte=day)
        .select_related("runner__user", "service", "therapist")
        .order_by("joined_at", "pk")
    )
    if day >= today and entries:
        names = dict(Therapist.objects.filter(clinic=clinic).values_list("pk", "display_name"))
        _times_for(entries, day, clinic, names)
    return render(
        request,
        "staff/waitlist.html",
        {
            "clinic": clinic,
            "entries": entries,
            "day": day,
            "today": today,
            "prev": day - timedelta(days=1),
            "next": day + timedelta(days=1),
        },
    )


@staff_required
@require_POST
def waitlist_offer(request, pk: int):
    scoped = waitlist.waiting(permissions.scope(WaitlistEntry.objects.all(), request.user))
    entry = get_object_or_404(scoped.select_related("runner", "service__clinic"), pk=pk)
    day = request.POST.get("date", "")
    back = reverse("staff:waitlist") + (f"?date={day}" if day else "")
    therapist_id, _bar, start_text = request.POST.get("slot", "").partition("|")
    therapist = (
        Therapist.objects.filter(clinic_id=entry.clinic_id, pk=therapist_id).first()
        if therapist_id.isdigit()
        else None
    )
    start = _aware(start_text)
    if therapist is None or start is None:
        messages.error(request, _("Pick one of the times offered."))
        return redirect(back)
    try:
        waitlist.offer_by_hand(entry=entry, therapist=therapist, start=start, by=request.user)
    except (waitlist.WaitlistError, BookingError) as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(
            request,
            _("Offered to %(runner)s: they get an e-mail with a link to claim it.")
            % {"runner": entry.runner},
        )
    return redirect(back)
