"""The load-test dataset (`make load`): clinics, therapists, runners and a booked agenda.

Deterministic (seeded random). Everything it makes has a slug or e-mail starting with
`load-`, and --reset removes that first, so it can run again on the same database.
Refuses to run on a database that holds other clinics unless --force: it is meant for the
throw-away database the load script creates.
"""

import random
from datetime import datetime, time, timedelta
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from clinic.models import Clinic, Service, Therapist, User, WorkingHours
from runners.models import Race, Runner

DEFAULT_PASSWORD = "load-test-runner"  # noqa: S105 (throw-away load database only)
CLINICS = [
    ("load-madrid", "Load Clinic Madrid", "Europe/Madrid"),
    ("load-lisboa", "Load Clinic Lisboa", "Europe/Lisbon"),
]


class Command(BaseCommand):
    help = "Create the load-test dataset (see scripts/load/)."

    def add_arguments(self, parser):
        parser.add_argument("--runners", type=int, default=400)
        parser.add_argument("--therapists", type=int, default=4, help="per clinic")
        parser.add_argument("--booked-days", type=int, default=21)
        parser.add_argument("--password", default=DEFAULT_PASSWORD)
        parser.add_argument("--reset", action="store_true")
        parser.add_argument("--force", action="store_true")
        parser.add_argument("--seed", type=int, default=7)

    def handle(self, *args, **options):
        others = Clinic.objects.exclude(slug__startswith="load-")
        if others.exists() and not options["force"]:
            raise CommandError(
                "This database holds other clinics; seed_load is for the load database "
                "(use --force to seed it anyway)."
            )
        rng = random.Random(options["seed"])
        with transaction.atomic():
            if options["reset"]:
                self._reset()
            summary = self._seed(rng, options)
        self.stdout.write(
            "seed_load: {clinics} clinics, {therapists} therapists, {services} services, "
            "{runners} runners, {races} races, {sessions} sessions".format(**summary)
        )

    def _reset(self):
        Session = apps.get_model("booking", "Session")
        Session.objects.filter(clinic__slug__startswith="load-").delete()
        Race.objects.filter(runner__user__email__startswith="load-").delete()
        Runner.objects.filter(user__email__startswith="load-").delete()
        WorkingHours.objects.filter(therapist__clinic__slug__startswith="load-").delete()
        Therapist.objects.filter(clinic__slug__startswith="load-").delete()
        Service.objects.filter(clinic__slug__startswith="load-").delete()
        User.objects.filter(email__startswith="load-").delete()
        Clinic.objects.filter(slug__startswith="load-").delete()

    def _seed(self, rng: random.Random, options) -> dict:
        Session = apps.get_model("booking", "Session")
        # One hash for every load user: hashing 400 passwords would take minutes.
        password = make_password(options["password"])
        now = timezone.now()
        clinics, therapists, services = [], [], []
        for slug, name, tz in CLINICS:
            clinic = Clinic.objects.create(
                slug=slug, name=name, timezone=tz, min_notice_minutes=60, max_days_ahead=60
            )
            clinics.append(clinic)
            services += Service.objects.bulk_create(
                [
                    Service(
                        clinic=clinic,
                        name="Unloading massage",
                        duration_minutes=60,
                        price=Decimal("50.00"),
                        body_areas=["legs", "glutes"],
                    ),
                    Service(
                        clinic=clinic,
                        name="Express unloading massage",
                        duration_minutes=30,
                        price=Decimal("30.00"),
                        body_areas=["legs"],
                    ),
                ]
            )
            for i in range(options["therapists"]):
                user = User.objects.create(
                    email=f"load-therapist-{slug}-{i}@load.test",
                    password=password,
                    role=User.Role.THERAPIST,
                    is_staff=True,
                    first_name=f"Therapist {i}",
                )
                therapist = Therapist.objects.create(
                    user=user, clinic=clinic, display_name=f"{name} therapist {i}"
                )
                therapists.append(therapist)
                WorkingHours.objects.bulk_create(
                    [
                        WorkingHours(therapist=therapist, weekday=d, start_time=s, end_time=e)
                        for d in range(6)
                        for s, e in ((time(8), time(14)), (time(15), time(21)))
                    ]
                )
        users = User.objects.bulk_create(
            [
                User(
                    email=f"load-runner-{n}@load.test",
                    password=password,
                    role=User.Role.RUNNER,
                    first_name=f"Runner {n}",
                )
                for n in range(options["runners"])
            ]
        )
        # Load runners sign in through the API, which asks for a confirmed address.
        EmailAddress.objects.bulk_create(
            [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users]
        )
        runners = Runner.objects.bulk_create(
            [
                Runner(user=u, clinic=clinics[n % len(clinics)], cadence="fortnightly")
                for n, u in enumerate(users)
            ]
        )
        races = []
        for runner in runners:
            if rng.random() < 0.5:
                start = now + timedelta(days=rng.randint(3, 50), hours=rng.randint(0, 23))
                races.append(
                    Race(
                        runner=runner,
                        name=f"Load race {runner.pk}",
                        start=start,
                        finish=start + timedelta(hours=2),
                        distance_km=Decimal("21.10"),
                    )
                )
        Race.objects.bulk_create(races)

        # A realistic agenda: about half of each working day already booked, one runner
        # per slot and never two sessions of a runner at once.
        sessions = []
        runner_busy: dict[int, set[datetime]] = {}
        for therapist in therapists:
            clinic = next(c for c in clinics if c.pk == therapist.clinic_id)
            service = next(s for s in services if s.clinic_id == clinic.pk)
            clinic_runners = [r for r in runners if r.clinic_id == clinic.pk]
            for day in range(1, options["booked_days"] + 1):
                local_day = (now + timedelta(days=day)).astimezone(clinic.tz).date()
                if local_day.weekday() == 6:
                    continue
                for hour in list(range(8, 14)) + list(range(15, 21)):
                    if rng.random() < 0.5:
                        continue
                    start = datetime.combine(local_day, time(hour), tzinfo=clinic.tz)
                    runner = rng.choice(clinic_runners)
                    if start in runner_busy.setdefault(runner.pk, set()):
                        continue
                    runner_busy[runner.pk].add(start)
                    sessions.append(
                        Session(
                            runner=runner,
                            therapist=therapist,
                            service=service,
                            clinic=clinic,
                            start=start,
                            end=start + service.duration,
                            price=service.price,
                        )
                    )
        Session.objects.bulk_create(sessions, batch_size=1000)
        return {
            "clinics": len(clinics),
            "therapists": len(therapists),
            "services": len(services),
            "runners": len(runners),
            "races": len(races),
            "sessions": len(sessions),
        }
