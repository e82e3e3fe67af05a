"""Who on the staff may see what, for the staff pages (roles and clinics: clinic.permissions).

- a therapist: their clinic's sessions; only their own schedule; no reports;
- a clinic admin: everything of their clinic;
- a superuser: every clinic;
- anyone else (runners): nothing (403).
Objects of another clinic are reported as not found (404), so ids do not leak.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from clinic import permissions
from clinic.models import Clinic, Therapist

# The roles and their clinics are decided in clinic.permissions.
is_staff_member = permissions.is_staff_member
own_therapist = permissions.own_therapist
is_admin = permissions.is_clinic_admin


def staff_clinic_ids(user) -> list[int] | None:
    """The clinics the user works for; None means all (superuser). PermissionDenied if none."""
    if not is_staff_member(user):
        raise PermissionDenied
    return permissions.clinic_ids(user)


def clinics_for(user):
    ids = staff_clinic_ids(user)
    qs = Clinic.objects.order_by("name")
    return qs if ids is None else qs.filter(pk__in=ids)


def require_staff(user) -> None:
    if not is_staff_member(user):
        raise PermissionDenied


def require_admin(user) -> None:
    if not is_admin(user):
        raise PermissionDenied


def visible_clinic(user, clinic_id) -> Clinic:
    """A clinic the user may report on (admins), or 404."""
    require_admin(user)
    try:
        clinic = Clinic.objects.get(pk=int(clinic_id))
    except (Clinic.DoesNotExist, TypeError, ValueError):
        raise Http404 from None
    ids = staff_clinic_ids(user)
    if ids is not None and clinic.pk not in ids:
        raise Http404
    return clinic


def default_clinic(user) -> Clinic | None:
    return clinics_for(user).first()


def visible_therapist(user, therapist_id) -> Therapist:
    """A therapist of one of the user's clinics, or 404."""
    ids = staff_clinic_ids(user)
    qs = Therapist.objects.select_related("clinic", "user")
    if ids is not None:
        qs = qs.filter(clinic_id__in=ids)
    try:
        return qs.get(pk=int(therapist_id))
    except (Therapist.DoesNotExist, TypeError, ValueError):
        raise Http404 from None


def schedule_editable_therapist(user, therapist_id) -> Therapist:
    """A therapist whose schedule the user may see and change: their own, or (clinic admin)
    any of their clinic. Another clinic's therapist is 404; a colleague is 403."""
    therapist = visible_therapist(user, therapist_id)
    if is_admin(user):
        return therapist
    if therapist.user_id != user.pk:
        raise PermissionDenied
    return therapist
