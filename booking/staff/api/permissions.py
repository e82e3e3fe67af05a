"""Who may use the staff API (clinic.permissions decides; rows are scoped by the selectors,
a row of another clinic being a 404)."""

from rest_framework import permissions

from clinic import permissions as roles


class IsClinicStaff(permissions.BasePermission):
    """A therapist, a clinic admin or a superuser, with usable powers."""

    def has_permission(self, request, view) -> bool:
        return roles.is_clinic_staff(request.user)


class IsClinicAdmin(permissions.BasePermission):
    """A clinic admin or a superuser (the attendance report)."""

    def has_permission(self, request, view) -> bool:
        return roles.is_clinic_admin(request.user)
