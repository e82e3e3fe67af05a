"""The admin refuses like the API and the pages; the benchmark command runs."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from booking.admin import SessionBookForm, SessionChangeForm
from booking.engine.codes import Code
from booking.engine.services import session_violations
from booking.models import Session
from clinic.models import User
from devtools.factories import RaceFactory, SessionFactory, UserFactory
from tests.booking.engine.conftest import NOW, local

pytestmark = pytest.mark.django_db


def data_for(runner, therapist, service, start, **extra):
    return {
        "runner": runner.pk,
        "therapist": therapist.pk,
        "service": service.pk,
        "clinic": therapist.clinic_id,
        # The project's TIME_ZONE is UTC; `local()` gives UTC datetimes.
        "start": start.strftime("%Y-%m-%d %H:%M:%S"),
        "end": (start + service.duration).strftime("%Y-%m-%d %H:%M:%S"),
        "status": "booked",
        "discomfort_areas": "[]",
        "areas_treated": "{}",
        **extra,
    }


def admin_of(clinic):
    """The clinic's admin: the author the admin's forms record."""
    return UserFactory(role=User.Role.CLINIC_ADMIN, clinic=clinic, is_staff=True)


def form_for(runner, therapist, service, start, **extra):
    data = data_for(runner, therapist, service, start, **extra)
    return SessionBookForm(data=data, by=admin_of(therapist.clinic))


def test_admin_form_refuses_a_taken_slot(alice, bob, therapist, service, clock):
    clock.move_to(NOW)
    start = local(2026, 12, 2, 10)
    SessionFactory(runner=bob, therapist=therapist, service=service, start=start)
    violations = session_violations(
        runner=alice, service=service, therapist=therapist, start=start, now=NOW
    )
    assert Code.SLOT_TAKEN in [v.code for v in violations]
    form = form_for(alice, therapist, service, start)
    assert not form.is_valid()
    # (on PostgreSQL Django's own constraint validation adds the exclusion constraint's)
    assert [e.code for e in form.non_field_errors().as_data()][0] == Code.SLOT_TAKEN


def test_admin_override_reason_lets_a_race_rule_pass(alice, therapist, service, clock):
    clock.move_to(NOW)
    RaceFactory(runner=alice, start=local(2026, 12, 5, 9), finish=local(2026, 12, 5, 12))
    # A Saturday race: Friday is the rest day.
    start = local(2026, 12, 4, 10)
    form = form_for(alice, therapist, service, start)
    assert not form.is_valid()
    assert [e.code for e in form.non_field_errors().as_data()] == [Code.TOO_CLOSE_BEFORE_RACE]
    form = form_for(alice, therapist, service, start, race_override_reason="Agreed")
    assert form.is_valid(), form.errors


def test_admin_may_edit_notes_of_a_past_session(alice, therapist, service, clock):
    clock.move_to(NOW)
    session = SessionFactory(
        runner=alice,
        therapist=therapist,
        service=service,
        start=local(2026, 11, 20, 10),
        status=Session.Status.ATTENDED,
    )
    data = data_for(alice, therapist, service, session.start) | {
        "status": "attended",
        "therapist_note": "fine",
    }
    form = SessionChangeForm(data=data, instance=session, by=admin_of(therapist.clinic))
    assert form.is_valid(), form.errors


def test_bench_availability_prints_one_json_line(clinic):
    out = StringIO()
    call_command(
        "bench_availability",
        "--json",
        "--runs",
        "1",
        "--therapists",
        "3",
        "--sessions",
        "60",
        "--runners",
        "20",
        stdout=out,
    )
    figures = json.loads(out.getvalue().strip().splitlines()[-1])
    assert figures["therapists"] == 3 and figures["sessions"] == 60
    assert figures["clinic_30d_queries"] <= 6 and figures["therapist_30d_queries"] <= 6
    assert figures["clinic_30d_slots"] > 0
