"""Runner-only pages: a logged-in user with the runner role, with their profile at hand.

A GET never writes: an account without its runner profile (sign-up makes one) gets the
page that asks for its clinic; the profile is made on that page's POST, or on a first POST
when there is only one clinic to choose.
"""

from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render, resolve_url

from clinic import permissions
from clinic.models import Clinic
from runners.selectors import NoRunnerProfile, runner_of
from runners.services import runner_get_or_create

CLINIC_FIELD = "runner_clinic"


def _profile_or_ask(request):
    """The runner's profile, or the response that asks for it (or follows its making)."""
    runner = runner_of(request.user)
    if runner is not None:
        return runner, None
    clinics = Clinic.objects.order_by("name")
    if request.method == "POST":
        chosen_id = request.POST.get(CLINIC_FIELD, "")
        chosen = clinics.filter(pk=int(chosen_id)).first() if chosen_id.isdigit() else None
        try:
            runner = runner_get_or_create(user=request.user, clinic=chosen)
        except NoRunnerProfile:
            runner = None
        if runner is not None:
            # The clinic page's own POST is done: show the page the runner asked for.
            return runner, redirect(
                request.get_full_path()
            ) if CLINIC_FIELD in request.POST else None
    if request.headers.get("HX-Request"):
        # A fragment request: the whole page asks for the clinic instead.
        response = HttpResponse(status=204)
        response["HX-Redirect"] = request.headers.get("HX-Current-URL") or request.get_full_path()
        return None, response
    return None, render(request, "runners/choose_clinic.html", {"clinics": clinics})


def runner_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not permissions.is_runner(request.user):
            # Staff have their own pages; a runner page would mean nothing to them.
            raise PermissionDenied
        runner, response = _profile_or_ask(request)
        if response is not None:
            return response
        request.runner = runner
        return view(request, *args, **kwargs)

    guarded = login_required(wrapper)

    @wraps(view)
    def entry(request, *args, **kwargs):
        if request.headers.get("HX-Request") and not request.user.is_authenticated:
            # The session expired while the page was open: a redirect would swap the
            # login form into a fragment; send the whole page to log in instead.
            page = request.headers.get("HX-Current-URL") or request.get_full_path()
            login = resolve_url(settings.LOGIN_URL)
            response = HttpResponse(status=204)
            response["HX-Redirect"] = f"{login}?{urlencode({REDIRECT_FIELD_NAME: page})}"
            return response
        return guarded(request, *args, **kwargs)

    return entry
