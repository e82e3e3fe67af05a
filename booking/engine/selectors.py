"""Sessions scoped to the requester: a runner sees their own, a clinic's staff their
clinic's, a superuser all."""

from __future__ import annotations

from django.db.models import QuerySet

from booking.models import Session
from clinic.permissions import Actor, scope, staff_clinic_ids_or_403


def sessions_for(user: Actor) -> QuerySet[Session]:
    """A runner: their own; a therapist: their clinic's; a clinic admin: their clinic's;
    a superuser: all; anyone else: none."""
    qs = Session.objects.select_related("runner__user", "therapist", "service", "clinic")
    return scope(qs, user)


def staff_sessions(user: Actor) -> QuerySet[Session]:
    """Sessions of the clinics the user works for (PermissionDenied for non-staff)."""
    ids = staff_clinic_ids_or_403(user)
    qs = Session.objects.all()
    return qs if ids is None else qs.filter(clinic_id__in=ids)
