"""Two clinics, each with an admin, a therapist, a runner and everything the admin shows.

Clinic A is "Quokka", clinic B is "Zebu"; the superuser is "Sigmund" and, as in the demo
data, belongs to clinic A. Every name, e-mail and note carries its owner's word, so a page
that shows anything of another clinic (a row, a choice, a filter, a raw-id label) is caught
by looking for the word.

`owner(obj)` says whose an object is by walking its foreign keys up to a clinic or a user:
the test's own answer, not the permission module's.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.utils import timezone

from billing import sales
from billing.models import Offer
from booking.models import Reminder, SessionEvent
from clinic.models import Clinic, RaceWindow, User
from clinic.permissions import CLINIC_ADMINS, THERAPISTS, ensure_role_groups
from devtools.factories import (
    ClinicFactory,
    RaceFactory,
    RunnerFactory,
    ServiceFactory,
    SessionFactory,
    TherapistFactory,
    TimeOffFactory,
    UserFactory,
)

WORDS = {"A": "Quokka", "B": "Zebu", "super": "Sigmund"}
PERSONAS = ["superuser", "admin_a", "therapist_a", "runner_a", "admin_b", "therapist_b"]
# Whose objects each persona must never be shown (by owner), and the words that give them away.
FORBIDDEN = {
    "superuser": set(),
    "admin_a": {"B", "super"},
    "admin_b": {"A", "super"},
}
NO_ADMIN = ["therapist_a", "runner_a", "therapist_b"]


@dataclass
class ClinicSide:
    clinic: Clinic
    admin: User
    therapist: object
    runner: object
    service: object
    session: object
    race: object
    extra: dict = field(default_factory=dict)


@dataclass
class World:
    a: ClinicSide
    b: ClinicSide
    superuser: User
    owners: dict  # ("clinic.user", pk) -> "A" | "B" | "super"

    @property
    def users(self) -> dict[str, User]:
        return {
            "superuser": self.superuser,
            "admin_a": self.a.admin,
            "therapist_a": self.a.therapist.user,
            "runner_a": self.a.runner.user,
            "admin_b": self.b.admin,
            "therapist_b": self.b.therapist.user,
        }

    def side(self, key: str) -> ClinicSide:
        return {"A": self.a, "B": self.b}[key]

    def owner(self, obj, _depth: int = 0) -> str:
        """ "A", "B", "super", or "global" (groups, sites, permissions: nobody's clinic)."""
        label = obj._meta.concrete_model._meta.label_lower
        if (label, obj.pk) in self.owners:
            return self.owners[(label, obj.pk)]
        if label in ("clinic.user", "clinic.clinic"):
            return "unknown"
        if _depth > 4:
            return "global"
        for f in obj._meta.concrete_fields:
            if f.is_relation and (f.many_to_one or f.one_to_one):
                related = getattr(obj, f.name)
                if related is not None:
                    found = self.owner(related, _depth + 1)
                    if found != "global":
                        return found
        return "global"


def _email_addresses(users):
    if apps.is_installed("allauth.account"):
        from allauth.account.models import EmailAddress

        for user in users:
            # The factory's users have theirs already (sign-in needs a confirmed address).
            EmailAddress.objects.update_or_create(
                user=user, email=user.email, defaults={"primary": True, "verified": True}
            )


def _tokens(users):
    if apps.is_installed("rest_framework.authtoken"):
        from rest_framework.authtoken.models import Token

        for user in users:
            Token.objects.create(user=user)


def _side(key: str) -> ClinicSide:
    word = WORDS[key]
    slug = word.lower()
    clinic = ClinicFactory(name=f"{word} Fisio", slug=slug, address=f"Calle {word} 1")
    RaceWindow.objects.create(
        clinic=clinic, min_distance_km=42, after_race_hours=72, rest_days_before=2
    )
    admin = UserFactory(
        email=f"admin@{slug}.test",
        first_name=word,
        last_name="Admin",
        role=User.Role.CLINIC_ADMIN,
        clinic=clinic,
        is_staff=True,
    )
    admin.groups.add(Group.objects.get(name=CLINIC_ADMINS))
    therapist = TherapistFactory(
        clinic=clinic,
        display_name=f"{word} Therapist",
        user=UserFactory(
            email=f"therapist@{slug}.test",
            first_name=word,
            last_name="Therapist",
            role=User.Role.THERAPIST,
            is_staff=True,
        ),
    )
    therapist.user.groups.add(Group.objects.get(name=THERAPISTS))
    TimeOffFactory(therapist=therapist, reason=f"{word} course")
    service = ServiceFactory(clinic=clinic, name=f"{word} massage")
    runner = RunnerFactory(
        clinic=clinic,
        user=UserFactory(email=f"runner@{slug}.test", first_name=word, last_name="Runner"),
        health_notes=f"{word} knee, private",
        preferred_therapist=therapist,
    )
    race = RaceFactory(runner=runner, name=f"{word} marathon")
    session = SessionFactory(
        runner=runner,
        therapist=therapist,
        service=service,
        start=timezone.now() + timedelta(days=5),
        runner_note=f"{word} note",
    )
    SessionEvent.objects.create(
        session=session, kind=SessionEvent.Kind.BOOKED, by=runner.user, to_status="booked"
    )
    Reminder.objects.create(
        runner=runner, kind=Reminder.Kind.CONFIRMATION, key=f"s{session.pk}", session=session
    )
    offer = Offer.objects.create(
        clinic=clinic, kind="membership", name=f"{word} plan", sessions=2, price=Decimal("80")
    )
    offer.services.set([service])
    sales.sell(offer=offer, runner=runner, paid=sales.Paid("cash", Decimal("80"), word), by=admin)
    users = [admin, therapist.user, runner.user]
    _email_addresses(users)
    _tokens(users)
    return ClinicSide(clinic, admin, therapist, runner, service, session, race)


@pytest.fixture
def world(db) -> World:
    ensure_role_groups()
    a, b = _side("A"), _side("B")
    superuser = User.objects.create_superuser(
        "sigmund@super.test",
        "correct-horse-battery",
        first_name="Sigmund",
        last_name="Root",
        clinic=a.clinic,
    )
    _email_addresses([superuser])
    owners = {("clinic.user", superuser.pk): "super"}
    for key, side in (("A", a), ("B", b)):
        owners[("clinic.clinic", side.clinic.pk)] = key
        for user in (side.admin, side.therapist.user, side.runner.user):
            owners[("clinic.user", user.pk)] = key
    return World(a=a, b=b, superuser=superuser, owners=owners)


@pytest.fixture
def as_persona(client, world):
    def login(persona: str):
        client.logout()
        client.force_login(world.users[persona])
        return client

    return login
