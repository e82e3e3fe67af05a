"""Every refusal code, at its edges, through the booking service (the one door the API,
the pages and the admin use). A refusal books nothing and offers slots that do pass."""

from datetime import timedelta
from decimal import Decimal

import pytest

from booking.engine import context, locking, rules, services
from booking.engine.availability import Slot
from booking.engine.codes import Code
from booking.engine.exceptions import BookingError
from booking.models import Session
from booking.reminders import tasks
from clinic.models import RaceWindow
from devtools.factories import RaceFactory, SessionFactory, TherapistFactory, TimeOffFactory
from tests.booking.engine.conftest import NOW, local

pytestmark = pytest.mark.django_db

# Wednesday 2 December 2026, 10:00 in Madrid: a working hour, well inside the notice.
WED_10 = local(2026, 12, 2, 10)


def book(runner, service, therapist, start, **kw):
    kw.setdefault("by", runner.user)
    kw.setdefault("now", NOW)
    return services.session_book(
        runner=runner, service=service, therapist=therapist, start=start, **kw
    )


def refused(code, runner, service, therapist, start, **kw):
    before = Session.objects.count()
    with pytest.raises(BookingError) as info:
        book(runner, service, therapist, start, **kw)
    assert info.value.code == code, info.value.detail
    assert Session.objects.count() == before, "a refusal must book nothing"
    return info.value


def assert_suggestions_pass(error, runner, service):
    """Each suggested slot passes the validator for this runner."""
    assert error.suggestions, "a refusal offers the nearest slots that pass"
    assert len(error.suggestions) <= 3
    # One shape from the engine: Slot objects; the API and the pages render them.
    assert all(isinstance(slot, Slot) for slot in error.suggestions)
    for slot in error.suggestions:
        therapist = type(service.clinic.therapists.first()).objects.get(pk=slot.therapist_id)
        ctx = context.load_context(
            clinic=service.clinic,
            therapist_ids=[therapist.pk],
            runner=runner,
            span_start=slot.start - timedelta(days=1),
            span_end=slot.end + timedelta(days=1),
        )
        assert (
            rules.check(
                start=slot.start,
                end=slot.end,
                therapist=ctx.therapists[therapist.pk],
                service_active=service.active,
                runner=ctx.runner,
                policy=ctx.policy,
                now=NOW,
            )
            == []
        )


def test_a_valid_booking_is_created_with_its_history(alice, service, therapist):
    session = book(alice, service, therapist, WED_10, discomfort_areas=["legs"])
    assert session.status == Session.Status.BOOKED
    assert session.end - session.start == timedelta(minutes=60)
    assert session.clinic_id == therapist.clinic_id
    assert session.price == service.price
    assert [e.kind for e in session.events.all()] == ["booked"]


def test_in_the_past(alice, service, therapist):
    refused(Code.IN_THE_PAST, alice, service, therapist, NOW - timedelta(minutes=1))


def test_too_short_notice_at_the_edge(alice, service, therapist, clinic):
    # 120 minutes' notice: 10:00 local is exactly NOW + 2 h on Tuesday: passes.
    edge = NOW + timedelta(minutes=clinic.min_notice_minutes)
    assert book(alice, service, therapist, edge).start == edge
    error = refused(Code.TOO_SHORT_NOTICE, alice, service, therapist, edge - timedelta(minutes=15))
    assert "120" in error.detail
    assert_suggestions_pass(error, alice, service)


def test_too_far_ahead(alice, service, therapist, clinic):
    # Thursday 25 Feb 2027 is 86 days ahead (ok); Tuesday 2 March 2027 is 91 (not).
    assert book(alice, service, therapist, local(2027, 2, 25, 10))
    error = refused(Code.TOO_FAR_AHEAD, alice, service, therapist, local(2027, 3, 2, 10))
    assert "90" in error.detail
    # The nearest slots that pass are the last bookable ones.
    assert_suggestions_pass(error, alice, service)
    assert all(s.start <= NOW + timedelta(days=90) for s in error.suggestions)
    assert all(s.start >= local(2027, 2, 26) for s in error.suggestions)


def test_outside_working_hours(alice, service, therapist):
    # 13:30 + 60 min runs into the lunch break; Saturday is not worked at all.
    refused(Code.OUTSIDE_WORKING_HOURS, alice, service, therapist, local(2026, 12, 2, 13, 30))
    refused(Code.OUTSIDE_WORKING_HOURS, alice, service, therapist, local(2026, 12, 5, 10))
    assert book(alice, service, therapist, local(2026, 12, 2, 13))


