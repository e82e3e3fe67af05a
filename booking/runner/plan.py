"""The runner's "Plan my season" page: the proposals of booking.engine.plan, all
checked, booked in one tap ("Book all" or "Book selected"), without JavaScript. The URL
name `booking:plan` is stable (other pages link to it)."""

import uuid
from datetime import datetime

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from booking.engine import conflicts
from booking.engine import plan as season
from booking.engine.exceptions import IdempotencyKeyReused
from booking.models import Session
from clinic.models import Service, Therapist
from runners.decorators import runner_required

BOOK_ALL = "all"


def parse_choice(value: str) -> tuple[int, int, datetime] | None:
    """A proposal's form value back: (service id, therapist id, start), or None."""
    parts = value.split(":", 2)
    if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit():
        return None
    try:
        start = datetime.fromisoformat(parts[2])
    except ValueError:
        return None
    if start.tzinfo is None:
        return None
    return int(parts[0]), int(parts[1]), start


def _chosen(values: list[str]) -> list[tuple[Service, Therapist, object]]:
    """The form's proposals back as (service, therapist, start), in two queries; values
    that do not parse or name nothing are left out."""
    parsed = [c for c in (parse_choice(v) for v in values[: season.MAX_PROPOSALS]) if c]
    services = Service.objects.select_related("clinic").in_bulk({c[0] for c in parsed})
    therapists = Therapist.objects.select_related("clinic").in_bulk({c[1] for c in parsed})
    return [
        (services[s], therapists[t], start)
        for s, t, start in parsed
        if s in services and t in therapists
    ]


@runner_required
@require_http_methods(["GET", "POST"])
def plan_page(request):
    runner = request.runner
    if request.method == "POST":
        which = "offer" if request.POST.get("book") == BOOK_ALL else "pick"
        chosen = _chosen(request.POST.getlist(which))
        if not chosen:
            messages.info(request, _("Tick at least one session to book."))
            return redirect("booking:plan")
        token = (request.POST.get("token") or "")[:64] or None
        try:
            result = season.plan_book(
                runner=runner, chosen=chosen, by=request.user, idempotency_key=token
            )
        except IdempotencyKeyReused:
            messages.info(request, _("You had already booked this plan with this form."))
            return redirect("booking:my_sessions")
        return render(
            request,
            "booking/plan_result.html",
            {"result": result, "clinic": chosen[0][0].clinic},
        )
    plan = season.season_plan(runner)
    now = timezone.now()
    upcoming = list(
        Session.objects.filter(runner=runner, status=Session.Status.BOOKED, end__gt=now)
        .select_related("clinic", "service")
        .order_by("start")
    )
    found = conflicts.conflicts_for_sessions(upcoming, now=now)
    clashing = [(s, found[s.pk]) for s in upcoming if found.get(s.pk)]
    rows = [
        {
            "proposal": p,
            "service": plan.services[p.service_id].name,
            "therapist": plan.therapists.get(p.therapist_id, ""),
        }
        for p in plan.proposals
    ]
    return render(
        request,
        "booking/plan.html",
        {
            "plan": plan,
            "rows": rows,
            "clashing": clashing,
            "runner": runner,
            "token": uuid.uuid4().hex,
        },
    )
