"""A deterministic demo clinic for `make run`. Idempotent: a second run changes nothing."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from booking.models import Session, SessionEvent
from clinic.models import Clinic, Service, Therapist, User, WorkingHours
from clinic.permissions import CLINIC_ADMINS, THERAPISTS
from clinic.services import clinic_seed_race_rules
from runners.models import Cadence, Race, Runner

DEFAULT_DEMO_PASSWORD = "demo-runner-2026"  # noqa: S105 (printed demo login, DEBUG only)

THERAPISTS_DATA = [
    (
        "therapist1@demo.clinic",
        "Lucía",
        "Martín",
        "Physiotherapist (Col. 12345), MSc in sports physiotherapy",
        "Runners' overload, plantar fascia, calves",
        True,
    ),
    (
        "therapist2@demo.clinic",
        "Javier",
        "Ruiz",
        "Physiotherapist (Col. 23456), certified in myofascial release",
        "Lumbar and glutes, trail runners",
        False,
    ),
    (
        "therapist3@demo.clinic",
        "Marta",
        "Gómez",
        "Physiotherapist (Col. 34567), dry needling",
        "Cervical and dorsal areas, marathon preparation",
        False,
    ),
]
SERVICES_DATA = [
    ("Express unloading massage", 30, Decimal("30.00"), ["legs"]),
    ("Unloading massage", 45, Decimal("40.00"), ["legs", "glutes"]),
    ("Full unloading massage", 60, Decimal("50.00"), ["legs", "glutes", "lumbar", "dorsal"]),
]
RUNNERS_DATA = [
    ("runner1@demo.clinic", "Ana", "López", Cadence.FORTNIGHTLY),
    ("runner2@demo.clinic", "Carlos", "Pérez", Cadence.MONTHLY),
    ("runner3@demo.clinic", "Elena", "Sanz", Cadence.FORTNIGHTLY),
]


class Command(BaseCommand):
    help = "Create the demo clinic, its staff, runners, races and past sessions (idempotent)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo creates known passwords: it only runs with DJANGO_DEBUG on."
            )
        password = settings.DEMO_PASSWORD or DEFAULT_DEMO_PASSWORD
        with transaction.atomic():
            self._seed(password)
        self.stdout.write(self.style.SUCCESS("Demo clinic ready. Log in at http://127.0.0.1:8000/"))
        self.stdout.write("  admin@demo.clinic            (clinic admin, superuser)")
        for email, *_ in THERAPISTS_DATA:
            self.stdout.write(f"  {email:28} (therapist)")
        for email, *_ in RUNNERS_DATA:
            self.stdout.write(f"  {email:28} (runner)")
        self.stdout.write(
            f"  password: {password}"
            + ("" if settings.DEMO_PASSWORD else " (set DEMO_PASSWORD to change it)")
        )

    def _user(self, email, password, first, last, role, **extra) -> User:
        user, created = User.objects.get_or_create(
            email=email, defaults={"first_name": first, "last_name": last, "role": role, **extra}
        )
        if created:
            user.set_password(password)
            user.save(update_fields=["password"])
        # Sign-in needs a confirmed address (settings: mandatory verification); the demo
        # accounts have theirs confirmed already.
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        return user

    def _seed(self, password: str) -> None:
        from django.contrib.auth.models import Group

        from clinic.permissions import ensure_role_groups

        ensure_role_groups()
        clinic, _ = Clinic.objects.get_or_create(
            slug="demo",
            defaults={
                "name": "Clínica Demo Fisio Running",
                "timezone": "Europe/Madrid",
                "address": "Calle del Corredor 42, 28001 Madrid",
                "phone": "+34 910 000 000",
                "email": "hola@demo.clinic",
            },
        )
        clinic_seed_race_rules(clinic=clinic)
        admin = self._user(
            "admin@demo.clinic",
            password,
            "Admin",
            "Demo",
            User.Role.CLINIC_ADMIN,
            is_staff=True,
            is_superuser=True,
            clinic=clinic,
        )
        admin.groups.add(Group.objects.get(name=CLINIC_ADMINS))

        services = []
        for name, minutes, price, areas in SERVICES_DATA:
            service, _ = Service.objects.get_or_create(
                clinic=clinic,
                name=name,
                defaults={"duration_minutes": minutes, "price": price, "body_areas": areas},
            )
            services.append(service)

        therapists = []
        therapist_group = Group.objects.get(name=THERAPISTS)
        for email, first, last, quals, specialties, saturday in THERAPISTS_DATA:
            user = self._user(email, password, first, last, User.Role.THERAPIST, is_staff=True)
            user.groups.add(therapist_group)
            therapist, created = Therapist.objects.get_or_create(
                user=user,
                defaults={
                    "clinic": clinic,
                    "display_name": f"{first} {last}",
                    "qualifications": quals,
                    "specialties": specialties,
                },
            )
            if created:
                hours = [
                    WorkingHours(therapist=therapist, weekday=day, start_time=start, end_time=end)
                    for day in range(5)
                    for start, end in ((time(9), time(14)), (time(15), time(20)))
                ]
                if saturday:
                    hours.append(
                        WorkingHours(
                            therapist=therapist, weekday=5, start_time=time(9), end_time=time(13)
                        )
                    )
                WorkingHours.objects.bulk_create(hours)
            therapists.append(therapist)

        today = timezone.localdate(timezone=clinic.tz)
        for index, (email, first, last, cadence) in enumerate(RUNNERS_DATA):
            user = self._user(email, password, first, last, User.Role.RUNNER)
            runner, created = Runner.objects.get_or_create(
                user=user,
                defaults={
                    "cadence": cadence,
                    "clinic": clinic,
                    "preferred_therapist": therapists[index],
                    "phone": f"+34 600 000 00{index + 1}",
                },
            )
            if created:
                self._races(runner, index, today, clinic)
                self._past_sessions(runner, index, today, clinic, therapists, services)

    def _at(self, day: date, hour: int, clinic: Clinic) -> datetime:
        return datetime.combine(day, time(hour), tzinfo=clinic.tz)

    def _races(self, runner: Runner, index: int, today: date, clinic: Clinic) -> None:
        # runner1 has no race in the next 60 days, so a newcomer can book at once.
        plans = {
            0: [("Carrera de Otoño 10K", -20, 10, "C"), ("Maratón de Sevilla", 90, 42.195, "A")],
            1: [("Media Maratón de Madrid", 9, 21.0975, "A"), ("San Silvestre 10K", 40, 10, "B")],
            2: [("Trail Sierra Norte", 4, 25, "B"), ("Valencia Marathon", 30, 42.195, "A")],
        }
        for name, offset, km, priority in plans[index]:
            start = self._at(today + timedelta(days=offset), 9, clinic)
            Race.objects.get_or_create(
                runner=runner,
                name=name,
                defaults={
                    "start": start,
                    "finish": Race.finish_for(start, km),
                    "distance_km": Decimal(str(km)),
                    "priority": priority,
                },
            )

    def _past_sessions(self, runner, index, today, clinic, therapists, services) -> None:
        statuses = [Session.Status.ATTENDED, Session.Status.ATTENDED, Session.Status.NO_SHOW]
        for n, days_ago in enumerate((45, 30, 16)):
            day = today - timedelta(days=days_ago + index)
            while day.weekday() >= 5:
                day -= timedelta(days=1)
            service = services[(index + n) % len(services)]
            start = self._at(day, 10 + index * 2, clinic)
            status = statuses[n]
            session = Session.objects.create(
                runner=runner,
                therapist=therapists[index],
                service=service,
                clinic=clinic,
                start=start,
                end=start + service.duration,
                status=status,
                price=service.price,
                areas_treated=service.body_areas if status == Session.Status.ATTENDED else [],
                mobilisation_done=True if status == Session.Status.ATTENDED else None,
                attended_at=start + service.duration if status == Session.Status.ATTENDED else None,
                no_show_at=start + timedelta(minutes=15)
                if status == Session.Status.NO_SHOW
                else None,
            )
            SessionEvent.objects.create(
                session=session, kind=SessionEvent.Kind.BOOKED, to_status="booked"
            )
            SessionEvent.objects.create(
                session=session, kind=status, from_status="booked", to_status=status
            )
