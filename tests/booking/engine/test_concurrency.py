"""Concurrent bookings of one slot on PostgreSQL: exactly one wins, the rest get 409.

Three layers are shown separately:
- the real service (therapist row lock + re-check + exclusion constraint): 1 winner;
- the exclusion constraint alone (lock off, every thread passes the Python checks before
  anyone inserts): still 1 winner, the others' IntegrityError becomes slot_taken;
- the negative control (lock off AND constraint dropped): the race is real, several
  threads "win", so the tests above prove something.
"""

import threading
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction

from booking.engine import services
from booking.engine.codes import Code
from booking.engine.exceptions import BookingError, IdempotencyKeyReused
from booking.models import Session
from clinic.models import Therapist
from devtools.factories import RunnerFactory, ServiceFactory, SessionFactory, TherapistFactory
from tests.booking.engine.conftest import NOW, local

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 20
SLOT = local(2026, 12, 2, 10)


@pytest.fixture
def setup(clinic):
    therapist = TherapistFactory(clinic=clinic, display_name="Lucía")
    service = ServiceFactory(clinic=clinic, duration_minutes=60)
    runners = [RunnerFactory(clinic=clinic) for _ in range(THREADS)]
    return therapist, service, runners


def run_threads(target, n=THREADS):
    results: list = [None] * n
    start = threading.Barrier(n)

    def worker(i):
        try:
            start.wait(timeout=30)
            results[i] = target(i)
        except BookingError as exc:
            results[i] = exc
        except Exception as exc:  # anything else is a bug (a 500)
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def book_for(therapist, service, runners, start_for=lambda i: SLOT):
    def target(i):
        return services.session_book(
            runner=runners[i],
            service=service,
            therapist=therapist,
            start=start_for(i),
            by=runners[i].user,
            now=NOW,
            with_suggestions=False,
        )

    return target


def outcome(results):
    wins = [r for r in results if isinstance(r, Session)]
    codes = [r.code for r in results if isinstance(r, BookingError)]
    others = [r for r in results if not isinstance(r, Session | BookingError)]
    return wins, codes, others


def no_overlapping_rows(therapist):
    rows = list(
        Session.objects.filter(therapist=therapist, status__in=Session.ACTIVE_STATUSES)
        .order_by("start")
        .values_list("start", "end")
    )
    return all(a_end <= b_start for (_, a_end), (b_start, _) in zip(rows, rows[1:], strict=False))


def test_twenty_threads_one_slot_one_session(setup):
    therapist, service, runners = setup
    wins, codes, others = outcome(run_threads(book_for(therapist, service, runners)))
    assert others == []
    assert len(wins) == 1
    assert codes == [Code.SLOT_TAKEN] * (THREADS - 1)
    assert Session.objects.filter(therapist=therapist).count() == 1
    assert no_overlapping_rows(therapist)


def test_the_buffer_holds_under_concurrency(setup, clinic):
    """The constraint knows nothing of the buffer: the therapist lock keeps it."""
    clinic.buffer_minutes = 30
    clinic.save()
    therapist, service, runners = setup
    # 10:00-11:00 and 11:15-12:15 do not overlap, but are 15 minutes apart (< 30).
    starts = [SLOT if i % 2 else SLOT + timedelta(minutes=75) for i in range(THREADS)]
    wins, codes, others = outcome(
        run_threads(book_for(therapist, service, runners, lambda i: starts[i]))
    )
    assert others == [] and len(wins) == 1
    assert set(codes) == {Code.SLOT_TAKEN}


def _without_lock(monkeypatch, barrier):
    """Every thread runs the Python checks, then waits for all the others before
    inserting: the worst interleaving, on purpose."""
    monkeypatch.setattr(
        services, "lock_rows", lambda ids, runner_id: list(Therapist.objects.filter(pk__in=ids))
    )
    original = services._check
    seen = threading.local()

    def check_then_wait(**kw):
        found = original(**kw)
        if not getattr(seen, "waited", False):  # a retry does not wait again
            seen.waited = True
            barrier.wait(timeout=30)
        return found

    monkeypatch.setattr(services, "_check", check_then_wait)