def test_working_hours_valid_from_and_until(alice, service, clinic):
    from datetime import date, time

    t = TherapistFactory(clinic=clinic, hours=[])
    t.hours.create(weekday=2, start_time=time(9), end_time=time(14), valid_until=date(2026, 12, 9))
    t.hours.create(weekday=2, start_time=time(16), end_time=time(20), valid_from=date(2026, 12, 9))
    assert book(alice, service, t, local(2026, 12, 2, 10))
    refused(Code.OUTSIDE_WORKING_HOURS, alice, service, t, local(2026, 12, 9, 10))
    assert book(alice, service, t, local(2026, 12, 9, 17))


def test_therapist_time_off(alice, service, therapist):
    TimeOffFactory(therapist=therapist, start=local(2026, 12, 2, 9), end=local(2026, 12, 2, 11))
    error = refused(Code.THERAPIST_TIME_OFF, alice, service, therapist, local(2026, 12, 2, 10))
    assert "Lucía Martín" in error.detail
    assert book(alice, service, therapist, local(2026, 12, 2, 11))


def test_slot_taken_is_a_conflict_with_suggestions(alice, bob, service, therapist):
    book(bob, service, therapist, WED_10)
    error = refused(Code.SLOT_TAKEN, alice, service, therapist, local(2026, 12, 2, 10, 30))
    assert error.status_code == 409
    assert_suggestions_pass(error, alice, service)


def test_slot_taken_includes_the_buffer(alice, bob, service, therapist, clinic):
    clinic.buffer_minutes = 15
    clinic.save()
    book(bob, service, therapist, WED_10)  # 10:00-11:00, blocks until 11:15
    refused(Code.SLOT_TAKEN, alice, service, therapist, local(2026, 12, 2, 11, 0))
    refused(Code.SLOT_TAKEN, alice, service, therapist, local(2026, 12, 2, 9, 0))
    assert book(alice, service, therapist, local(2026, 12, 2, 11, 15))


def test_a_cancelled_session_frees_the_slot(alice, bob, service, therapist):
    SessionFactory(
        runner=bob,
        therapist=therapist,
        service=service,
        start=WED_10,
        status=Session.Status.CANCELLED,
    )
    assert book(alice, service, therapist, WED_10)


def test_runner_overlap_with_another_therapist(alice, service, therapist, clinic):
    other = TherapistFactory(clinic=clinic)
    book(alice, service, other, WED_10)
    error = refused(Code.RUNNER_OVERLAP, alice, service, therapist, local(2026, 12, 2, 10, 30))
    assert error.status_code == 409
    # Back to back is fine.
    assert book(alice, service, therapist, local(2026, 12, 2, 11))


def test_inactive_service_and_therapist(alice, service, therapist):
    service.active = False
    service.save()
    error = refused(Code.INACTIVE, alice, service, therapist, WED_10)
    assert "service" in error.detail
    service.active = True
    service.save()
    therapist.active = False
    therapist.save()
    error = refused(Code.INACTIVE, alice, service, therapist, WED_10)
    assert "therapist" in error.detail


def test_service_of_another_clinic_is_invalid(alice, service, other_therapist):
    refused(Code.INVALID, alice, service, other_therapist, WED_10)


def test_naive_start_is_invalid(alice, service, therapist):
    refused(Code.INVALID, alice, service, therapist, WED_10.replace(tzinfo=None))


# Race rules at their exact edges.


def test_too_soon_after_race_edges(alice, service, therapist):
    # The race finishes Monday 7 Dec 10:00 local; 24 h later is Tuesday 8 Dec 10:00.
    race = RaceFactory(
        runner=alice,
        name="San Silvestre",
        start=local(2026, 12, 7, 9),
        finish=local(2026, 12, 7, 10),
    )
    error = refused(Code.TOO_SOON_AFTER_RACE, alice, service, therapist, local(2026, 12, 8, 9, 59))
    assert "San Silvestre" in error.detail and "24" in error.detail
    assert error.extra == {"race": race.pk}
    assert_suggestions_pass(error, alice, service)
    # The 15-minute grid does not apply to the validator: staff may book 09:59.
    assert book(alice, service, therapist, local(2026, 12, 8, 10))


