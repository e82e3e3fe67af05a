"""Who may do what, and in which clinics: the one place that answers.

- a superuser acts on every clinic;
- a clinic admin (the role, with the clinic they manage) acts on that clinic;
- a therapist (the role, with a therapist profile) works at one clinic;
- a runner acts on their own data only;
- an inactive or anonymous user acts on nothing.

The staff pages, the runner pages, the API permissions, the booking services, the
selectors and the Django admin ask here; scoping a queryset to the requester is `scope`,
for every model the admin shows. A model this module does not know is nobody's but a
superuser's. The role groups (what a clinic admin may do in the Django admin) live here too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.contrib.auth.models import AnonymousUser, Group, Permission
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from clinic.models import Therapist, User

# Whom a question is about: request.user (a User or an AnonymousUser), or None.
Actor = User | AnonymousUser | None

SUPERUSER = "superuser"
CLINIC_ADMIN = User.Role.CLINIC_ADMIN
THERAPIST = User.Role.THERAPIST
RUNNER = User.Role.RUNNER


def own_therapist(user: Actor) -> Therapist | None:
    if not isinstance(user, User):
        return None
    try:
        return user.therapist
    except Therapist.DoesNotExist:
        return None


def role(user: Actor) -> str | None:
    """The one role a user acts in, or None: a clinic admin without a clinic, or a
    therapist without a profile, has no staff powers at all."""
    if not isinstance(user, User) or not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        return SUPERUSER
    if user.role == User.Role.CLINIC_ADMIN:
        return CLINIC_ADMIN if user.clinic_id else None
    if user.role == User.Role.THERAPIST:
        return THERAPIST if own_therapist(user) is not None else None
    if user.role == User.Role.RUNNER:
        return RUNNER
    return None


def is_clinic_admin(user: Actor) -> bool:
    """Manages a clinic (or, as a superuser, all of them)."""
    return role(user) in (SUPERUSER, CLINIC_ADMIN)


def is_therapist(user: Actor) -> bool:
    return role(user) == THERAPIST


def is_runner(user: Actor) -> bool:
    return role(user) == RUNNER


def is_superuser(user: Actor) -> bool:
    """An active superuser: every clinic, every door of the Django admin."""
    return role(user) == SUPERUSER


def is_clinic_staff(user: Actor) -> bool:
    """Works for a clinic, with usable powers: a therapist with their profile, a clinic
    admin with their clinic, or a superuser. (Django's `user.is_staff` flag is another
    thing: it only lets a clinic admin into the Django admin, see `may_use_admin`.)"""
    return role(user) in (SUPERUSER, CLINIC_ADMIN, THERAPIST)


def has_short_sign_ins(user: Actor) -> bool:
    """An account with any staff power, even one not usable right now (a therapist whose
    profile is missing): its sessions and tokens are short-lived. Not a permission."""
    return bool(
        isinstance(user, User)
        and user.is_authenticated
        and (
            user.is_staff
            or user.is_superuser
            or user.role in (User.Role.THERAPIST, User.Role.CLINIC_ADMIN)
        )
    )


def clinic_ids(user: Actor) -> list[int] | None:
    """The clinics a user acts on: None means every clinic (a superuser); a runner or
    anyone without a role has none."""
    current = role(user)
    if current == SUPERUSER:
        return None
    if current == CLINIC_ADMIN and isinstance(user, User) and user.clinic_id:
        return [user.clinic_id]
    therapist = own_therapist(user) if current == THERAPIST else None
    return [therapist.clinic_id] if therapist is not None else []


def acts_for_clinic(user: Actor, clinic_id: int) -> bool:
    """A therapist of the clinic, its admin, or a superuser."""
    if not is_clinic_staff(user):
        return False
    ids = clinic_ids(user)
    return ids is None or clinic_id in ids


def may_use_admin(user: Actor) -> bool:
    """The Django admin is for superusers and clinic admins with the staff flag.

    Therapists work on the staff pages (their agenda, hours, records); runners on theirs.
    """
    return bool(is_clinic_admin(user) and isinstance(user, User) and user.is_staff)


def may_change_schedule(user: Actor, therapist: Therapist) -> bool:
    """A therapist's hours, time off and sessions (book, move, cancel for them): the
    therapist themselves, or an admin of their clinic (or a superuser)."""
    if is_clinic_admin(user):
        return acts_for_clinic(user, therapist.clinic_id)
    return user is not None and therapist.user_id == user.pk


def may_use_booking_api(user: Actor) -> bool:
    """Runners book for themselves; a clinic's staff book for its runners. A half-made
    staff account (a therapist without a profile, an admin without a clinic) is neither."""
    return is_runner(user) or is_clinic_staff(user)


def may_override_race_rule(user: Actor, clinic_id: int) -> bool:
    """Only the clinic's own therapists and admins (and superusers) may let a race rule
    pass, with a written reason."""
    return acts_for_clinic(user, clinic_id)


def cancels_for_the_clinic(user: Actor, clinic_id: int) -> bool:
    """A cancellation by the clinic's own staff is never late: it must not count against
    the runner's attendance."""
    return acts_for_clinic(user, clinic_id)


