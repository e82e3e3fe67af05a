"""Plan my season through the API: GET proposes, POST books the chosen proposals and
answers as the series endpoint does (201 all, 207 some, 400 none). Runners only."""

from datetime import timedelta
from decimal import Decimal

import pytest

from booking.models import Session
from clinic.policy import ServiceKind
from devtools.factories import RaceFactory, ServiceFactory
from tests.support.api import assert_error
from tests.support.api_fixtures import local

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

PLAN = "/api/v1/plan/"


@pytest.fixture
def marathon(alice):
    return RaceFactory(
        runner=alice,
        name="Maratón de Valencia",
        start=local(2026, 12, 20, 8, 30),
        finish=local(2026, 12, 20, 12, 30),
        distance_km=Decimal("42.195"),
        priority="A",
    )


@pytest.fixture
def recovery(clinic):
    return ServiceFactory(
        clinic=clinic, name="Recovery massage", duration_minutes=30, kind=ServiceKind.RECOVERY
    )


def test_the_plan_lists_proposals_with_reasons(
    persona, alice, service, recovery, therapist, marathon
):
    r = persona("alice").api.get(PLAN, {"weeks": 4})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["weeks"] == 4
    proposals = body["proposals"]
    assert {"start", "end", "therapist", "service", "reason"} <= set(proposals[0])
    by_code = {p["reason_code"]: p for p in proposals}
    assert by_code["before_race"]["start"].startswith("2026-12-18T")
    assert by_code["before_race"]["race"] == marathon.pk
    assert "Maratón de Valencia" in by_code["before_race"]["reason"]
    assert by_code["after_race"]["service"] == recovery.pk
    assert by_code["cadence"]["therapist"] == therapist.pk
    assert proposals == sorted(proposals, key=lambda p: p["start"])
    # In Spanish when asked.
    es = persona("alice").api.get(PLAN, {"weeks": 4}, HTTP_ACCEPT_LANGUAGE="es")
    assert (
        "días" in next(p for p in es.json()["proposals"] if p["reason_code"] == "cadence")["reason"]
    )


def test_default_twelve_weeks_and_bad_weeks_are_a_400(persona, alice, service, therapist):
    assert persona("alice").api.get(PLAN).json()["weeks"] == 12
    assert_error(persona("alice").api.get(PLAN, {"weeks": 0}), 400, "invalid")
    assert_error(persona("alice").api.get(PLAN, {"weeks": "x"}), 400, "invalid")
    assert_error(persona("alice").api.get(PLAN, {"weeks": 27}), 400, "invalid")


def _choose(proposals):
    return [{k: p[k] for k in ("start", "therapist", "service")} for p in proposals]


def test_book_all_201(persona, alice, service, therapist, marathon):
    proposals = persona("alice").api.get(PLAN, {"weeks": 6}).json()["proposals"]
    r = persona("alice").api.post(PLAN, {"proposals": _choose(proposals)}, format="json")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["booked"] == len(proposals) and body["refused"] == 0
    assert Session.objects.filter(runner=alice, status="booked").count() == len(proposals)
    # Booked: the plan now has nothing left to propose in those weeks.
    again = persona("alice").api.get(PLAN, {"weeks": 6}).json()["proposals"]
    assert not {p["start"] for p in again} & {p["start"] for p in proposals}


def test_some_207_and_none_400(persona, alice, service, therapist, marathon):
    proposals = persona("alice").api.get(PLAN, {"weeks": 6}).json()["proposals"]
    chosen = _choose(proposals[:1])
    rest_day = {
        "start": local(2026, 12, 19, 10).isoformat(),  # Saturday: the race's rest day
        "therapist": therapist.pk,
        "service": service.pk,
    }
    r = persona("alice").api.post(PLAN, {"proposals": [*chosen, rest_day]}, format="json")
    assert r.status_code == 207, r.content
    refused = r.json()["occurrences"][1]
    assert refused["booked"] is False and refused["code"] in {
        "too_close_before_race",
        "outside_working_hours",
    }
    body = assert_error(
        persona("alice").api.post(PLAN, {"proposals": [rest_day]}, format="json"),
        400,
        "plan_refused",
    )
    assert body["booked"] == 0
    assert_error(persona("alice").api.post(PLAN, {"proposals": []}, format="json"), 400, "invalid")


def test_an_idempotency_key_makes_a_retry_safe(persona, alice, service, therapist):
    proposals = persona("alice").api.get(PLAN, {"weeks": 4}).json()["proposals"]
    payload = {"proposals": _choose(proposals)}
    first = persona("alice").api.post(PLAN, payload, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    again = persona("alice").api.post(PLAN, payload, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert first.status_code == again.status_code == 201
    assert Session.objects.filter(runner=alice).count() == len(proposals)


def test_staff_have_no_plan_and_anonymous_none(persona, service, therapist):
    for who in ("therapist", "clinic_admin"):
        assert_error(persona(who).api.get(PLAN), 403, "runners_only")
    assert persona(None).api.get(PLAN).status_code in (401, 403)


def test_a_runner_only_plans_and_books_for_themselves(
    persona, alice, bob, service, therapist, marathon
):
    # Bob sees none of Alice's races in his plan, and a booking made lands on Bob.
    bob_plan = persona("bob").api.get(PLAN, {"weeks": 4}).json()["proposals"]
    assert all(p["race"] is None for p in bob_plan)
    r = persona("bob").api.post(PLAN, {"proposals": _choose(bob_plan[:1])}, format="json")
    assert r.status_code == 201
    assert Session.objects.get().runner == bob


def test_the_plan_answers_in_a_fixed_number_of_queries(
    persona, alice, service, therapist, marathon, django_assert_max_num_queries
):
    client = persona("alice").api
    client.get(PLAN)
    for n in range(1, 6):
        RaceFactory(
            runner=alice,
            priority="A",
            start=local(2026, 12, 20, 9) + timedelta(weeks=n),
            finish=local(2026, 12, 20, 11) + timedelta(weeks=n),
        )
    with django_assert_max_num_queries(12):
        client.get(PLAN)
