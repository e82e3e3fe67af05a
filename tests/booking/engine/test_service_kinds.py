"""Service kinds with their own race rules (issue 14): the unloading massage keeps the
articles' rules; a light post-race recovery massage only waits the clinic's hours after
a finish; a short pre-race activation may be on the day before the race."""

from datetime import time

import pytest

from booking.engine.codes import Code
from devtools.factories import RaceFactory, ServiceFactory, TherapistFactory
from tests.booking.engine.conftest import local
from tests.booking.engine.test_refusals import book, refused

pytestmark = pytest.mark.django_db


@pytest.fixture
def every_day(clinic):
    return TherapistFactory(clinic=clinic, hours=[(d, time(7), time(22)) for d in range(7)])


@pytest.fixture
def saturday_race(alice):
    # Saturday 5 December, 09:00-11:00 in Madrid.
    return RaceFactory(
        runner=alice, name="Behobia", start=local(2026, 12, 5, 9), finish=local(2026, 12, 5, 11)
    )


def test_unloading_keeps_the_rest_day_and_the_hours_after(alice, service, every_day, saturday_race):
    assert service.kind == "unloading"
    refused(Code.TOO_CLOSE_BEFORE_RACE, alice, service, every_day, local(2026, 12, 4, 10))
    refused(Code.TOO_SOON_AFTER_RACE, alice, service, every_day, local(2026, 12, 5, 16, 45))


def test_a_recovery_massage_from_the_clinics_hours_after_the_finish(
    alice, clinic, every_day, saturday_race
):
    recovery = ServiceFactory(clinic=clinic, kind="recovery", duration_minutes=30)
    refused(Code.TOO_SOON_AFTER_RACE, alice, recovery, every_day, local(2026, 12, 5, 16, 45))
    assert book(alice, recovery, every_day, local(2026, 12, 5, 17))  # 6 h after 11:00
    # Not an unloading massage: no rest day is asked before the race.
    assert book(alice, recovery, every_day, local(2026, 12, 4, 10))


def test_a_pre_race_activation_up_to_the_day_before(alice, clinic, every_day, saturday_race):
    activation = ServiceFactory(clinic=clinic, kind="activation", duration_minutes=20)
    assert book(alice, activation, every_day, local(2026, 12, 4, 18))  # Friday evening
    refused(Code.TOO_CLOSE_BEFORE_RACE, alice, activation, every_day, local(2026, 12, 5, 7))


def test_other_kinds_do_not_count_as_the_days_unloading_massage(alice, service, clinic, every_day):
    recovery = ServiceFactory(clinic=clinic, kind="recovery", duration_minutes=30)
    book(alice, recovery, every_day, local(2026, 12, 2, 9))
    # A recovery massage does not take the day's one unloading massage.
    second = book(alice, recovery, every_day, local(2026, 12, 2, 18))
    assert second.warnings == []
    assert service.kind == "unloading"
