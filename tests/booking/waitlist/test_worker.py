"""The waitlist end to end with the real Redis broker and real `celery worker` processes
(the helpers of tests/booking/reminders/test_worker.py): a cancellation with five runners
waiting reaches them in the order they joined, exactly one of them gets the time, and a
worker killed mid-batch sends no e-mail twice."""

import signal
import threading
import time
from datetime import date, datetime
from datetime import time as clock_time
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.utils import timezone

from booking.engine import waitlist
from booking.engine.services import session_book, session_cancel
from booking.models import Reminder, Session, WaitlistEntry, WaitlistOffer
from clinic import timeutils
from clinic.errors import CodedError
from devtools.factories import RunnerFactory, UserFactory
from tests.booking.reminders.test_worker import (
    _clear_broker,
    _messages_to,
    _start_worker,
    _stop,
    _wait_for,
    _worker_env,
)

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

MADRID = ZoneInfo("Europe/Madrid")
OFFERS = Reminder.Kind.WAITLIST_OFFER


@pytest.fixture
def outbox(tmp_path):
    path = tmp_path / "outbox"
    path.mkdir()
    return path


@pytest.fixture
def freed_slot(clinic):
    """A weekday 18:00 a few days ahead (clinic time)."""
    day = timeutils.local_date(timezone.now(), MADRID)
    day = date.fromordinal(day.toordinal() + 3)
    while day.weekday() >= 5:
        day = date.fromordinal(day.toordinal() + 1)
    return datetime.combine(day, clock_time(18), tzinfo=MADRID)


@pytest.fixture
def five_waiting(clinic, service, freed_slot):
    runners = []
    for i in range(5):
        runner = RunnerFactory(clinic=clinic, user=UserFactory(email=f"wl{i}@runners.test"))
        waitlist.join(
            runner=runner,
            service=service,
            first_day=timeutils.local_date(timezone.now(), MADRID),
            last_day=freed_slot.date(),
            earliest=clock_time(17),
            latest=clock_time(20),
        )
        runners.append(runner)
    return runners


def _cancel_the_held_session(bob, service, therapist, freed_slot):
    held = session_book(
        runner=bob, service=service, therapist=therapist, start=freed_slot, by=bob.user
    )
    session_cancel(session=held, by=bob.user)  # commits: the freed time goes to the worker


def test_a_cancellation_reaches_five_waiting_runners_in_order_and_one_gets_it(
    bob, service, therapist, five_waiting, freed_slot, outbox, tmp_path
):
    _clear_broker()
    log = tmp_path / "worker.log"
    worker = _start_worker(_worker_env(outbox), log)
    try:
        started = time.monotonic()
        _cancel_the_held_session(bob, service, therapist, freed_slot)
        _wait_for(
            lambda: Reminder.objects.filter(kind=OFFERS, state="sent").count() == 5,
            timeout=60,
            what="five offers sent",
            log=log,
        )
        within = time.monotonic() - started
        # Five claims at once: the engine (therapist lock, exclusion constraint) decides.
        offers = list(WaitlistOffer.objects.order_by("entry__joined_at"))
        results: dict[int, str] = {}

        def claim(offer):
            try:
                waitlist.claim(offer=offer, by=offer.runner.user)
                results[offer.pk] = "booked"
            except CodedError as exc:
                results[offer.pk] = exc.code
            finally:
                connection.close()

        threads = [threading.Thread(target=claim, args=(o,)) for o in offers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        time.sleep(2)  # the winner's confirmation goes out through the worker too
    finally:
        _stop(worker)
    assert within < 60
    sent = Reminder.objects.filter(kind=OFFERS).order_by("sent_at")
    assert [r.runner_id for r in sent] == [r.pk for r in five_waiting]
    for runner in five_waiting:
        assert len(_messages_to(outbox, runner.user.email)) >= 1
        offer_mails = [
            m for m in _messages_to(outbox, runner.user.email) if "/reminders/offer/" in m
        ]
        assert len(offer_mails) == 1
    assert sorted(results.values()) == ["booked"] + ["offer_taken"] * 4
    assert Session.objects.filter(start=freed_slot, status="booked").count() == 1
    winner = Session.objects.get(start=freed_slot, status="booked").runner_id
    assert WaitlistEntry.objects.filter(left_at__isnull=True).count() == 4
    assert not WaitlistEntry.objects.filter(runner_id=winner, left_at__isnull=True).exists()


def test_a_worker_killed_mid_batch_sends_no_offer_twice(
    bob, service, therapist, five_waiting, freed_slot, outbox, tmp_path
):
    _clear_broker()
    env = _worker_env(
        outbox,
        EMAIL_BACKEND="tests.support.mail.SlowFileBackend",
        SLOW_EMAIL_DELAY="2",
        CELERY_VISIBILITY_TIMEOUT="6",
    )
    log = tmp_path / "worker.log"
    _cancel_the_held_session(bob, service, therapist, freed_slot)
    first = _start_worker(env, log)
    try:
        _wait_for(
            lambda: Reminder.objects.filter(kind=OFFERS, state="sent").count() >= 1,
            timeout=60,
            what="the first offer sent",
            log=log,
        )
        _stop(first, signal.SIGKILL)  # the second e-mail is on its way
    finally:
        _stop(first, signal.SIGKILL)
    sent_before = Reminder.objects.filter(kind=OFFERS, state="sent").count()
    assert 1 <= sent_before < 5
    assert sum(len(_messages_to(outbox, r.user.email)) for r in five_waiting) == sent_before
    time.sleep(7)  # past the visibility timeout: the broker hands the task out again
    second = _start_worker(env, log)
    try:
        _wait_for(
            lambda: Reminder.objects.filter(kind=OFFERS, state="sent").count() == 5,
            timeout=90,
            what="the redelivered batch",
            log=log,
        )
        time.sleep(2)
    finally:
        _stop(second)
    for runner in five_waiting:
        assert len(_messages_to(outbox, runner.user.email)) == 1, runner.user.email
    assert WaitlistOffer.objects.count() == 5
