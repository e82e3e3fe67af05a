"""Plan my season (issue 14): the proposals around A races and the cadence, each one
bookable now, in a fixed number of queries whatever the number of races and sessions."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import translation

from booking.engine import plan as season
from booking.engine import services
from booking.models import Session
from clinic.policy import ServiceKind
from devtools.factories import RaceFactory, ServiceFactory, SessionFactory, TherapistFactory
from tests.booking.engine.conftest import MADRID, NOW, local

pytestmark = pytest.mark.django_db


@pytest.fixture
def recovery(clinic):
    return ServiceFactory(
        clinic=clinic, name="Recovery massage", duration_minutes=30, kind=ServiceKind.RECOVERY
    )


@pytest.fixture
def at_now(clock):
    clock.move_to(NOW)
    return NOW


def marathon(alice, start=None, **kw):
    return RaceFactory(
        runner=alice,
        name=kw.pop("name", "Maratón de Valencia"),
        start=start or local(2026, 12, 20, 8, 30),  # Sunday
        finish=(start or local(2026, 12, 20, 8, 30)) + timedelta(hours=4),
        distance_km=Decimal("42.195"),
        priority=kw.pop("priority", "A"),
        **kw,
    )


def day(moment):
    return moment.astimezone(MADRID).date()


def test_a_marathon_gets_a_session_before_its_window_and_a_recovery_after(
    alice, service, recovery, therapist, at_now
):
    race = marathon(alice)
    plan = season.season_plan(alice, weeks=4, now=at_now)
    before = [p for p in plan.proposals if p.reason == season.Reason.BEFORE_RACE]
    after = [p for p in plan.proposals if p.reason == season.Reason.AFTER_RACE]
    # No marathon rule seeded here: the clinic default, one rest day: Friday is the last day.
    assert [day(p.start) for p in before] == [date(2026, 12, 18)]
    assert before[0].service_id == service.pk and before[0].race_id == race.pk
    # The recovery massage within 48 h of the finish, the day after first (a Monday).
    assert [day(p.start) for p in after] == [date(2026, 12, 21)]
    assert after[0].service_id == recovery.pk
    assert after[0].start < race.finish + season.RECOVERY_WITHIN
    # The cadence fills the rest, 14 days apart from the race's session, and every
    # proposal passes the validator the booking uses.
    cadence = [p for p in plan.proposals if p.reason == season.Reason.CADENCE]
    assert cadence and day(cadence[0].start) == date(2026, 12, 1)
    for p in plan.proposals:
        service_used = service if p.service_id == service.pk else recovery
        assert (
            services.session_violations(
                runner=alice, service=service_used, therapist=therapist, start=p.start, now=at_now
            )
            == []
        ), p


def test_no_recovery_service_no_recovery_proposal_and_b_races_get_none(
    alice, service, therapist, at_now
):
    marathon(alice)
    marathon(alice, start=local(2026, 12, 13, 9), priority="B", name="Some 10K")
    plan = season.season_plan(alice, weeks=4, now=at_now)
    reasons = [p.reason for p in plan.proposals]
    assert season.Reason.AFTER_RACE not in reasons
    assert reasons.count(season.Reason.BEFORE_RACE) == 1


def test_the_reason_is_said_in_the_runners_language(alice, service, therapist, at_now):
    marathon(alice)
    plan = season.season_plan(alice, weeks=4, now=at_now)
    before = next(p for p in plan.proposals if p.reason == season.Reason.BEFORE_RACE)
    assert "Maratón de Valencia" in before.label
    with translation.override("es"):
        assert "Maratón de Valencia" in before.label
        assert "Your last" not in before.label
        cadence = next(p for p in plan.proposals if p.reason == season.Reason.CADENCE)
        assert "14" in cadence.label and "días" in cadence.label


def test_a_session_booked_in_the_week_before_the_race_is_its_session(
    alice, service, therapist, at_now
):
    marathon(alice)
    SessionFactory(
        runner=alice, therapist=therapist, service=service, start=local(2026, 12, 16, 10)
    )
    plan = season.season_plan(alice, weeks=4, now=at_now)
    assert season.Reason.BEFORE_RACE not in [p.reason for p in plan.proposals]
    # And the cadence counts it: nothing else in the 13 days before it or after it.
    for p in plan.proposals:
        assert abs((day(p.start) - date(2026, 12, 16)).days) >= 7


def test_the_cadence_counts_from_the_last_session_and_stops_at_the_horizon(
    alice, service, therapist, clinic, at_now
):
    SessionFactory(
        runner=alice,
        therapist=therapist,
        service=service,
        start=local(2026, 11, 24, 17),
        status=Session.Status.ATTENDED,
    )
    plan = season.season_plan(alice, weeks=12, now=at_now)
    days = [day(p.start) for p in plan.proposals]
    assert days[0] == date(2026, 12, 8)  # 14 days after the 24th
    # Its usual time kept: 17:00.
    assert plan.proposals[0].start.astimezone(MADRID).hour == 17
    assert all(b - a >= timedelta(days=14) for a, b in zip(days, days[1:], strict=False))
    assert days[-1] <= day(NOW + timedelta(weeks=12))
    clinic.max_days_ahead = 30
    clinic.save()
    alice.clinic.refresh_from_db()
    short = season.season_plan(alice, weeks=12, now=at_now)
    assert all(p.start <= NOW + timedelta(days=30) for p in short.proposals)


def test_cadence_off_proposes_only_for_races(alice, service, therapist, at_now):
    alice.cadence = "off"
    alice.save()
    assert season.season_plan(alice, now=at_now).proposals == []
    marathon(alice)
    plan = season.season_plan(alice, now=at_now)
    assert [p.reason for p in plan.proposals] == [season.Reason.BEFORE_RACE]


def test_the_preferred_therapist_first(alice, service, therapist, clinic, at_now):
    other = TherapistFactory(clinic=clinic, display_name="Ana Other")
    alice.preferred_therapist = other
    alice.save()
    plan = season.season_plan(alice, weeks=4, now=at_now)
    assert {p.therapist_id for p in plan.proposals} == {other.pk}


def test_a_race_change_re_plans(alice, service, therapist, at_now):
    race = marathon(alice)
    first = season.season_plan(alice, weeks=6, now=at_now).proposals
    race.start, race.finish = local(2026, 12, 27, 8, 30), local(2026, 12, 27, 12, 30)
    race.save()
    second = season.season_plan(alice, weeks=6, now=at_now).proposals
    before = [day(p.start) for p in second if p.reason == season.Reason.BEFORE_RACE]
    assert before == [date(2026, 12, 25)] or before == [date(2026, 12, 24)]
    assert first != second


# The clinic's hours, time off and sessions, race rules, races, trainings (issue 20: the
# efforts the rules keep clear of), services and the availability read.
PLAN_QUERIES = 7


def test_queries_do_not_grow_with_races_and_sessions(
    alice, service, recovery, therapist, at_now, django_assert_num_queries
):
    marathon(alice)
    alice.clinic  # noqa: B018 (read once, as the pages have it)
    with django_assert_num_queries(PLAN_QUERIES):
        small = season.season_plan(alice, weeks=12, now=at_now)
    for week in range(3, 11):
        marathon(alice, start=local(2026, 12, 20, 8, 30) + timedelta(weeks=week), name=f"M{week}")
    for n in range(20):
        SessionFactory(
            runner=alice,
            therapist=therapist,
            service=service,
            start=local(2026, 11, 2, 10) + timedelta(days=n),
            status=Session.Status.ATTENDED,
        )
    with django_assert_num_queries(PLAN_QUERIES):
        big = season.season_plan(alice, weeks=12, now=at_now)
    assert len(big.proposals) > len(small.proposals)


def test_plan_book_books_the_chosen_and_says_why_not_for_the_others(
    alice, service, therapist, clinic, at_now
):
    clinic.rest_days_before_race = 2
    clinic.save()
    marathon(alice)
    proposals = season.season_plan(alice, weeks=6, now=at_now).proposals
    chosen = [(service, therapist, p.start) for p in proposals[:2]]
    chosen.append((service, therapist, local(2026, 12, 18, 10)))  # a rest day: Friday
    result = season.plan_book(runner=alice, chosen=chosen, by=alice.user, now=at_now)
    assert len(result.booked) == 2
    (refused,) = result.refused
    assert refused.error.code == "too_close_before_race"
