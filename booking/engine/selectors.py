"""Sessions scoped to the requester: a runner sees their own, a clinic's staff their
clinic's, a superuser all."""

from __future__ import annotations

from django.db.models import QuerySet

from booking.models import Session
from clinic.permissions import staff_clinic_ids_or_403


def sessions_for(user) -> QuerySet[Session]:
    """A runner: their own; a therapist: their clinic's; a clinic admin: their clinic's;
    a superuser: all; anyone else: none."""
    qs = Session.objects.select_related("runner__user", "therapist", "service", "clinic")
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if user.is_superuser:
        return qs
    if user.role == user.Role.THERAPIST:
        # A join, not a lookup now: the queryset stays lazy (one query when listed).
        return qs.filter(clinic__therapists__user=user)
    if user.role == user.Role.CLINIC_ADMIN:
        return qs.filter(clinic_id=user.clinic_id) if user.clinic_id else qs.none()
    if user.role == user.Role.RUNNER:
        return qs.filter(runner__user=user)
    return qs.none()


def staff_sessions(user) -> QuerySet[Session]:
    """Sessions of the clinics the user works for (PermissionDenied for non-staff)."""
    ids = staff_clinic_ids_or_403(user)
    qs = Session.objects.all()
    return qs if ids is None else qs.filter(clinic_id__in=ids)
