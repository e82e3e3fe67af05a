"""The runner's pages: profile, race log (with .ics import) and the self-care library.

Views parse, call a service and render; the rules live in services and the engine.
"""

import zoneinfo
from dataclasses import dataclass, field
from datetime import date, datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from clinic.device_views import devices_context
from clinic.i18n import set_language_cookie
from clinic.models import Clinic, RaceWindow
from clinic.policy import Policy
from runners import race_checks, selectors, services
from runners.decorators import runner_required
from runners.forms import IcsUploadForm, ProfileForm, RaceForm, format_duration, race_zone
from runners.ics_import import Candidate, IcsError, parse_ics
from runners.models import Race, Runner
from runners.selfcare import ROUTINES

IMPORT_SESSION_KEY = "race_import_preview"


def _runner_tz(runner: Runner) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(runner.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


@runner_required
@require_http_methods(["GET", "POST"])
def profile(request):
    runner = request.runner
    user = request.user
    initial = {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "language": user.language,
        "phone": runner.phone,
        "timezone": runner.timezone,
        "cadence": runner.cadence,
        "reminders_opt_in": runner.reminders_opt_in,
        "preferred_therapist": runner.preferred_therapist_id,
        "discomfort_areas": runner.discomfort_areas,
        "health_notes": runner.health_notes,
    }
    form = ProfileForm(request.POST or None, initial=initial, clinic=runner.clinic)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.runner_update_profile(
                runner=runner,
                user_fields={k: data[k] for k in ("first_name", "last_name", "language")},
                phone=data["phone"],
                timezone=data["timezone"],
                cadence=data["cadence"],
                reminders_opt_in=data["reminders_opt_in"],
                preferred_therapist=data["preferred_therapist"],
                discomfort_areas=data["discomfort_areas"],
                health_notes=data["health_notes"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            translation.activate(data["language"])
            messages.success(request, _("Your profile is saved."))
            response = redirect("runners:profile")
            set_language_cookie(response, data["language"])
            return response
    return render(
        request,
        "runners/profile.html",
        {"form": form, "runner": runner, **devices_context(request)},
    )


@dataclass
class RaceRow:
    race: Race
    blocks_from: datetime
    blocks_until: datetime
    last_day: date  # the last day for a massage before it (race's zone)
    rest_days: int
    ideal_day: date  # the day after the finish day, or later for a long window
    # Booked sessions this race now clashes with: [{"session", "start", "code", "detail"}].
    affected: list = field(default_factory=list)


def _race_windows(races: list[Race], clinic: Clinic | None) -> list[RaceRow]:
    """The time each race keeps free of massages, as the booking rules decide it
    (clinic.policy): the clinic's default window widened by its matching race-window
    rules. A runner without a home clinic sees the windows a new clinic starts with."""
    if clinic is None:
        policy = Policy.from_clinic(Clinic())
    else:
        policy = Policy.from_clinic(clinic, RaceWindow.objects.filter(clinic=clinic))
    rows = []
    affected = race_checks.affected_sessions(races)
    for race in races:
        window = policy.forbidden_window(race)
        rows.append(
            RaceRow(
                race=race,
                blocks_from=window.starts,
                blocks_until=window.ends,
                last_day=window.last_day,
                rest_days=window.rest_days_before,
                ideal_day=window.ideal_day,
                affected=affected.get(race.pk, []),
            )
        )
    return rows


@runner_required
def race_list(request):
    runner = request.runner
    now = timezone.now()
    races = list(selectors.races_for(runner))
    upcoming = [r for r in races if r.finish >= now]
    past = [r for r in races if r.finish < now][::-1]
    return render(
        request,
        "runners/race_list.html",
        {
            "runner": runner,
            "upcoming": _race_windows(upcoming, runner.clinic),
            "past": past,
            "tz": runner.timezone,
        },
    )


def _save_race(request, form, race: Race | None):
    fields = form.race_fields()
    try:
        if race is None:
            race = services.race_create(runner=request.runner, **fields)
        else:
            if fields["finish"] is None:
                fields.pop("finish")
            race = services.race_update(race=race, **fields)
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return None
    return race


@runner_required
@require_http_methods(["GET", "POST"])
def race_add(request):
    tz = _runner_tz(request.runner)
    form = RaceForm(request.POST or None, initial={"timezone": tz.key}, tz=tz)
    if request.method == "POST" and form.is_valid():
        race = _save_race(request, form, None)
        if race is not None:
            messages.success(request, _("%(race)s is in your race log.") % {"race": race.name})
            return redirect("runners:races")
    return render(request, "runners/race_form.html", {"form": form, "tz": tz.key})


def _own_race(request, pk: int) -> Race:
    # Another runner's race is simply not found: no hint that it exists.
    return get_object_or_404(Race, pk=pk, runner=request.runner)


@runner_required
@require_http_methods(["GET", "POST"])
def race_edit(request, pk: int):
    race = _own_race(request, pk)
    tz = _runner_tz(request.runner)
    # The start is shown and read in the race's own zone (a marathon abroad).
    local_start = race.start.astimezone(race_zone(race.timezone, tz))
    initial = {
        "name": race.name,
        "start": local_start.replace(tzinfo=None),
        "timezone": race.timezone,
        "distance_km": race.distance_km,
        "duration": format_duration(race.finish - race.start),
        "priority": race.priority,
        "location": race.location,
    }
    form = RaceForm(request.POST or None, initial=initial, tz=tz)
    if request.method == "POST" and form.is_valid():
        if _save_race(request, form, race) is not None:
            messages.success(request, _("%(race)s is updated.") % {"race": race.name})
            return redirect("runners:races")
    return render(request, "runners/race_form.html", {"form": form, "race": race, "tz": tz.key})


@runner_required
@require_http_methods(["GET", "POST"])
def race_delete(request, pk: int):
    race = _own_race(request, pk)
    if request.method == "POST":
        name = race.name
        services.race_delete(race=race)
        messages.success(request, _("%(race)s is removed from your log.") % {"race": name})
        return redirect("runners:races")
    return render(request, "runners/race_confirm_delete.html", {"race": race})


@runner_required
@require_http_methods(["GET", "POST"])
def race_import(request):
    runner = request.runner
    tz = _runner_tz(runner)
    form = IcsUploadForm(request.POST or None, request.FILES or None)
    error = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        existing = {
            (name.casefold(), start)
            for name, start in selectors.races_for(runner).values_list("name", "start")
        }
        try:
            candidates = parse_ics(upload.read(), tz=tz, now=timezone.now(), existing=existing)
        except IcsError as exc:
            error = exc
        else:
            request.session[IMPORT_SESSION_KEY] = [c.as_json() for c in candidates]
            return redirect("runners:race_import_preview")
    return render(request, "runners/race_import.html", {"form": form, "error": error})


@runner_required
@require_http_methods(["GET", "POST"])
def race_import_preview(request):
    raw = request.session.get(IMPORT_SESSION_KEY)
    if not raw:
        messages.info(request, _("Upload a calendar file first."))
        return redirect("runners:race_import")
    candidates = [Candidate.from_json(c) for c in raw]
    if request.method == "POST":
        chosen = set(request.POST.getlist("pick"))
        created = len(
            services.races_import(
                runner=request.runner,
                candidates=[
                    {
                        "name": c.name,
                        "start": c.start,
                        "finish": c.finish,
                        "distance_km": c.distance_km,
                        "location": c.location,
                        "timezone": c.timezone or request.runner.timezone,
                    }
                    for index, c in enumerate(candidates)
                    if not c.problem and str(index) in chosen
                ],
            )
        )
        del request.session[IMPORT_SESSION_KEY]
        if created:
            messages.success(request, _("Races imported: %(count)s.") % {"count": created})
        else:
            messages.info(request, _("No races were imported."))
        return redirect("runners:races")
    rows = list(enumerate(candidates))
    return render(
        request,
        "runners/race_import_preview.html",
        {
            "rows": rows,
            "tz": request.runner.timezone,
            "importable": any(not c.problem for c in candidates),
        },
    )


@require_POST
@runner_required
def race_import_cancel(request):
    request.session.pop(IMPORT_SESSION_KEY, None)
    return HttpResponseRedirect(reverse("runners:races"))


def selfcare(request):
    return render(request, "runners/selfcare.html", {"routines": ROUTINES})
