"""Who may do what in the booking API. Which rows they reach is scoped separately, by
booking.selectors.sessions_for (a session outside the scope is a 404, never a 403, so
its existence does not leak)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions

from clinic.models import User

BOOKING_ROLES = {User.Role.RUNNER, User.Role.THERAPIST, User.Role.CLINIC_ADMIN}


def is_staff_member(user) -> bool:
    """A therapist, a clinic admin or a superuser: books for runners, may override."""
    return bool(
        user.is_authenticated
        and (user.is_superuser or user.role in (User.Role.THERAPIST, User.Role.CLINIC_ADMIN))
    )


def staff_clinic_id(user) -> int | None:
    """The clinic a staff member works for; None for a superuser (every clinic)."""
    if user.is_superuser:
        return None
    if user.role == User.Role.THERAPIST:
        therapist = getattr(user, "therapist", None)
        return therapist.clinic_id if therapist is not None else -1
    return user.clinic_id if user.clinic_id is not None else -1


def in_staff_scope(user, clinic_id: int) -> bool:
    scope = staff_clinic_id(user)
    return scope is None or scope == clinic_id


class CanBook(permissions.BasePermission):
    """Runners, therapists and clinic admins use the booking API."""

    message = _("Your account cannot book sessions.")
    code = "permission_denied"

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(
            user and user.is_authenticated and (user.is_superuser or user.role in BOOKING_ROLES)
        )
