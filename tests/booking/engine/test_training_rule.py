"""The effort rule for trainings (issue 20): no unloading massage within the clinic's
hours (default 6, as after a race) of a demanding training's end, said in words with
three times that pass; a planned demanding training the day after is a warning; a
training logged later flags the booked sessions it now clashes with. "Demanding" is
clinic.policy's one decision, against the runner's own recent training."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import translation

from booking.engine import conflicts, services
from booking.engine.codes import Code
from clinic.policy import DemandingThresholds, Usual, usual_training
from devtools.factories import ServiceFactory, SessionFactory, TrainingFactory
from runners import services as runner_services
from tests.booking.engine.conftest import NOW, local
from tests.booking.engine.test_refusals import assert_suggestions_pass, book, refused

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """The sentences are asserted in English, whatever an earlier test left active."""
    with translation.override("en"):
        yield


# Wednesday 2 December: a 30 km long run from 06:30 to 09:30 (Madrid).
LONG_START, LONG_END = local(2026, 12, 2, 6, 30), local(2026, 12, 2, 9, 30)


def long_run(runner, **kw):
    fields = {
        "runner": runner,
        "start": LONG_START,
        "finish": LONG_END,
        "minutes": 180,
        "distance_km": Decimal("30"),
        "kind": "long",
    }
    return TrainingFactory(**(fields | kw))


def test_refused_two_hours_after_a_long_run_with_the_reason_and_three_times(
    alice, service, therapist
):
    long_run(alice)
    error = refused(
        Code.TOO_SOON_AFTER_TRAINING, alice, service, therapist, local(2026, 12, 2, 11, 30)
    )
    assert "long run that ended Wednesday 2 December, 09:30" in error.detail
    assert "fine from Wednesday 2 December, 15:30" in error.detail
    assert error.status_code == 400 and len(error.suggestions) == 3
    assert_suggestions_pass(error, alice, service)
    window = (LONG_START, local(2026, 12, 2, 15, 30))
    assert not any(window[0] < slot.end and slot.start < window[1] for slot in error.suggestions)


def test_the_edges_of_the_window(alice, service, therapist):
    long_run(alice)
    # A session starting 15 minutes before the window's end is refused; one starting at
    # its end passes (half-open, like the race windows).
    refused(Code.TOO_SOON_AFTER_TRAINING, alice, service, therapist, local(2026, 12, 2, 15, 15))
    assert book(alice, service, therapist, local(2026, 12, 2, 15, 30))


def test_the_hours_are_the_clinics(alice, service, therapist, clinic):
    clinic.after_training_hours = 2
    clinic.save()
    long_run(alice)
    assert book(alice, service, therapist, local(2026, 12, 2, 11, 30))


def test_an_easy_run_keeps_nothing_away(alice, service, therapist):
    long_run(
        alice,
        kind="easy",
        minutes=40,
        distance_km=Decimal("7"),
        finish=LONG_START + timedelta(minutes=40),
    )
    assert book(alice, service, therapist, local(2026, 12, 2, 10))


def test_long_is_long_for_this_runner(alice, service, therapist):
    """90 minutes is demanding for a runner who usually runs 45, not for one who runs 80."""
    easy = {"kind": "easy", "distance_km": None}
    for days in range(1, 8):
        start = LONG_START - timedelta(days=days)
        TrainingFactory(
            runner=alice, start=start, finish=start + timedelta(minutes=80), minutes=80, **easy
        )
    long_run(alice, minutes=90, finish=LONG_START + timedelta(minutes=90), **easy)
    assert book(alice, service, therapist, local(2026, 12, 2, 10))


def test_staff_may_override_it_with_a_reason(alice, service, therapist):
    long_run(alice)
    session = book(
        alice,
        service,
        therapist,
        local(2026, 12, 2, 11, 30),
        by=therapist.user,
        override_reason="Only a light flush, agreed with the runner",
    )
    assert session.events.get(kind="override").data["rules"] == [Code.TOO_SOON_AFTER_TRAINING]


def test_a_planned_demanding_training_the_day_after_is_a_warning(alice, service, therapist):
    runner_services.training_create(
        runner=alice,
        start=local(2026, 12, 3, 19),
        minutes=70,
        kind="intervals",
        planned=True,
    )
    (warning,) = services.session_warnings(
        runner=alice, service=service, therapist=therapist, start=local(2026, 12, 2, 17), now=NOW
    )
    assert warning["code"] == Code.DEMANDING_TRAINING_NEXT_DAY
    assert warning["detail"] == (
        "Your planned intervals or tempo on Thursday 3 December is the day after the "
        "massage: swap it for an easy run, or move the massage."
    )
    # Booked anyway; two days before, or a recovery massage, says nothing of it.
    assert book(alice, service, therapist, local(2026, 12, 2, 17))
    recovery = ServiceFactory(clinic=service.clinic, kind="recovery")
    for kind, day in ((service, 1), (recovery, 2)):
        said = services.session_warnings(
            runner=alice, service=kind, therapist=therapist, start=local(2026, 12, day, 17), now=NOW
        )
        assert Code.DEMANDING_TRAINING_NEXT_DAY not in [w["code"] for w in said]


def test_an_easy_run_planned_the_day_after_says_nothing(alice, service, therapist):
    runner_services.training_create(
        runner=alice, start=local(2026, 12, 3, 19), minutes=40, kind="easy", planned=True
    )
    assert not services.session_warnings(
        runner=alice, service=service, therapist=therapist, start=local(2026, 12, 2, 17), now=NOW
    )


def test_a_training_logged_later_flags_the_session(alice, service, therapist):
    session = SessionFactory(
        runner=alice, therapist=therapist, service=service, start=local(2026, 12, 2, 11)
    )
    training = runner_services.training_create(
        runner=alice,
        start=LONG_START,
        minutes=180,
        kind="long",
        distance_km=Decimal("30"),
        hard=True,
    )
    (found,) = conflicts.conflicts_for_sessions([session], now=NOW)[session.pk]
    assert found.effort == "training" and found.race_id == training.pk
    assert found.for_session()["training"] == training.pk
    assert (
        conflicts.conflicts_for_trainings([training], now=NOW)[training.pk][0].session_id
        == session.pk
    )
    # Races are not confused with trainings of the same id.
    assert conflicts.conflicts_for_races([], now=NOW) == {}
    runner_services.training_update(
        training=training, hard=False, kind="easy", minutes=40, distance_km=Decimal("7")
    )
    assert conflicts.conflicts_for_sessions([session], now=NOW)[session.pk] == []


class Row:
    def __init__(self, minutes, km=None, kind="easy", rpe=None, hard=False, days_ago=0):
        self.start = datetime(2026, 12, 1, 8) - timedelta(days=days_ago)
        self.minutes, self.distance_km, self.kind = minutes, km, kind
        self.rpe, self.hard, self.planned = rpe, hard, False


@pytest.mark.parametrize(
    ("row", "usual", "reason"),
    [
        (Row(30, hard=True), None, "flag"),
        (Row(30, rpe=7), None, "rpe"),
        (Row(30, rpe=6), None, ""),
        (Row(30, kind="intervals"), None, "kind"),
        (Row(30, kind="hills"), None, "kind"),
        (Row(120, kind="strength"), None, ""),
        (Row(90), None, "long"),  # no history: the fixed figures
        (Row(89, km=Decimal("17.9")), None, ""),
        (Row(60, km=Decimal("18")), None, "far"),
        (Row(67, km=Decimal("10")), Usual(45, 9), ""),  # 150 % of 45 is 67.5
        (Row(68, km=Decimal("10")), Usual(45, 9), "long"),
        (Row(60, km=Decimal("13.5")), Usual(45, 9), "far"),
        (Row(100, km=Decimal("16")), Usual(80, 15), ""),
    ],
)
def test_demanding_at_its_edges(row, usual, reason):
    assert DemandingThresholds().reason(row, usual) == reason


def test_usual_training_needs_three_recent_sessions():
    history = [Row(40, days_ago=2), Row(50, days_ago=5)]
    assert usual_training(history, datetime(2026, 12, 1, 8)) is None
    history.append(Row(60, km=Decimal("10"), days_ago=27))
    assert usual_training(history, datetime(2026, 12, 1, 8)).minutes == 50
    history.append(Row(60, days_ago=29))  # older than 28 days: not counted
    assert usual_training(history, datetime(2026, 12, 1, 8)).minutes == 50