def test_too_close_before_race_edges(alice, service, therapist):
    # The race starts Saturday 12 Dec 09:00 local; 48 h before is Thursday 10 Dec 09:00,
    # so a session must END by then: Wednesday is fine, Thursday 09:00 is not.
    RaceFactory(
        runner=alice,
        name="Maratón de Valencia",
        start=local(2026, 12, 12, 9),
        finish=local(2026, 12, 12, 13),
    )
    error = refused(Code.TOO_CLOSE_BEFORE_RACE, alice, service, therapist, local(2026, 12, 10, 9))
    assert "Maratón de Valencia" in error.detail and "48" in error.detail
    assert book(alice, service, therapist, local(2026, 12, 9, 19))  # ends 20:00 Wed


def test_race_rule_exactly_at_the_boundary(alice, service, clinic):
    from datetime import time

    # A therapist who works at night-ish hours lets us hit the exact minute.
    t = TherapistFactory(clinic=clinic, hours=[(d, time(7), time(22)) for d in range(7)])
    RaceFactory(
        runner=alice, name="10K", start=local(2026, 12, 10, 18), finish=local(2026, 12, 10, 19)
    )
    # ends exactly 48 h before the start: passes; a minute later: refused
    refused(Code.TOO_CLOSE_BEFORE_RACE, alice, service, t, local(2026, 12, 8, 17, 1))
    assert book(alice, service, t, local(2026, 12, 8, 17))
    # starts exactly 24 h after the finish: passes; a minute sooner: refused
    refused(Code.TOO_SOON_AFTER_RACE, alice, service, t, local(2026, 12, 11, 18, 59))
    assert book(alice, service, t, local(2026, 12, 11, 19))


def test_race_windows_per_distance_and_priority(alice, service, clinic):
    from datetime import time

    t = TherapistFactory(clinic=clinic, hours=[(d, time(7), time(22)) for d in range(7)])
    RaceWindow.objects.create(
        clinic=clinic, min_distance_km=Decimal("42"), after_race_hours=72, before_race_hours=72
    )
    RaceWindow.objects.create(
        clinic=clinic, priority="A", after_race_hours=48, before_race_hours=48
    )
    RaceFactory(
        runner=alice,
        name="Maratón",
        distance_km=Decimal("42.195"),
        start=local(2026, 12, 6, 9),
        finish=local(2026, 12, 6, 13),
    )
    RaceFactory(
        runner=alice,
        name="Parkrun 5K",
        distance_km=Decimal("5"),
        start=local(2026, 12, 20, 9),
        finish=local(2026, 12, 20, 10),
    )
    # Marathon: 72 h after 13:00 Sunday is 13:00 Wednesday.
    error = refused(Code.TOO_SOON_AFTER_RACE, alice, service, t, local(2026, 12, 9, 12))
    assert "Maratón" in error.detail and "72" in error.detail
    assert book(alice, service, t, local(2026, 12, 9, 13))
    # 5 km, priority B: default 24 h after 10:00 Sunday.
    assert book(alice, service, t, local(2026, 12, 21, 10))
    # Same 5 km made an A race: 48 h.
    alice.races.filter(name="Parkrun 5K").update(priority="A")
    refused(Code.TOO_SOON_AFTER_RACE, alice, service, t, local(2026, 12, 22, 9))


# Staff override of a race rule.


def test_staff_may_override_a_race_rule_with_a_reason(alice, service, therapist):
    RaceFactory(
        runner=alice, name="Trail", start=local(2026, 12, 5, 9), finish=local(2026, 12, 5, 14)
    )
    session = book(
        alice,
        service,
        therapist,
        local(2026, 12, 3, 10),
        by=therapist.user,
        override_reason="Light session agreed with the runner",
    )
    assert session.race_override_reason == "Light session agreed with the runner"
    assert session.race_override_by == therapist.user
    override = session.events.get(kind="override")
    assert override.data["rules"] == [Code.TOO_CLOSE_BEFORE_RACE]
    assert override.data["reason"] == "Light session agreed with the runner"


def test_clinic_admin_may_override(alice, service, therapist, clinic_admin):
    RaceFactory(runner=alice, start=local(2026, 12, 5, 9), finish=local(2026, 12, 5, 14))
    assert (
        book(
            alice, service, therapist, local(2026, 12, 3, 10), by=clinic_admin, override_reason="ok"
        ).race_override_by
        == clinic_admin
    )


