"""Factories for the domain. Times are aware; a clinic defaults to Europe/Madrid."""

from datetime import time, timedelta
from decimal import Decimal

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from booking.models import Session
from clinic.models import Clinic, Service, Therapist, TimeOff, User, WorkingHours
from runners.models import Race, Runner, Training

PASSWORD = "correct-horse-battery"  # noqa: S105 - test and demo accounts only


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    role = User.Role.RUNNER
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified_email(self, create, extracted, **kwargs):
        """The personas are established accounts: their address is confirmed, as signing
        in requires (mandatory verification). verified_email=False leaves it unconfirmed."""
        if create and extracted is not False:
            EmailAddress.objects.update_or_create(
                user=self, email=self.email, defaults={"verified": True, "primary": True}
            )

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        if create and results:
            instance.save()


class ClinicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Clinic
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Clinic {n}")
    slug = factory.Sequence(lambda n: f"clinic-{n}")
    timezone = "Europe/Madrid"
    address = "Calle Mayor 1, Madrid"
    min_notice_minutes = 120
    max_days_ahead = 90
    cancellation_window_hours = 24
    buffer_minutes = 0
    slot_step_minutes = 15
    # The race windows: the model's defaults (1 rest day before race day, 6 h after).


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service

    clinic = factory.SubFactory(ClinicFactory)
    name = factory.Sequence(lambda n: f"Unloading massage {n}")
    duration_minutes = 60
    price = Decimal("45.00")
    body_areas = factory.LazyFunction(lambda: ["legs", "glutes"])


class TherapistFactory(factory.django.DjangoModelFactory):
    """A therapist working Monday to Friday 09:00-14:00 and 15:00-20:00 (unless hours=[])."""

    class Meta:
        model = Therapist
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory, role=User.Role.THERAPIST, is_staff=True)
    clinic = factory.SubFactory(ClinicFactory)
    display_name = factory.Faker("name")
    qualifications = "Physiotherapist, MSc sports physiotherapy"
    specialties = "Runners"

    @factory.post_generation
    def hours(self, create, extracted, **kwargs):
        if not create:
            return
        intervals = (
            extracted
            if extracted is not None
            else [(d, time(9), time(14)) for d in range(5)]
            + [(d, time(15), time(20)) for d in range(5)]
        )
        WorkingHours.objects.bulk_create(
            WorkingHours(therapist=self, weekday=d, start_time=s, end_time=e)
            for d, s, e in intervals
        )


class TimeOffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TimeOff

    therapist = factory.SubFactory(TherapistFactory)
    start = factory.LazyFunction(lambda: timezone.now() + timedelta(days=1))
    end = factory.LazyAttribute(lambda o: o.start + timedelta(hours=4))
    reason = "Course"


class RunnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Runner

    user = factory.SubFactory(UserFactory, role=User.Role.RUNNER)
    timezone = "Europe/Madrid"
    cadence = "fortnightly"
    reminders_opt_in = True
    health_notes = "Old left Achilles tendinopathy"


class RaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Race

    runner = factory.SubFactory(RunnerFactory)
    name = factory.Sequence(lambda n: f"City 10K #{n}")
    start = factory.LazyFunction(lambda: timezone.now() + timedelta(days=20))
    finish = factory.LazyAttribute(lambda o: o.start + timedelta(hours=1))
    distance_km = Decimal("10")
    priority = "B"
    timezone = factory.LazyAttribute(lambda o: o.runner.timezone)


class TrainingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Training

    runner = factory.SubFactory(RunnerFactory)
    start = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    minutes = 45
    finish = factory.LazyAttribute(lambda o: o.start + timedelta(minutes=o.minutes))
    distance_km = Decimal("8")
    kind = "easy"
    timezone = factory.LazyAttribute(lambda o: o.runner.timezone)


class SessionFactory(factory.django.DjangoModelFactory):
    """A session inserted directly (no validator): for fixtures, not for booking tests."""

    class Meta:
        model = Session

    runner = factory.SubFactory(RunnerFactory)
    therapist = factory.SubFactory(TherapistFactory)
    service = factory.LazyAttribute(lambda o: ServiceFactory(clinic=o.therapist.clinic))
    clinic = factory.LazyAttribute(lambda o: o.therapist.clinic)
    start = factory.LazyFunction(lambda: timezone.now() + timedelta(days=3))
    end = factory.LazyAttribute(lambda o: o.start + o.service.duration)
    status = Session.Status.BOOKED
    price = factory.LazyAttribute(lambda o: o.service.price)
