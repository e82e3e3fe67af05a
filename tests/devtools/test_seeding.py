"""The one seeder: deterministic, built on the factories, and what the commands print."""

from datetime import datetime
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command

from booking.models import Session
from devtools.seeding import Seeder, ServiceSpec
from runners.models import Runner

pytestmark = pytest.mark.django_db


def _agenda(seed, tag="a"):
    seeder = Seeder(seed=seed, password="pw-for-all")
    clinic = seeder.clinic(f"seeded-{tag}", "Seeded clinic")
    [service] = seeder.services(clinic, [ServiceSpec("Unloading", 60, 45, ["legs"])])
    therapists = seeder.therapists(clinic, 2, email=f"t{tag}-{{i}}@seed.test", display_name=None)
    runners = seeder.runners(clinic, 3, email=f"r{tag}-{{i}}@seed.test", confirmed=True)
    return seeder, service, therapists, runners


def test_the_seeder_is_deterministic_for_a_seed():
    a, _, a_therapists, _ = _agenda(7, "a")
    b, _, b_therapists, _ = _agenda(7, "b")
    # The factories' Faker names too, not only the seeder's own random choices.
    assert [t.display_name for t in a_therapists] == [t.display_name for t in b_therapists]
    assert [a.rng.random() for _ in range(5)] == [b.rng.random() for _ in range(5)]


def test_seeded_runners_can_sign_in_and_sessions_follow_their_service():
    seeder, service, therapists, runners = _agenda(1, "c")
    assert all(r.user.check_password("pw-for-all") for r in runners)
    assert EmailAddress.objects.filter(user__runner__in=runners, verified=True).count() == 3
    assert therapists[0].hours.count() == 10  # Monday-Friday, two intervals
    start = datetime(2030, 1, 7, 10, tzinfo=therapists[0].clinic.tz)
    [session] = seeder.sessions(
        [{"runner": runners[0], "therapist": therapists[0], "service": service, "start": start}]
    )
    session.refresh_from_db()
    assert session.clinic == therapists[0].clinic
    assert session.end - session.start == service.duration and session.price == service.price


def test_seed_load_prints_the_same_figures_on_a_reset():
    def run(*args):
        out = StringIO()
        call_command("seed_load", "--runners", "30", "--booked-days", "3", *args, stdout=out)
        return out.getvalue().strip()

    first = run()
    assert first.startswith("seed_load: 2 clinics, 8 therapists, 4 services, 30 runners")
    assert run("--reset") == first
    assert Runner.objects.count() == 30 and Session.objects.exists()
    # Load runners sign in through the API: their addresses are confirmed.
    assert EmailAddress.objects.filter(verified=True, user__runner__isnull=False).count() == 30
