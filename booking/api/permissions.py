"""Who may do what in the booking API. Which rows they reach is scoped separately, by
booking.engine.selectors.sessions_for (a session outside the scope is a 404, never a 403, so
its existence does not leak)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions

from clinic import permissions as roles


def staff_clinic_id(user) -> int | None:
    """The clinic a staff member works for; None for a superuser (every clinic), -1 (no
    clinic at all) for anyone else."""
    ids = roles.clinic_ids(user)
    if ids is None:
        return None
    return ids[0] if ids else -1


def in_staff_scope(user, clinic_id: int) -> bool:
    return roles.acts_for_clinic(user, clinic_id)


class CanBook(permissions.BasePermission):
    """Runners, therapists and clinic admins use the booking API."""

    message = _("Your account cannot book sessions.")
    code = "permission_denied"

    def has_permission(self, request, view) -> bool:
        # A therapist without a profile or an admin without a clinic is neither.
        return roles.may_use_booking_api(request.user)
