"""Runner-only pages: a logged-in user with the runner role, with their profile at hand."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from .services import runner_get_or_create


def runner_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_runner:
            # Staff have their own pages; a runner page would mean nothing to them.
            raise PermissionDenied
        request.runner = runner_get_or_create(user=request.user)
        return view(request, *args, **kwargs)

    return login_required(wrapper)