def test_runner_and_other_clinic_staff_may_not_override(alice, service, therapist, other_therapist):
    RaceFactory(runner=alice, start=local(2026, 12, 5, 9), finish=local(2026, 12, 5, 14))
    error = refused(
        Code.OVERRIDE_NOT_ALLOWED,
        alice,
        service,
        therapist,
        local(2026, 12, 3, 10),
        override_reason="please",
    )
    assert error.status_code == 403
    refused(
        Code.OVERRIDE_NOT_ALLOWED,
        alice,
        service,
        therapist,
        local(2026, 12, 3, 10),
        by=other_therapist.user,
        override_reason="please",
    )


def test_override_does_not_lift_other_rules(alice, bob, service, therapist):
    book(bob, service, therapist, WED_10)
    refused(
        Code.SLOT_TAKEN, alice, service, therapist, WED_10, by=therapist.user, override_reason="x"
    )


# Idempotency and e-mails on commit.


def test_same_idempotency_key_returns_the_same_session(alice, service, therapist):
    first = book(alice, service, therapist, WED_10, idempotency_key="abc")
    again = book(alice, service, therapist, WED_10, idempotency_key="abc")
    assert again.pk == first.pk
    assert again.replayed and not first.replayed
    assert Session.objects.count() == 1


def test_a_key_reused_for_another_request_is_refused_with_422(alice, service, therapist):
    first = book(alice, service, therapist, WED_10, idempotency_key="abc", runner_note="Calves")
    error = refused(
        Code.IDEMPOTENCY_KEY_REUSED,
        alice,
        service,
        therapist,
        WED_10,
        idempotency_key="abc",
        runner_note="Hamstrings",
    )
    assert error.status_code == 422 and error.suggestions == []
    assert error.session_id == first.pk
    assert Session.objects.get().runner_note == "Calves"


def test_a_session_booked_before_fingerprints_were_kept_is_replayed(alice, service, therapist):
    """Rows from before the fingerprint column have nothing to compare with: a retry of
    theirs is answered with the session, as it was then."""
    old = SessionFactory(runner=alice, therapist=therapist, service=service, start=WED_10)
    Session.objects.filter(pk=old.pk).update(idempotency_key="old-key")
    again = book(alice, service, therapist, WED_10, idempotency_key="old-key", runner_note="x")
    assert again.pk == old.pk and again.replayed
    assert Session.objects.count() == 1


def test_confirmation_is_enqueued_only_on_commit(
    alice, service, therapist, django_capture_on_commit_callbacks, monkeypatch
):
    sent = []

    monkeypatch.setattr(tasks.deliver_reminders, "delay", lambda ids: sent.extend(ids))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        session = book(alice, service, therapist, WED_10)
    assert sent == []
    for callback in callbacks:
        callback()
    assert sent == list(session.reminders.filter(kind="confirmation").values_list("pk", flat=True))
    assert len(sent) == 1


def test_a_refusal_enqueues_nothing(alice, service, therapist, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with pytest.raises(BookingError):
            book(alice, service, therapist, NOW - timedelta(hours=1))
    assert callbacks == []


def test_booking_runs_a_fixed_number_of_queries(
    alice, bob, service, therapist, django_assert_max_num_queries
):
    for d in range(20):
        SessionFactory(
            runner=bob,
            therapist=therapist,
            service=service,
            start=local(2026, 12, 3, 9) + timedelta(days=d),
        )
    RaceFactory(runner=alice, start=local(2026, 12, 20, 9), finish=local(2026, 12, 20, 12))
    # 12 for the booking, 1 for its confirmation e-mail's row (written with the booking).
    with django_assert_max_num_queries(13):
        book(alice, service, therapist, WED_10)


class _Deadlock(Exception):
    sqlstate = "40P01"


def _deadlocking_check(monkeypatch, times):
    from django.db import OperationalError

    original = services._check
    calls = {"n": 0}

    def check(**kw):
        calls["n"] += 1
        if calls["n"] <= times:
            raise OperationalError("deadlock detected") from _Deadlock()
        return original(**kw)

    monkeypatch.setattr(services, "_check", check)
    return calls


def test_a_deadlock_is_retried(alice, service, therapist, monkeypatch):
    calls = _deadlocking_check(monkeypatch, times=1)
    assert book(alice, service, therapist, WED_10)
    assert calls["n"] == 2


def test_a_deadlock_that_persists_is_slot_taken_not_a_500(alice, service, therapist, monkeypatch):
    _deadlocking_check(monkeypatch, times=locking.RETRIES)
    error = refused(Code.SLOT_TAKEN, alice, service, therapist, WED_10)
    assert error.status_code == 409
