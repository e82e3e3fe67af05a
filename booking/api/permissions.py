"""Who may do what in the booking API. Which rows they reach is scoped separately, by
booking.engine.selectors.sessions_for (a session outside the scope is a 404, never a 403, so
its existence does not leak)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions

from clinic import permissions as roles


class CanBook(permissions.BasePermission):
    """Runners, therapists and clinic admins use the booking API."""

    message = _("Your account cannot book sessions.")
    code = "permission_denied"

    def has_permission(self, request, view) -> bool:
        # A therapist without a profile or an admin without a clinic is neither.
        return roles.may_use_booking_api(request.user)


class IsRunner(permissions.BasePermission):
    """A runner's own plan: staff plan nothing for a runner here (they book for them)."""

    message = _("Only runners have a season plan.")
    code = "runners_only"

    def has_permission(self, request, view) -> bool:
        return roles.is_runner(request.user)
