"""Reads of the clinic domain: the public catalogue, a therapist's weekly hours, and the
clinics and therapists a staff member may open.

The staff lookups answer 404 for an object of another clinic, so ids do not leak; a
colleague's schedule is a 403 (clinic.permissions decides who may do what).
"""

from collections import defaultdict
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from clinic import permissions
from clinic.models import Clinic, ScheduleChange, Service, Therapist, WorkingHours
from clinic.permissions import Actor


def public_catalogue() -> dict[str, list[Clinic]]:
    """Clinics with their active services and therapists, in three queries."""
    clinics = Clinic.objects.order_by("name").prefetch_related(
        Prefetch("services", queryset=Service.objects.filter(active=True)),
        Prefetch("therapists", queryset=Therapist.objects.filter(active=True)),
    )
    return {"clinics": list(clinics)}


def week_hours(*, therapist: Therapist, on: date) -> dict[int, list[WorkingHours]]:
    rows = (
        WorkingHours.objects.filter(therapist=therapist)
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=on))
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gt=on))
        .order_by("weekday", "start_time")
    )
    out: dict[int, list[WorkingHours]] = defaultdict(list)
    for r in rows:
        out[r.weekday].append(r)
    return out


def planned_changes(*, therapist: Therapist, after: date) -> list[date]:
    """Dates after `after` from which other hours are planned."""
    return sorted(
        {
            day
            for day in WorkingHours.objects.filter(
                therapist=therapist, valid_from__gt=after
            ).values_list("valid_from", flat=True)
            if day is not None
        }
    )


def clinics_for(user: Actor) -> QuerySet[Clinic]:
    ids = permissions.staff_clinic_ids_or_403(user)
    qs = Clinic.objects.order_by("name")
    return qs if ids is None else qs.filter(pk__in=ids)


def clinic_for_staff(user: Actor, clinic_id: int | str) -> Clinic:
    """A clinic the user may report on (admins), or 404."""
    permissions.require_clinic_admin(user)
    try:
        clinic = Clinic.objects.get(pk=int(clinic_id))
    except (Clinic.DoesNotExist, TypeError, ValueError):
        raise Http404 from None
    ids = permissions.staff_clinic_ids_or_403(user)
    if ids is not None and clinic.pk not in ids:
        raise Http404
    return clinic


def default_clinic(user: Actor) -> Clinic | None:
    return clinics_for(user).first()


def therapist_for_staff(user: Actor, therapist_id: int | str) -> Therapist:
    """A therapist of one of the user's clinics, or 404."""
    ids = permissions.staff_clinic_ids_or_403(user)
    qs = Therapist.objects.select_related("clinic", "user")
    if ids is not None:
        qs = qs.filter(clinic_id__in=ids)
    try:
        return qs.get(pk=int(therapist_id))
    except (Therapist.DoesNotExist, TypeError, ValueError):
        raise Http404 from None


def therapist_for_schedule(user: Actor, therapist_id: int | str) -> Therapist:
    """A therapist whose schedule the user may see and change: their own, or (clinic admin)
    any of their clinic. Another clinic's therapist is 404; a colleague is 403."""
    therapist = therapist_for_staff(user, therapist_id)
    if not permissions.may_change_schedule(user, therapist):
        raise PermissionDenied
    return therapist


def _describe(change: ScheduleChange, record: dict | None) -> str:
    if not record:
        return "—"
    if change.kind == ScheduleChange.Kind.TIME_OFF:
        reason = f" ({record['reason']})" if record.get("reason") else ""
        return f"{record['start']} – {record['end']}{reason}"
    days = [
        f"{WorkingHours.Weekday(int(day)).label}: {', '.join(ranges)}"
        for day, ranges in sorted(record.get("hours", {}).items())
    ]
    text = "; ".join(days) or str(_("no hours"))
    if record.get("from"):
        text += " · " + str(_("from %(day)s") % {"day": record["from"]})
    return text


def schedule_changes(*, therapist: Therapist, limit: int = 20) -> list[tuple]:
    """The therapist's latest schedule changes: (change, before, after) as text. One query."""
    changes = therapist.schedule_changes.select_related("by").order_by("-at", "-id")[:limit]
    return [(c, _describe(c, c.before), _describe(c, c.after)) for c in changes]