def require_clinic_staff(user: Actor) -> None:
    """The staff pages' gate: PermissionDenied unless the user works for a clinic."""
    if not is_clinic_staff(user):
        raise PermissionDenied


def require_clinic_admin(user: Actor) -> None:
    if not is_clinic_admin(user):
        raise PermissionDenied


def staff_clinic_ids_or_403(user: Actor) -> list[int] | None:
    """The clinics the user works for; None means all (superuser). PermissionDenied if none."""
    if not is_clinic_staff(user):
        raise PermissionDenied
    return clinic_ids(user)


def users_visible_to(actor: Actor, queryset: QuerySet | None = None) -> QuerySet:
    """Whom a user may see as accounts: a superuser everyone; a clinic admin the people of
    their clinic (its admins, therapists and runners), never a superuser nor anyone who
    works for another clinic; anyone else only themselves."""
    queryset = User.objects.all() if queryset is None else queryset
    current = role(actor)
    if current is None or not isinstance(actor, User):
        return queryset.none()
    if current == SUPERUSER:
        return queryset
    if current != CLINIC_ADMIN:
        return queryset.filter(pk=actor.pk)
    cid = actor.clinic_id
    return (
        queryset.filter(Q(clinic_id=cid) | Q(therapist__clinic_id=cid) | Q(runner__clinic_id=cid))
        .exclude(is_superuser=True)
        .exclude(Q(clinic__isnull=False) & ~Q(clinic_id=cid))
        .exclude(Q(therapist__isnull=False) & ~Q(therapist__clinic_id=cid))
    )


def users_manageable_by(actor: Actor, queryset: QuerySet | None = None) -> QuerySet:
    """Whose account (e-mail, name, password, role) a user may change: a superuser anyone;
    a clinic admin themselves and the therapists and runners of their clinic (another
    admin of the clinic is a peer: a superuser manages admins)."""
    visible = users_visible_to(actor, queryset)
    if role(actor) == SUPERUSER:
        return visible
    own = Q(pk=actor.pk) if isinstance(actor, User) else Q(pk__in=[])
    return visible.filter(own | ~Q(role=User.Role.CLINIC_ADMIN))


def may_manage_user(actor: Actor, target: User | None) -> bool:
    if target is None or target.pk is None:
        return False
    return users_manageable_by(actor).filter(pk=target.pk).exists()


def _runners_in(queryset: QuerySet, ids: list[int]) -> QuerySet:
    """Runners a clinic serves: its own (home clinic) and any who had a session there."""
    runner_model = queryset.model._meta.concrete_model
    with_sessions = runner_model._default_manager.filter(sessions__clinic_id__in=ids)
    return queryset.filter(Q(clinic_id__in=ids) | Q(pk__in=with_sessions.values("pk")))


def _of_runners_in(queryset: QuerySet, ids: list[int]) -> QuerySet:
    runners = _runners_in(apps.get_model("runners", "Runner")._default_manager.all(), ids)
    return queryset.filter(runner__in=runners.values("pk"))


