"""Engine fixtures: a fixed clock and helpers to build clinic-local times.

The clinic is in Europe/Madrid; its therapist works Monday to Friday 09:00-14:00 and
15:00-20:00 (the factory default). NOW is Tuesday 1 December 2026, 08:00 UTC (09:00 local).
"""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

MADRID = ZoneInfo("Europe/Madrid")
NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def local(y, m, d, hh=0, mm=0, fold=0) -> datetime:
    """An aware datetime for a Madrid wall time, in UTC (as the database returns it)."""
    return datetime(y, m, d, hh, mm, tzinfo=MADRID, fold=fold).astimezone(UTC)


@pytest.fixture
def now():
    return NOW
