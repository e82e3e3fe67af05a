"""Runner-only pages: a logged-in user with the runner role, with their profile at hand."""

from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import resolve_url

from runners.services import runner_get_or_create


def runner_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_runner:
            # Staff have their own pages; a runner page would mean nothing to them.
            raise PermissionDenied
        request.runner = runner_get_or_create(user=request.user)
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