# How each model reaches its clinic. Anything not listed is shown to superusers only.
_CLINIC_LOOKUPS = {
    "clinic.clinic": "pk",
    "clinic.racewindow": "clinic",
    "clinic.therapist": "clinic",
    "clinic.service": "clinic",
    "clinic.workinghours": "therapist__clinic",
    "clinic.timeoff": "therapist__clinic",
    "booking.session": "clinic",
    "booking.sessionevent": "session__clinic",
    "booking.waitlistentry": "clinic",
    "billing.offer": "clinic",
    "billing.membership": "clinic",
    "billing.sale": "clinic",
    "billing.payment": "sale__clinic",
    "billing.creditgrant": "clinic",
    "billing.ledgerentry": "clinic",
}
# How a runner reaches their own rows (they see nothing else).
_OWN_LOOKUPS = {
    "runners.runner": "user",
    "runners.race": "runner__user",
    "booking.session": "runner__user",
    "booking.reminder": "runner__user",
    "booking.waitlistentry": "runner__user",
    "billing.membership": "runner__user",
    "billing.creditgrant": "runner__user",
    "billing.ledgerentry": "runner__user",
    "billing.sale": "runner__user",
}
_SCOPES: dict[str, Callable[[QuerySet, list[int]], QuerySet]] = {
    "runners.runner": _runners_in,
    "runners.race": _of_runners_in,
    "booking.reminder": _of_runners_in,
}


def scope(queryset: QuerySet, user: Actor) -> QuerySet:
    """The rows of `queryset` the user may see: every one for a superuser, their clinic's
    for its staff, a runner their own, none for anyone else (users: `users_visible_to`)."""
    label = queryset.model._meta.concrete_model._meta.label_lower
    if label == User._meta.label_lower:
        return users_visible_to(user, queryset)
    if is_runner(user):
        lookup = _OWN_LOOKUPS.get(label)
        return queryset.filter(**{lookup: user}) if lookup else queryset.none()
    ids = clinic_ids(user)
    if ids is None:
        return queryset
    if not ids or not is_clinic_staff(user):
        return queryset.none()
    if label in _SCOPES:
        return _SCOPES[label](queryset, ids)
    if label in _CLINIC_LOOKUPS:
        return queryset.filter(**{f"{_CLINIC_LOOKUPS[label]}__in": ids})
    return queryset.none()


def single_clinic_id(user: Actor) -> int | None:
    """The one clinic a (non-super) staff member acts for, or None."""
    ids = clinic_ids(user)
    return ids[0] if ids and len(ids) == 1 else None


# What each role may do in the Django admin, as permission groups. Which rows it sees is
# `scope` above; these groups say which models and actions. Therapists have no Django admin
# (their staff pages cover their work), so their group grants nothing there.

THERAPISTS = "Therapists"
CLINIC_ADMINS = "Clinic admins"

ROLE_PERMISSIONS = {
    THERAPISTS: {},
    CLINIC_ADMINS: {
        "clinic": {
            "clinic": "vc",
            "racewindow": "vacd",
            "therapist": "vacd",
            "service": "vacd",
            "workinghours": "vacd",
            "timeoff": "vacd",
            "user": "vac",
        },
        "runners": {"runner": "v", "race": "v"},
        # Adding a session books it for a runner (booking.engine.services.session_book).
        "booking": {"session": "vac", "sessionevent": "v", "reminder": "v"},
        # Offers are set up here; sales, payments and credits move through the staff
        # pages (billing.sales, billing.ledger), so the admin shows them read-only.
        "billing": {
            "offer": "vac",
            "membership": "v",
            "sale": "v",
            "payment": "v",
            "creditgrant": "v",
            "ledgerentry": "v",
        },
    },
}
_ACTIONS = {"v": "view", "a": "add", "c": "change", "d": "delete"}


def ensure_role_groups(**kwargs: Any) -> None:
    """The role groups with their permissions (run after every migrate)."""
    for group_name, app_models in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        codenames = [
            (app, f"{_ACTIONS[a]}_{model}")
            for app, models in app_models.items()
            for model, actions in models.items()
            for a in actions
        ]
        perms = Permission.objects.filter(
            content_type__app_label__in=list(app_models), codename__in=[c for _, c in codenames]
        ).select_related("content_type")
        wanted = {(app, code) for app, code in codenames}
        group.permissions.set(
            [p for p in perms if (p.content_type.app_label, p.codename) in wanted]
        )


def group_for_role(role: str) -> str | None:
    return {"therapist": THERAPISTS, "clinic_admin": CLINIC_ADMINS}.get(role)
