from django.utils.translation import gettext_lazy as _
from rest_framework import permissions

from clinic import permissions as roles


class IsRunner(permissions.BasePermission):
    """The runner-facing endpoints (profile, race log): runners only."""

    message = _("This part of the API is for runners.")
    code = "runners_only"

    def has_permission(self, request, view) -> bool:
        return roles.is_runner(request.user)
