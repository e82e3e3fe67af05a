"""The runner's training log: add one in a few taps, see which count as demanding (and
what that means for a massage), import a watch or app export with a preview.

Views parse, call a service and render; "demanding" is clinic.policy's decision
(runners.selectors.demanding_reasons_for), the clashes runners.race_checks'."""

import zoneinfo
from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from runners import race_checks, selectors, services
from runners.activity_import import Activity, parse_upload
from runners.decorators import runner_required
from runners.models import Runner, Training
from runners.training_forms import ActivityUploadForm, TrainingForm
from runners.uploads import UploadError

IMPORT_SESSION_KEY = "training_import_preview"
SHOWN_DAYS = 28
REASONS = {
    "flag": gettext_lazy("you marked it demanding"),
    "rpe": gettext_lazy("hard effort (RPE)"),
    "kind": gettext_lazy("a quality session"),
    "long": gettext_lazy("long for you"),
    "far": gettext_lazy("far for you"),
}


def _tz(runner: Runner) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(runner.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def _own(request, pk: int) -> Training:
    return get_object_or_404(selectors.trainings_for(request.runner), pk=pk)


def _save(request, form: TrainingForm, training: Training | None = None) -> Training | None:
    try:
        if training is None:
            return services.training_create(runner=request.runner, **form.training_fields())
        return services.training_update(training=training, **form.training_fields())
    except ValidationError as exc:
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    return None


@runner_required
@require_http_methods(["GET", "POST"])
def training_list(request):
    runner = request.runner
    tz = _tz(runner)
    now = timezone.now()
    initial = {"start": now.astimezone(tz).replace(second=0, microsecond=0, tzinfo=None)}
    form = TrainingForm(request.POST or None, initial=initial, tz=tz)
    if request.method == "POST" and form.is_valid():
        training = _save(request, form)
        if training is not None:
            messages.success(request, _("Training saved."))
            return redirect("runners:trainings")
    trainings = list(
        selectors.trainings_for(runner)
        .filter(start__gte=now - timedelta(days=SHOWN_DAYS))
        .select_related("runner__clinic")
    )
    reasons = selectors.demanding_reasons_for(trainings)
    affected = race_checks.training_affected_sessions([t for t in trainings if reasons.get(t.pk)])
    rows = [
        {
            "training": t,
            "reason": REASONS.get(reasons.get(t.pk, ""), ""),
            "affected": affected.get(t.pk, []),
        }
        for t in trainings
    ]
    return render(
        request,
        "runners/training_list.html",
        {
            "form": form,
            "planned": [r for r in reversed(rows) if r["training"].planned],
            "done": [r for r in rows if not r["training"].planned],
            "tz": tz.key,
            "after_hours": runner.clinic.after_training_hours if runner.clinic else 6,
        },
    )


@runner_required
@require_http_methods(["GET", "POST"])
def training_edit(request, pk: int):
    training = _own(request, pk)
    tz = _tz(request.runner)
    initial = {
        "kind": training.kind,
        "start": training.start.astimezone(tz).replace(tzinfo=None),
        "minutes": training.minutes,
        "distance_km": training.distance_km,
        "rpe": training.rpe,
        "hard": training.hard,
        "planned": training.planned,
        "name": training.name,
    }
    form = TrainingForm(request.POST or None, initial=initial, tz=tz)
    if request.method == "POST" and form.is_valid() and _save(request, form, training):
        messages.success(request, _("Training updated."))
        return redirect("runners:trainings")
    return render(
        request, "runners/training_form.html", {"form": form, "training": training, "tz": tz.key}
    )


@runner_required
@require_POST
def training_delete(request, pk: int):
    services.training_delete(training=_own(request, pk))
    messages.success(request, _("Training removed from your log."))
    return redirect("runners:trainings")


@runner_required
@require_http_methods(["GET", "POST"])
def training_import(request):
    runner = request.runner
    form = ActivityUploadForm(request.POST or None, request.FILES or None)
    error = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            found = parse_upload(
                upload.name,
                upload.read(),
                runner_tz=_tz(runner),
                existing=selectors.existing_training_starts(runner),
            )
        except UploadError as exc:
            error = exc
        else:
            request.session[IMPORT_SESSION_KEY] = [a.as_json() for a in found]
            return redirect("runners:training_import_preview")
    return render(request, "runners/training_import.html", {"form": form, "error": error})


@runner_required
@require_http_methods(["GET", "POST"])
def training_import_preview(request):
    raw = request.session.get(IMPORT_SESSION_KEY)
    if not raw:
        messages.info(request, _("Upload a file first."))
        return redirect("runners:training_import")
    found = [Activity.from_json(a) for a in raw]
    if request.method == "POST":
        chosen = set(request.POST.getlist("pick"))
        items = [
            a.training_fields()
            for index, a in enumerate(found)
            if not a.problem and str(index) in chosen
        ]
        try:
            created = services.trainings_import(runner=request.runner, items=items)
        except ValidationError:
            created = []
        del request.session[IMPORT_SESSION_KEY]
        if created:
            messages.success(request, _("Trainings imported: %(count)s.") % {"count": len(created)})
        else:
            messages.info(request, _("No trainings were imported."))
        return redirect("runners:trainings")
    return render(
        request,
        "runners/training_import_preview.html",
        {
            "rows": list(enumerate(found)),
            "tz": request.runner.timezone,
            "importable": any(not a.problem for a in found),
        },
    )


@require_POST
@runner_required
def training_import_cancel(request):
    request.session.pop(IMPORT_SESSION_KEY, None)
    return HttpResponseRedirect(reverse("runners:trainings"))
