"""The one seeder of the dev tools: the demo clinic, the load dataset and every benchmark.

Every row is built by its factory (devtools.factories, the tests' own: same defaults) and
inserted in bulk, so a benchmark of 100,000 runners seeds in seconds. Deterministic: the
random choices come from `seeder.rng` and the factories' Faker is reseeded with the same
seed. Users get one password hash between them (hashing thousands would take minutes);
without a password they cannot sign in at all.

    seeder = Seeder(seed=7, password="load-test-runner")
    clinic = seeder.clinic("load-madrid", "Load Clinic Madrid")
    [service] = seeder.services(clinic, [ServiceSpec("Unloading massage", 60, Decimal("50"))])
    therapists = seeder.therapists(clinic, 4, email="load-t-{i}@load.test")
    runners = seeder.runners(clinic, 400, email="load-runner-{i}@load.test", confirmed=True)
    seeder.sessions([dict(runner=..., therapist=..., service=..., start=...)])
"""

import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import factory.random
from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password

from booking.models import Session
from clinic.models import Clinic, Service, Therapist, TimeOff, User, WorkingHours
from devtools.factories import (
    ClinicFactory,
    RaceFactory,
    RunnerFactory,
    ServiceFactory,
    SessionFactory,
    TherapistFactory,
    TimeOffFactory,
    TrainingFactory,
    UserFactory,
)
from runners.models import Race, Runner, Training

# Monday to Friday, 09:00-14:00 and 15:00-20:00: the factories' therapist.
WEEKDAYS = range(5)
SPLIT_DAY = ((time(9), time(14)), (time(15), time(20)))
PerIndex = Callable[[int], dict[str, Any]]


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    minutes: int
    price: Decimal
    body_areas: list[str] = field(default_factory=list)
    kind: str = "unloading"
    # Per-language texts (clinic/translation.py): name_es, description_en, description_es.
    texts: dict[str, str] = field(default_factory=dict)


def _none(_i: int) -> dict[str, Any]:
    return {}


