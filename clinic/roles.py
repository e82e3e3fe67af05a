"""Roles as permission groups: what a clinic admin may do in the Django admin.

Which rows they may see is scoped separately (clinic.permissions: a clinic admin sees only
their clinic); these groups say which models and actions. Therapists have no Django admin
(their staff pages cover their work), so their group grants nothing there.
"""

from django.contrib.auth.models import Group, Permission

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
    },
}
_ACTIONS = {"v": "view", "a": "add", "c": "change", "d": "delete"}


def ensure_role_groups(**kwargs) -> None:
    for group_name, apps in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        codenames = [
            (app, f"{_ACTIONS[a]}_{model}")
            for app, models in apps.items()
            for model, actions in models.items()
            for a in actions
        ]
        perms = Permission.objects.filter(
            content_type__app_label__in=list(apps), codename__in=[c for _, c in codenames]
        ).select_related("content_type")
        wanted = {(app, code) for app, code in codenames}
        group.permissions.set(
            [p for p in perms if (p.content_type.app_label, p.codename) in wanted]
        )


def group_for_role(role: str) -> str | None:
    return {"therapist": THERAPISTS, "clinic_admin": CLINIC_ADMINS}.get(role)
