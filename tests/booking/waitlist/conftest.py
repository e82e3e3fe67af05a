"""Waitlist fixtures: the suite's clock (Monday 30 November 2026, 08:00 in Madrid), the
therapist's Wednesday 10:00 (a time to free), and runners who join a list."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from booking.engine import waitlist
from devtools.factories import RunnerFactory, UserFactory

MADRID = ZoneInfo("Europe/Madrid")
WEDNESDAY = date(2026, 12, 2)
WED_10 = datetime(2026, 12, 2, 10, 0, tzinfo=MADRID)


@pytest.fixture
def join(service):
    """Put a runner on the service's list (Monday to Friday, 09:00-20:00 unless told)."""

    def join(runner, **fields):
        fields = {
            "service": service,
            "first_day": date(2026, 11, 30),
            "last_day": date(2026, 12, 4),
            "earliest": time(9),
            "latest": time(20),
            **fields,
        }
        return waitlist.join(runner=runner, **fields)

    return join


@pytest.fixture
def make_runners(clinic):
    def make(n, prefix="w"):
        return [
            RunnerFactory(
                clinic=clinic,
                user=UserFactory(email=f"{prefix}{i}@runners.test", first_name=f"Runner{i}"),
            )
            for i in range(n)
        ]

    return make