def test_the_exclusion_constraint_alone_is_the_last_word(setup, monkeypatch):
    """Inserts that check the constraint against each other may deadlock; PostgreSQL
    aborts one and the service retries it, so every loser still ends as slot_taken."""
    therapist, service, runners = setup
    _without_lock(monkeypatch, threading.Barrier(THREADS))
    wins, codes, others = outcome(run_threads(book_for(therapist, service, runners)))
    assert others == [], others
    assert len(wins) == 1
    assert codes == [Code.SLOT_TAKEN] * (THREADS - 1)


def test_negative_control_without_lock_and_constraint_the_race_is_real(setup, monkeypatch):
    therapist, service, runners = setup
    constraint = next(
        c for c in Session._meta.constraints if c.name == "session_therapist_no_overlap"
    )
    with connection.schema_editor() as editor:
        editor.remove_constraint(Session, constraint)
    try:
        _without_lock(monkeypatch, threading.Barrier(THREADS))
        wins, codes, others = outcome(run_threads(book_for(therapist, service, runners)))
        assert others == []
        assert len(wins) >= 2, "without the guards, several bookings of one slot succeed"
    finally:
        Session.objects.all().delete()
        with connection.schema_editor() as editor:
            editor.add_constraint(Session, constraint)


def test_the_constraint_refuses_an_insert_that_bypasses_python(setup):
    therapist, service, runners = setup
    SessionFactory(therapist=therapist, service=service, runner=runners[0], start=SLOT)
    with pytest.raises(IntegrityError, match="session_therapist_no_overlap"), transaction.atomic():
        SessionFactory(
            therapist=therapist,
            service=service,
            runner=runners[1],
            start=SLOT + timedelta(minutes=30),
        )
    with pytest.raises(IntegrityError, match="session_runner_no_overlap"), transaction.atomic():
        SessionFactory(
            therapist=TherapistFactory(clinic=therapist.clinic),
            service=service,
            runner=runners[0],
            start=SLOT + timedelta(minutes=30),
        )


def test_idempotency_key_under_concurrency(setup):
    therapist, service, runners = setup
    runner = runners[0]

    def target(i):
        return services.session_book(
            runner=runner,
            service=service,
            therapist=therapist,
            start=SLOT,
            by=runner.user,
            now=NOW,
            idempotency_key="same-key",
            with_suggestions=False,
        )

    results = run_threads(target, n=8)
    assert all(isinstance(r, Session) for r in results), results
    assert len({r.pk for r in results}) == 1
    assert Session.objects.count() == 1


def test_one_key_sent_at_once_with_two_notes_books_once_and_refuses_the_other_note(setup):
    """Retries of one request race each other and a changed copy of it: one session, the
    retries get it, the copies with the other note are refused (never answered with it)."""
    therapist, service, runners = setup
    runner = runners[0]

    def target(i):
        return services.session_book(
            runner=runner,
            service=service,
            therapist=therapist,
            start=SLOT,
            by=runner.user,
            now=NOW,
            runner_note=f"note {i % 2}",
            idempotency_key="same-key",
            with_suggestions=False,
        )

    results = run_threads(target, n=8)
    (session,) = Session.objects.all()
    for i, result in enumerate(results):
        if f"note {i % 2}" == session.runner_note:
            assert isinstance(result, Session) and result.pk == session.pk, result
        else:
            assert isinstance(result, IdempotencyKeyReused), result


def test_one_runner_twenty_therapists_same_time_one_session(clinic):
    """The runner's side: the same runner racing to book one time with several
    therapists gets one session; the rest are runner_overlap (409)."""
    service = ServiceFactory(clinic=clinic, duration_minutes=60)
    therapists = [TherapistFactory(clinic=clinic) for _ in range(THREADS)]
    runner = RunnerFactory(clinic=clinic)

    def target(i):
        return services.session_book(
            runner=runner,
            service=service,
            therapist=therapists[i],
            start=SLOT,
            by=runner.user,
            now=NOW,
            with_suggestions=False,
        )

    wins, codes, others = outcome(run_threads(target))
    assert others == [] and len(wins) == 1
    assert codes == [Code.RUNNER_OVERLAP] * (THREADS - 1)
    assert Session.objects.filter(runner=runner).count() == 1