class Seeder:
    def __init__(self, *, seed: int = 0, password: str | None = None):
        self.rng = random.Random(seed)  # noqa: S311 (deterministic test data)
        factory.random.reseed_random(seed)
        self.password_hash = make_password(password)

    # Accounts ---------------------------------------------------------------------------
    def users(
        self,
        emails: Sequence[str],
        *,
        role: str,
        confirmed: bool = False,
        fields: PerIndex = _none,
        **common: Any,
    ) -> list[User]:
        """New users in bulk; `confirmed` gives each a confirmed primary address (signing in
        asks for one). `fields(i)` adds the i-th user's own fields."""
        built = []
        for i, email in enumerate(emails):
            extra = {"first_name": "", "last_name": ""} | common | fields(i)
            # password=None: set_password(None) is cheap; the shared hash replaces it.
            user = UserFactory.build(email=email, role=role, password=None, **extra)
            user.password = self.password_hash
            built.append(user)
        users = User.objects.bulk_create(built, batch_size=5000)
        if confirmed:
            EmailAddress.objects.bulk_create(
                [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users],
                batch_size=5000,
            )
        return users

    def user(self, email: str, *, role: str, password: str, **defaults: Any) -> User:
        """Get or create one named account (the demo's), its address confirmed; the password
        is set only when it is created, so a second run changes nothing."""
        user = User.objects.filter(email=email).first()
        if user is None:
            user = UserFactory(email=email, role=role, password=password, **defaults)
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        return user

    # The clinic -------------------------------------------------------------------------
    def clinic(self, slug: str, name: str, **fields: Any) -> Clinic:
        """The clinic of this slug, created with these fields when missing."""
        return ClinicFactory(slug=slug, name=name, **fields)

    def services(self, clinic: Clinic, specs: Iterable[ServiceSpec]) -> list[Service]:
        """The clinic's services of these names, created when missing (in this order)."""
        out = []
        for spec in specs:
            service = Service.objects.filter(clinic=clinic, name=spec.name).first()
            if service is None:
                service = ServiceFactory(
                    clinic=clinic,
                    name=spec.name,
                    duration_minutes=spec.minutes,
                    price=spec.price,
                    body_areas=list(spec.body_areas),
                    kind=spec.kind,
                    **spec.texts,
                )
            else:  # a demo seeded before the texts were per language gets them now
                missing = {k: v for k, v in spec.texts.items() if not getattr(service, k)}
                if missing:
                    Service.objects.filter(pk=service.pk).update(**missing)
            out.append(service)
        return out

    def therapists(
        self,
        clinic: Clinic,
        n: int,
        *,
        email: str,
        display_name: str | None = "Therapist {i}",
        days: Iterable[int] | None = WEEKDAYS,
        intervals: Sequence[tuple[time, time]] = SPLIT_DAY,
        user_fields: PerIndex = _none,
        **user_common: Any,
    ) -> list[Therapist]:
        """n therapists (e-mail and name formatted with {i}; display_name=None: the factory's
        Faker name), working `intervals` on `days` (days=None: no hours)."""
        users = self.users(
            [email.format(i=i) for i in range(n)],
            role=User.Role.THERAPIST,
            fields=user_fields,
            **user_common,
        )
        therapists = Therapist.objects.bulk_create(
            [
                TherapistFactory.build(
                    user=u,
                    clinic=clinic,
                    **({} if display_name is None else {"display_name": display_name.format(i=i)}),
                )
                for i, u in enumerate(users)
            ]
        )
        if days is not None:
            self.hours(therapists, days=days, intervals=intervals)
        return therapists

    def hours(
        self,
        therapists: Iterable[Therapist],
        *,
        days: Iterable[int] = WEEKDAYS,
        intervals: Sequence[tuple[time, time]] = SPLIT_DAY,
        **fields: Any,
    ) -> list[WorkingHours]:
        days = list(days)
        return WorkingHours.objects.bulk_create(
            WorkingHours(therapist=t, weekday=d, start_time=s, end_time=e, **fields)
            for t in therapists
            for d in days
            for s, e in intervals
        )

    def time_off(self, rows: Iterable[dict[str, Any]]) -> list[TimeOff]:
        return TimeOff.objects.bulk_create([TimeOffFactory.build(**row) for row in rows])

    # Runners and their calendar ---------------------------------------------------------
    def runners(
        self,
        clinic: Clinic | Sequence[Clinic],
        n: int,
        *,
        email: str,
        first: int = 0,
        confirmed: bool = False,
        fields: PerIndex = _none,
        user_fields: PerIndex = _none,
        **common: Any,
    ) -> list[Runner]:
        """Runners first..first+n-1 (e-mail formatted with {i}); a list of clinics is shared
        out in turn. `fields(i)` adds the i-th runner's own fields."""
        clinics = [clinic] if isinstance(clinic, Clinic) else list(clinic)
        indexes = range(first, first + n)
        users = self.users(
            [email.format(i=i) for i in indexes],
            role=User.Role.RUNNER,
            confirmed=confirmed,
            fields=lambda k: user_fields(first + k),
        )
        return Runner.objects.bulk_create(
            [
                RunnerFactory.build(
                    user=u,
                    clinic=clinics[i % len(clinics)],
                    health_notes="",
                    **(common | fields(i)),
                )
                for i, u in zip(indexes, users, strict=True)
            ],
            batch_size=5000,
        )

    def races(self, rows: Iterable[dict[str, Any]]) -> list[Race]:
        """Races from their fields (runner, name, start; finish defaults to an hour later)."""
        return Race.objects.bulk_create([RaceFactory.build(**row) for row in rows])

    def trainings(
        self, rows: Iterable[dict[str, Any]], *, batch_size: int = 5000
    ) -> list[Training]:
        """Trainings from their fields (runner and start at least)."""
        return Training.objects.bulk_create(
            [TrainingFactory.build(**row) for row in rows], batch_size=batch_size
        )

    def sessions(self, rows: Iterable[dict[str, Any]], *, batch_size: int = 1000) -> list[Session]:
        """Sessions inserted directly, as the factory does (no validator): runner, therapist,
        service and start at least; clinic, end and price follow from them."""
        return Session.objects.bulk_create(
            [SessionFactory.build(**row) for row in rows], batch_size=batch_size
        )


def working_days(first: date, last: date, *, weekdays: Iterable[int] = WEEKDAYS) -> list[date]:
    """The days from first to last (inclusive) that fall on these weekdays."""
    wanted = set(weekdays)
    return [
        first + timedelta(days=n)
        for n in range((last - first).days + 1)
        if (first + timedelta(days=n)).weekday() in wanted
    ]


def at(day: date, moment: time, clinic: Clinic) -> datetime:
    """A wall-clock moment of the clinic's day, aware."""
    return datetime.combine(day, moment, tzinfo=clinic.tz)
