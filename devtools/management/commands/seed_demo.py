"""A deterministic demo clinic for `make run`. Idempotent: a second run changes nothing."""

from datetime import date, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from booking.models import Session, SessionEvent
from booking.staff.services import treated_as_booked
from clinic.models import Clinic, Therapist, User
from clinic.permissions import CLINIC_ADMINS, THERAPISTS
from clinic.services import clinic_seed_race_rules
from devtools.factories import RunnerFactory, TherapistFactory
from devtools.seeding import Seeder, ServiceSpec, at
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
# The therapists' texts in Spanish, and a short bio in both languages (clinic/translation.py).
THERAPIST_TEXTS = {
    "therapist1@demo.clinic": {
        "qualifications_es": "Fisioterapeuta (Col. 12345), máster en fisioterapia deportiva",
        "specialties_es": "Sobrecarga del corredor, fascia plantar, gemelos",
        "bio_en": "Ran six marathons; treats runners before and after their races.",
        "bio_es": "Ha corrido seis maratones; trata a corredores antes y después de sus carreras.",
    },
    "therapist2@demo.clinic": {
        "qualifications_es": "Fisioterapeuta (Col. 23456), certificado en liberación miofascial",
        "specialties_es": "Zona lumbar y glúteos, corredores de trail",
        "bio_en": "Trail runner; works on the lumbar area and the glutes.",
        "bio_es": "Corredor de trail; trabaja la zona lumbar y los glúteos.",
    },
    "therapist3@demo.clinic": {
        "qualifications_es": "Fisioterapeuta (Col. 34567), punción seca",
        "specialties_es": "Zonas cervical y dorsal, preparación de maratón",
        "bio_en": "Prepares marathon runners from the neck down.",
        "bio_es": "Prepara a maratonianos de la cabeza a los pies.",
    },
}


def _texts(name_es: str, description_en: str, description_es: str) -> dict[str, str]:
    return {"name_es": name_es, "description_en": description_en, "description_es": description_es}


