"""clinic.timeutils: a clinic's local days as real instants, across DST."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from clinic.timeutils import local_date, local_day_bounds, local_midnight

MADRID = ZoneInfo("Europe/Madrid")


def test_the_local_day_of_an_instant_is_the_clinics_not_utcs():
    # 23:30 UTC on Saturday 28 March 2026 is already Sunday in Madrid.
    assert local_date(datetime(2026, 3, 28, 23, 30, tzinfo=UTC), MADRID) == date(2026, 3, 29)
    assert local_date(datetime(2026, 3, 28, 22, 59, tzinfo=UTC), MADRID) == date(2026, 3, 28)


def test_a_naive_instant_is_refused():
    with pytest.raises(ValueError):
        local_date(datetime(2026, 3, 28, 12, 0), MADRID)  # noqa: DTZ001


@pytest.mark.parametrize(
    ("day", "hours"),
    [(date(2026, 3, 29), 23), (date(2026, 10, 25), 25), (date(2026, 6, 1), 24)],
    ids=["spring-forward", "fall-back", "summer"],
)
def test_local_midnights_are_a_local_day_apart_in_real_hours(day, hours):
    start, end = local_midnight(day, MADRID), local_midnight(day + timedelta(days=1), MADRID)
    assert start.astimezone(MADRID).hour == 0
    assert end - start == timedelta(hours=hours)
    # The same day as the validator's bounds.
    assert local_day_bounds(MADRID, day, day) == (start, end)
