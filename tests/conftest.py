"""Shared fixtures: the personas, the one clock and the service guards.

Personas (as in the style guide): runner Alice and runner Bob, a therapist of Alice's
clinic, a therapist of another clinic, the clinic's admin, the other clinic's admin and a
superuser; `persona(name)` gives each an API client and a page client
(tests/support/personas.py). `clock` is the one frozen clock (tests/support/clock.py).
"""

import os
import shutil

import pytest
from django.conf import settings
from django.db import connection

from clinic.models import User
from devtools.factories import (
    ClinicFactory,
    RunnerFactory,
    ServiceFactory,
    TherapistFactory,
    UserFactory,
)
from tests.support.clock import _clock_marker, clock, clock_start, clock_tick  # noqa: F401
from tests.support.personas import persona  # noqa: F401

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _using_postgres() -> bool:
    return settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


def _using_redis() -> bool:
    return settings.CELERY_BROKER_URL.startswith("redis")


def pytest_collection_modifyitems(config, items):
    skips = {
        "postgres": (
            _using_postgres(),
            "needs PostgreSQL (set DATABASE_URL or start it at 127.0.0.1:5432)",
        ),
        "redis": (_using_redis(), "needs Redis (set REDIS_URL or start it at 127.0.0.1:6379)"),
        "browser": (
            bool(shutil.which("chromium") or os.path.exists("/usr/bin/chromium")),
            "needs Debian's chromium (apt-get install chromium chromium-driver)",
        ),
    }
    for item in items:
        for marker, (available, reason) in skips.items():
            if marker in item.keywords and not available:
                if IN_CI:
                    raise pytest.UsageError(f"CI: {item.nodeid} {reason}; nothing may skip in CI.")
                item.add_marker(pytest.mark.skip(reason=reason))


def pytest_report_header(config):
    return (
        f"database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}, "
        f"broker: {settings.CELERY_BROKER_URL.split(':', 1)[0]}"
    )


@pytest.fixture(autouse=True)
def _clean_cache():
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def clinic(db):
    return ClinicFactory(name="Fisio Running Madrid", slug="madrid", timezone="Europe/Madrid")


@pytest.fixture
def other_clinic(db):
    return ClinicFactory(name="Fisio Running Lisboa", slug="lisboa", timezone="Europe/Lisbon")


@pytest.fixture
def service(clinic):
    return ServiceFactory(clinic=clinic, name="Unloading massage", duration_minutes=60)


@pytest.fixture
def therapist(clinic):
    return TherapistFactory(
        clinic=clinic,
        display_name="Lucía Martín",
        user=UserFactory(email="lucia@clinic.test", role=User.Role.THERAPIST, is_staff=True),
    )


@pytest.fixture
def other_therapist(other_clinic):
    return TherapistFactory(
        clinic=other_clinic,
        display_name="João Silva",
        user=UserFactory(email="joao@other.test", role=User.Role.THERAPIST, is_staff=True),
    )


@pytest.fixture
def alice(clinic):
    return RunnerFactory(
        clinic=clinic,
        user=UserFactory(email="alice@runners.test", first_name="Alice", last_name="Runner"),
    )


@pytest.fixture
def bob(clinic):
    return RunnerFactory(
        clinic=clinic,
        user=UserFactory(email="bob@runners.test", first_name="Bob", last_name="Runner"),
        health_notes="Bob's private knee note",
    )


@pytest.fixture
def clinic_admin(clinic):
    return UserFactory(
        email="admin@clinic.test", role=User.Role.CLINIC_ADMIN, is_staff=True, clinic=clinic
    )


@pytest.fixture
def other_admin(other_clinic):
    return UserFactory(
        email="admin@other.test", role=User.Role.CLINIC_ADMIN, is_staff=True, clinic=other_clinic
    )


@pytest.fixture
def superuser(db):
    return UserFactory(
        email="root@clinic.test",
        role=User.Role.CLINIC_ADMIN,
        is_staff=True,
        is_superuser=True,
    )


@pytest.fixture
def vendor():
    return connection.vendor


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    """Real hashing is slow by design; the suite creates many users."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
