"""Fixtures for the reminders: a clinic clock, runners with a past, sessions booked long ago."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from booking.models import Session
from devtools.factories import SessionFactory

MADRID = ZoneInfo("Europe/Madrid")


def madrid(*args) -> datetime:
    return datetime(*args, tzinfo=MADRID)


def past_session(*, runner, therapist, start, status=Session.Status.ATTENDED, service=None):
    kw = {"service": service} if service else {}
    return SessionFactory(runner=runner, therapist=therapist, start=start, status=status, **kw)


def booked_at(session, moment):
    """Pretend the session was booked at `moment` (created_at is set on insert)."""
    Session.objects.filter(pk=session.pk).update(created_at=moment)
    session.refresh_from_db()
    return session


def joined_at(runner, moment):
    type(runner).objects.filter(pk=runner.pk).update(created_at=moment)
    runner.refresh_from_db()
    return runner


@pytest.fixture
def scan_day():
    """Thursday 26 November 2026, 09:05 in Madrid: the default reminder hour."""
    return madrid(2026, 11, 26, 9, 5)


@pytest.fixture
def runner_clinic(clinic):
    clinic.reminder_hour = 9
    clinic.save(update_fields=["reminder_hour"])
    return clinic


@pytest.fixture
def flaky_backend(settings):
    from tests.support.mail import FlakyBackend

    settings.EMAIL_BACKEND = "tests.support.mail.FlakyBackend"
    FlakyBackend.reset(1)
    return FlakyBackend


@pytest.fixture
def enqueued():
    """Collects what a scan enqueues (the batch of ids), to run it in the test."""
    batches: list[list[int]] = []
    return batches


ONE_DAY = timedelta(days=1)


@pytest.fixture
def clock_start():
    """Everything is created on Friday 20 November 2026 (the clock ticks from there), so
    what the tests see never depends on the day they run."""
    return madrid(2026, 11, 20, 12, 0)


@pytest.fixture
def clock_tick():
    return True


@pytest.fixture(autouse=True)
def _clock(request):
    """The end-to-end tests run real worker processes on the real clock."""
    if not request.module.__name__.endswith("test_worker"):
        request.getfixturevalue("clock")
