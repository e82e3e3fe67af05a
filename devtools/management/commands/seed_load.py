"""The load-test dataset (`make load`): clinics, therapists, runners and a booked agenda.

Deterministic (seeded random). Everything it makes has a slug or e-mail starting with
`load-`, and --reset removes that first, so it can run again on the same database.
Refuses to run on a database that holds other clinics unless --force: it is meant for the
throw-away database the load script creates.
"""

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from booking.models import Session
from clinic.models import Clinic, Service, Therapist, User, WorkingHours
from devtools.seeding import Seeder, ServiceSpec
from runners.models import Race, Runner

DEFAULT_PASSWORD = "load-test-runner"  # noqa: S105 (throw-away load database only)
CLINICS = [
    ("load-madrid", "Load Clinic Madrid", "Europe/Madrid"),
    ("load-lisboa", "Load Clinic Lisboa", "Europe/Lisbon"),
]
SERVICES = [
    ServiceSpec("Unloading massage", 60, Decimal("50.00"), ["legs", "glutes"]),
    ServiceSpec("Express unloading massage", 30, Decimal("30.00"), ["legs"]),
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
        # One hash for every load user: hashing 400 passwords would take minutes.
        seeder = Seeder(seed=options["seed"], password=options["password"])
        with transaction.atomic():
            if options["reset"]:
                self._reset()
            summary = self._seed(seeder, options)
        self.stdout.write(
            "seed_load: {clinics} clinics, {therapists} therapists, {services} services, "
            "{runners} runners, {races} races, {sessions} sessions".format(**summary)
        )

    def _reset(self):
        Session.objects.filter(clinic__slug__startswith="load-").delete()
        Race.objects.filter(runner__user__email__startswith="load-").delete()
        Runner.objects.filter(user__email__startswith="load-").delete()
        WorkingHours.objects.filter(therapist__clinic__slug__startswith="load-").delete()
        Therapist.objects.filter(clinic__slug__startswith="load-").delete()
        Service.objects.filter(clinic__slug__startswith="load-").delete()
        User.objects.filter(email__startswith="load-").delete()
        Clinic.objects.filter(slug__startswith="load-").delete()

    def _seed(self, seeder: Seeder, options) -> dict:
        rng = seeder.rng
        now = timezone.now()
        clinics, therapists, services = [], [], []
        for slug, name, tz in CLINICS:
            clinic = seeder.clinic(
                slug, name, timezone=tz, min_notice_minutes=60, max_days_ahead=60
            )
            clinics.append(clinic)
            services += seeder.services(clinic, SERVICES)
            therapists += seeder.therapists(
                clinic,
                options["therapists"],
                email=f"load-therapist-{slug}-{{i}}@load.test",
                display_name=f"{name} therapist {{i}}",
                days=range(6),
                intervals=((time(8), time(14)), (time(15), time(21))),
                user_fields=lambda i: {"first_name": f"Therapist {i}"},
                is_staff=True,
            )
        # Load runners sign in through the API, which asks for a confirmed address.
        runners = seeder.runners(
            clinics,
            options["runners"],
            email="load-runner-{i}@load.test",
            confirmed=True,
            user_fields=lambda i: {"first_name": f"Runner {i}"},
            cadence="fortnightly",
        )
        races = []
        for runner in runners:
            if rng.random() < 0.5:
                start = now + timedelta(days=rng.randint(3, 50), hours=rng.randint(0, 23))
                races.append(
                    {
                        "runner": runner,
                        "name": f"Load race {runner.pk}",
                        "start": start,
                        "finish": start + timedelta(hours=2),
                        "distance_km": Decimal("21.10"),
                    }
                )
        seeder.races(races)

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
                        {
                            "runner": runner,
                            "therapist": therapist,
                            "service": service,
                            "start": start,
                        }
                    )
        seeder.sessions(sessions)
        return {
            "clinics": len(clinics),
            "therapists": len(therapists),
            "services": len(services),
            "runners": len(runners),
            "races": len(races),
            "sessions": len(sessions),
        }
