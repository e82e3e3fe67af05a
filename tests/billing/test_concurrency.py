"""Two bookings of one runner at once on the last credit: exactly one uses it (the other
is booked and paid alone), on PostgreSQL with real threads.

- the real service: the runner row lock (booking.engine.locking) and the grant row lock
  (billing.ledger.use_for_session) serialise the two; one credit, one use;
- the CHECK alone (both locks off, both threads read the grant before either writes):
  the second write breaks `grant_never_negative`; that booking is paid alone, never a
  500 and never a negative balance;
- the negative control (locks off and the CHECK dropped): both "use" the last credit and
  the balance goes below zero, so the two tests above prove something.
"""

import threading
from datetime import date, datetime, time

import pytest
from django.db import connection

from billing import ledger
from billing.models import CreditGrant, LedgerEntry
from booking.engine import services
from booking.models import Session
from clinic.models import Therapist
from devtools.factories import TherapistFactory
from tests.support.clock import MADRID

DAY_1, DAY_2 = date(2026, 12, 2), date(2026, 12, 4)  # Wednesday and Friday

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True), pytest.mark.clock]


@pytest.fixture
def last_credit(pack, alice, sell, clinic, service):
    sell(pack, alice)
    CreditGrant.objects.update(remaining=1)  # four used elsewhere: the last one is left
    therapists = [TherapistFactory(clinic=clinic, display_name=f"T{i}") for i in range(2)]
    starts = [datetime.combine(day, time(10), tzinfo=MADRID) for day in (DAY_1, DAY_2)]
    return alice, service, therapists, starts


def run_two(alice, service, therapists, starts):
    results: list = [None, None]
    barrier = threading.Barrier(2)

    def worker(i):
        try:
            barrier.wait(timeout=30)
            results[i] = services.session_book(
                runner=alice,
                service=service,
                therapist=therapists[i],
                start=starts[i],
                by=alice.user,
                with_suggestions=False,
            )
        except Exception as exc:  # a BookingError is an answer; anything else a bug
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def _without_locks(monkeypatch, barrier):
    """No runner lock, and the grant read without FOR UPDATE, then both threads wait for
    each other before writing: the worst interleaving, on purpose."""
    monkeypatch.setattr(
        services, "lock_rows", lambda ids, runner_id: list(Therapist.objects.filter(pk__in=ids))
    )
    original_usable = ledger.usable_grants

    class NoLock:
        def __init__(self, qs):
            self.qs = qs

        def select_for_update(self, **kw):
            return self

        def first(self):
            found = self.qs.first()
            barrier.wait(timeout=30)
            return found

    monkeypatch.setattr(ledger, "usable_grants", lambda **kw: NoLock(original_usable(**kw)))


def test_two_bookings_on_the_last_credit_exactly_one_uses_it(last_credit):
    results = run_two(*last_credit)
    assert all(isinstance(r, Session) for r in results), results
    assert LedgerEntry.objects.filter(kind="use").count() == 1
    assert CreditGrant.objects.get().remaining == 0


def test_the_check_alone_refuses_the_overdraw(last_credit, monkeypatch):
    _without_locks(monkeypatch, threading.Barrier(2))
    results = run_two(*last_credit)
    assert all(isinstance(r, Session) for r in results), results  # the loser paid alone
    assert CreditGrant.objects.get().remaining == 0
    assert LedgerEntry.objects.filter(kind="use").count() == 1


def test_negative_control_without_locks_and_check_the_race_is_real(last_credit, monkeypatch):
    constraint = next(c for c in CreditGrant._meta.constraints if c.name == "grant_never_negative")
    with connection.schema_editor() as editor:
        editor.remove_constraint(CreditGrant, constraint)
    try:
        _without_locks(monkeypatch, threading.Barrier(2))
        results = run_two(*last_credit)
        assert all(isinstance(r, Session) for r in results), results
        assert LedgerEntry.objects.filter(kind="use").count() == 2
        assert CreditGrant.objects.get().remaining == -1
    finally:
        CreditGrant.objects.update(remaining=0)
        with connection.schema_editor() as editor:
            editor.add_constraint(CreditGrant, constraint)