SERVICES_DATA = [
    ServiceSpec(
        "Express unloading massage",
        30,
        Decimal("30.00"),
        ["legs"],
        texts=_texts(
            "Masaje de descarga exprés",
            "Legs only, for a busy week.",
            "Solo piernas, para una semana apretada.",
        ),
    ),
    ServiceSpec(
        "Unloading massage",
        45,
        Decimal("40.00"),
        ["legs", "glutes"],
        texts=_texts(
            "Masaje de descarga",
            "Legs and glutes, every fortnight in training.",
            "Piernas y glúteos, cada quince días mientras entrenas.",
        ),
    ),
    ServiceSpec(
        "Full unloading massage",
        60,
        Decimal("50.00"),
        ["legs", "glutes", "lumbar", "dorsal"],
        texts=_texts(
            "Masaje de descarga completo",
            "Legs, glutes, lumbar and dorsal areas, closed with mobilisations and stretching.",
            "Piernas, glúteos, zona lumbar y dorsal, con movilizaciones y estiramientos al final.",
        ),
    ),
    # Kinds with their own race rules (docs/race-rules.md).
    ServiceSpec(
        "Light post-race recovery massage",
        30,
        Decimal("30.00"),
        ["legs"],
        kind="recovery",
        texts=_texts(
            "Masaje suave de recuperación tras la carrera",
            "Gentle, from a few hours to two days after a race.",
            "Suave, desde unas horas hasta dos días después de una carrera.",
        ),
    ),
    ServiceSpec(
        "Short pre-race activation",
        20,
        Decimal("20.00"),
        ["legs"],
        kind="activation",
        texts=_texts(
            "Activación corta antes de la carrera",
            "A short activation up to the day before a race.",
            "Una activación breve hasta el día antes de la carrera.",
        ),
    ),
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

    def _seed(self, password: str) -> None:
        from django.contrib.auth.models import Group

        from clinic.permissions import ensure_role_groups

        ensure_role_groups()
        seeder = Seeder()
        clinic = seeder.clinic(
            "demo",
            "Clínica Demo Fisio Running",
            timezone="Europe/Madrid",
            address="Calle del Corredor 42, 28001 Madrid",
            phone="+34 910 000 000",
            email="hola@demo.clinic",
        )
        clinic_seed_race_rules(clinic=clinic)
        admin = seeder.user(
            "admin@demo.clinic",
            role=User.Role.CLINIC_ADMIN,
            password=password,
            first_name="Admin",
            last_name="Demo",
            is_staff=True,
            is_superuser=True,
            clinic=clinic,
        )
        admin.groups.add(Group.objects.get(name=CLINIC_ADMINS))
        services = seeder.services(clinic, SERVICES_DATA)

        therapists = []
        therapist_group = Group.objects.get(name=THERAPISTS)
        for email, first, last, quals, specialties, saturday in THERAPISTS_DATA:
            user = seeder.user(
                email,
                role=User.Role.THERAPIST,
                password=password,
                first_name=first,
                last_name=last,
                is_staff=True,
            )
            user.groups.add(therapist_group)
            therapist = Therapist.objects.filter(user=user).first()
            if therapist is None:
                therapist = TherapistFactory(
                    user=user,
                    clinic=clinic,
                    display_name=f"{first} {last}",
                    qualifications=quals,
                    specialties=specialties,
                    hours=[],
                    **THERAPIST_TEXTS[email],
                )
                seeder.hours([therapist])
                if saturday:
                    seeder.hours([therapist], days=[5], intervals=[(time(9), time(13))])
            else:  # seeded before the texts were per language
                texts = THERAPIST_TEXTS[email]
                missing = {k: v for k, v in texts.items() if not getattr(therapist, k)}
                if missing:
                    Therapist.objects.filter(pk=therapist.pk).update(**missing)
            therapists.append(therapist)

        today = timezone.localdate(timezone=clinic.tz)
        for index, (email, first, last, cadence) in enumerate(RUNNERS_DATA):
            user = seeder.user(
                email, role=User.Role.RUNNER, password=password, first_name=first, last_name=last
            )
            if not Runner.objects.filter(user=user).exists():
                runner = RunnerFactory(
                    user=user,
                    cadence=cadence,
                    clinic=clinic,
                    preferred_therapist=therapists[index],
                    phone=f"+34 600 000 00{index + 1}",
                    health_notes="",
                )
                self._races(seeder, runner, index, today, clinic)
                self._past_sessions(seeder, runner, index, today, clinic, therapists, services)

    def _races(self, seeder: Seeder, runner: Runner, index: int, today: date, clinic: Clinic):
        # runner1 has no race in the next 60 days, so a newcomer can book at once.
        plans = {
            0: [("Carrera de Otoño 10K", -20, 10, "C"), ("Maratón de Sevilla", 90, 42.195, "A")],
            1: [("Media Maratón de Madrid", 9, 21.0975, "A"), ("San Silvestre 10K", 40, 10, "B")],
            2: [("Trail Sierra Norte", 4, 25, "B"), ("Valencia Marathon", 30, 42.195, "A")],
        }
        races = []
        for name, offset, km, priority in plans[index]:
            start = at(today + timedelta(days=offset), time(9), clinic)
            races.append(
                {
                    "runner": runner,
                    "name": name,
                    "start": start,
                    "finish": Race.finish_for(start, km),
                    "distance_km": Decimal(str(km)),
                    "priority": priority,
                }
            )
        seeder.races(races)

    def _past_sessions(self, seeder, runner, index, today, clinic, therapists, services) -> None:
        statuses = [Session.Status.ATTENDED, Session.Status.ATTENDED, Session.Status.NO_SHOW]
        for n, days_ago in enumerate((45, 30, 16)):
            day = today - timedelta(days=days_ago + index)
            while day.weekday() >= 5:
                day -= timedelta(days=1)
            service = services[(index + n) % len(services)]
            start = at(day, time(10 + index * 2), clinic)
            status = statuses[n]
            attended = status == Session.Status.ATTENDED
            [session] = seeder.sessions(
                [
                    {
                        "runner": runner,
                        "therapist": therapists[index],
                        "service": service,
                        "start": start,
                        "status": status,
                        "areas_treated": treated_as_booked(service.body_areas) if attended else {},
                        "mobilisation_done": True if attended else None,
                        "discomfort_before": 6 - n if attended else None,
                        "discomfort_after": 2 if attended else None,
                        "attended_at": start + service.duration if attended else None,
                        "no_show_at": start + timedelta(minutes=15)
                        if status == Session.Status.NO_SHOW
                        else None,
                    }
                ]
            )
            SessionEvent.objects.create(
                session=session, kind=SessionEvent.Kind.BOOKED, to_status="booked"
            )
            SessionEvent.objects.create(
                session=session, kind=status, from_status="booked", to_status=status
            )
