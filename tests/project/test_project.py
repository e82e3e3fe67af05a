"""The skeleton: constraints the database holds, the demo seed, admin, settings, compose."""

import importlib
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from django.apps import apps
from django.contrib import admin
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse

from booking.models import Reminder, Session
from clinic.models import User
from devtools.factories import RaceFactory, SessionFactory, TherapistFactory, TimeOffFactory

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.postgres
def test_overlapping_sessions_of_one_therapist_are_refused_by_the_database(
    therapist, alice, bob, service
):
    first = SessionFactory(therapist=therapist, runner=alice, service=service)
    with pytest.raises(IntegrityError), transaction.atomic():
        SessionFactory(
            therapist=therapist,
            runner=bob,
            service=service,
            start=first.start + timedelta(minutes=30),
        )
    assert Session.objects.count() == 1


@pytest.mark.postgres
def test_a_runner_cannot_hold_two_overlapping_sessions(clinic, alice, service):
    t1, t2 = TherapistFactory(clinic=clinic), TherapistFactory(clinic=clinic)
    first = SessionFactory(therapist=t1, runner=alice, service=service)
    with pytest.raises(IntegrityError), transaction.atomic():
        SessionFactory(therapist=t2, runner=alice, service=service, start=first.start)


@pytest.mark.postgres
def test_cancelled_sessions_free_the_slot_and_back_to_back_is_fine(therapist, alice, bob, service):
    first = SessionFactory(therapist=therapist, runner=alice, service=service)
    SessionFactory(therapist=therapist, runner=bob, service=service, start=first.end)
    first.status = Session.Status.CANCELLED
    first.save()
    # The cancelled slot can be booked again by someone else.
    SessionFactory(therapist=therapist, runner=bob, service=service, start=first.start)
    assert Session.objects.filter(status="booked").count() == 2


def test_session_must_end_after_it_starts(therapist, alice, service):
    with pytest.raises(IntegrityError), transaction.atomic():
        s = SessionFactory.build(therapist=therapist, runner=alice, service=service)
        s.end = s.start
        s.save()


def test_time_off_and_races_must_end_after_they_start(therapist, alice):
    with pytest.raises(IntegrityError), transaction.atomic():
        t = TimeOffFactory.build(therapist=therapist)
        t.end = t.start - timedelta(hours=1)
        t.save()
    with pytest.raises(IntegrityError), transaction.atomic():
        r = RaceFactory.build(runner=alice)
        r.finish = r.start
        r.save()


def test_two_reminders_with_one_key_cannot_both_exist(alice):
    Reminder.objects.create(runner=alice, kind="cadence", key="2026-11-23")
    with pytest.raises(IntegrityError), transaction.atomic():
        Reminder.objects.create(runner=alice, kind="cadence", key="2026-11-23")
    Reminder.objects.create(runner=alice, kind="cadence", key="2026-12-07")
    assert Reminder.objects.count() == 2


def _row_counts():
    return {m._meta.label: m.objects.count() for m in apps.get_models()}


def test_seed_demo_is_idempotent(db, settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=open(os.devnull, "w"))
    first = _row_counts()
    call_command("seed_demo", stdout=open(os.devnull, "w"))
    assert _row_counts() == first
    assert first["clinic.Therapist"] == 3 and first["clinic.Service"] == 3
    emails = set(User.objects.values_list("email", flat=True))
    assert {
        "admin@demo.clinic",
        "therapist1@demo.clinic",
        "therapist3@demo.clinic",
        "runner1@demo.clinic",
        "runner3@demo.clinic",
    } <= emails
    runner1 = User.objects.get(email="runner1@demo.clinic").runner
    from django.utils import timezone

    assert not runner1.races.filter(
        start__gte=timezone.now(), start__lte=timezone.now() + timedelta(days=60)
    ).exists()
    assert User.objects.get(email="runner1@demo.clinic").check_password(
        settings.DEMO_PASSWORD or "demo-runner-2026"
    )


def test_seed_demo_refuses_without_debug(db, settings):
    from django.core.management.base import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("seed_demo")
    assert not User.objects.exists()


def test_every_admin_page_answers_for_a_superuser(persona, client, superuser, settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=open(os.devnull, "w"))
    client = persona("superuser").page
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in ("clinic", "runners", "booking"):
            continue
        info = (model._meta.app_label, model._meta.model_name)
        assert client.get(reverse("admin:{}_{}_changelist".format(*info))).status_code == 200
        if model_admin.has_add_permission(_FakeRequest(superuser)):
            assert client.get(reverse("admin:{}_{}_add".format(*info))).status_code == 200
        obj = model.objects.first()
        if obj is not None:
            url = reverse("admin:{}_{}_change".format(*info), args=[obj.pk])
            assert client.get(url).status_code == 200, url


class _FakeRequest:
    def __init__(self, user):
        self.user = user


def test_a_clinic_admin_sees_only_their_clinic_in_the_admin(client, clinic, other_clinic):
    from devtools.factories import UserFactory

    TherapistFactory(clinic=clinic, display_name="Ours")
    TherapistFactory(clinic=other_clinic, display_name="Theirs")
    admin_user = UserFactory(role=User.Role.CLINIC_ADMIN, is_staff=True, clinic=clinic)
    from django.contrib.auth.models import Group

    from clinic.permissions import CLINIC_ADMINS, ensure_role_groups

    ensure_role_groups()
    admin_user.groups.add(Group.objects.get(name=CLINIC_ADMINS))
    client.force_login(admin_user)
    page = client.get(reverse("admin:clinic_therapist_changelist")).content.decode()
    assert "Ours" in page and "Theirs" not in page


def _run_settings(env: dict) -> subprocess.CompletedProcess:
    full = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DJANGO_DEBUG")}
    full.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=full,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_settings_refuse_to_start_without_a_secret_key_in_production():
    result = _run_settings({"DJANGO_DEBUG": "0"})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_check_deploy_is_clean_in_production():
    result = _run_settings(
        {"DJANGO_DEBUG": "0", "SECRET_KEY": "x" * 30 + "-production-secret-0123456789-abcdef"}
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_docker_compose_services_run_real_modules_of_the_project():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"web", "worker", "beat", "postgres", "redis"} <= set(services)
    for name in ("web", "worker", "beat"):
        command = services[name]["command"]
        command = " ".join(command) if isinstance(command, list) else command
        if command.startswith("sh scripts/"):
            command = (ROOT / command.split()[1]).read_text()
        if "gunicorn" in command:
            module = command.split("gunicorn", 1)[1].split()[0].split(":")[0]
            assert hasattr(importlib.import_module(module), "application")
        if "celery" in command:
            app_module = command.split("-A", 1)[1].split()[0]
            assert hasattr(importlib.import_module(app_module), "celery_app")
        if "manage.py" in command:
            assert (ROOT / "manage.py").exists()
        assert "healthcheck" in services[name] or name == "beat"
    for name in ("postgres", "redis"):
        assert "healthcheck" in services[name]
    assert "pgdata" in compose["volumes"]


def test_home_page_and_health_endpoints(client, clinic, service, therapist):
    page = client.get("/")
    assert page.status_code == 200
    assert service.name in page.content.decode() and therapist.display_name in page.content.decode()
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["database"] == "ok"


def test_users_log_in_with_email_and_have_roles(db):
    user = User.objects.create_user("Runner@Example.COM", "pw-123456789")
    assert user.email == "runner@example.com"
    assert user.is_runner and not user.is_clinic_admin
    su = User.objects.create_superuser("boss@example.com", "pw-123456789")
    assert su.is_clinic_admin and su.is_staff
