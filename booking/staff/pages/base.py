"""What the staff pages share: the staff and admin decorators, the clinic's "today",
date parameters, and the clinic and therapist a page is about."""

from datetime import date
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.utils import timezone

from clinic import permissions, selectors
from clinic.models import Therapist


def staff_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        permissions.require_clinic_staff(request.user)
        try:
            return view(request, *args, **kwargs)
        finally:
            timezone.deactivate()

    return wrapper


def admin_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        permissions.require_clinic_admin(request.user)
        try:
            return view(request, *args, **kwargs)
        finally:
            timezone.deactivate()

    return wrapper


def clinic_today(clinic) -> date:
    # Pages show the clinic's wall-clock time (the decorators reset it after the view).
    timezone.activate(clinic.tz)
    return timezone.now().astimezone(clinic.tz).date()


def date_param(request, name: str, default: date) -> date:
    try:
        return date.fromisoformat(request.GET.get(name, ""))
    except ValueError:
        return default


def context_clinic_and_therapist(request):
    """The clinic and therapist an agenda or schedule page is about: a therapist's own by
    default; ?therapist= for a colleague's agenda or (admins) any therapist of the clinic."""
    user = request.user
    own = permissions.own_therapist(user)
    if request.GET.get("therapist"):
        therapist = selectors.therapist_for_staff(user, request.GET["therapist"])
        return therapist.clinic, therapist
    if own is not None:
        return own.clinic, own
    if request.GET.get("clinic"):
        return selectors.clinic_for_staff(user, request.GET["clinic"]), None
    clinic = selectors.default_clinic(user)
    if clinic is None:
        raise Http404
    return clinic, None


def clinic_therapists(user, clinic):
    """The clinic's active therapists, as far as the user may see them."""
    therapists = Therapist.objects.filter(clinic=clinic, active=True).order_by("display_name")
    return permissions.scope(therapists, user)


def therapist_query(therapist) -> str:
    return f"&therapist={therapist.pk}" if therapist else ""
