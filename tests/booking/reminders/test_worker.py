"""End to end: the real Redis broker and real `celery worker` processes started here.

The worker runs the project's settings against this test database (the rows are
committed: transactional tests) and writes e-mails with a file-based backend, so the
test reads the outbox from disk, not from a mock.
"""

import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta
from datetime import time as wall_time
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from booking.engine.services import session_book
from booking.models import Reminder, Session
from booking.reminders import tasks
from clinic.celery import app
from devtools.factories import RunnerFactory, UserFactory

ROOT = Path(__file__).resolve().parents[3]

pytestmark = [
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]


def _clear_broker():
    app.control.purge()
    with app.connection_for_write() as conn:
        client = conn.default_channel.client
        client.delete("unacked", "unacked_index", "unacked_mutex")


def _worker_env(outbox: Path, **extra) -> dict:
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": (
            f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        ),
        "REDIS_URL": settings.REDIS_URL,
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(outbox),
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "PYTHONPATH": str(ROOT),
    }
    env.update(extra)
    return env


def _start_worker(env: dict, log: Path, pool: str = "solo") -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "clinic",
            "worker",
            f"--pool={pool}",
            "--concurrency=1",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=INFO",
            "-n",
            f"e2e-{os.getpid()}-{time.monotonic_ns()}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: killed as a whole
    )


def _stop(worker: subprocess.Popen, sig=signal.SIGTERM) -> None:
    if worker.poll() is None:
        os.killpg(worker.pid, sig)
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry))
    return found


def _wait_for(predicate, *, timeout: float, what: str, log: Path):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}; worker log:\n{log.read_text()[-4000:]}")


def _wait_until_sent(count: int, *, what: str, log: Path, timeout: float = 60, **rows) -> None:
    """Until `count` reminder rows (of these `rows` filters) are sent."""
    _wait_for(
        lambda: Reminder.objects.filter(state="sent", **rows).count() == count,
        timeout=timeout,
        what=what,
        log=log,
    )


def _messages_to(outbox: Path, address: str) -> list[str]:
    found = []
    for path in sorted(outbox.glob("*.log")):
        for message in path.read_text().split("-" * 79):
            if f"To: {address}" in message:
                found.append(message)
    return found


@pytest.fixture
def due_clinic(clinic):
    """The clinic's reminder hour is the current local hour, so the real scan acts now."""
    clinic.reminder_hour = clinic.local(timezone.now()).hour
    clinic.save(update_fields=["reminder_hour"])
    return clinic


@pytest.fixture
def outbox(tmp_path):
    path = tmp_path / "outbox"
    path.mkdir()
    return path


def test_a_due_runner_gets_exactly_one_email_through_a_real_worker(
    alice, bob, therapist, service, due_clinic, outbox, tmp_path
):
    bob.reminders_opt_in = False
    bob.save()
    _clear_broker()
    log = tmp_path / "worker.log"
    worker = _start_worker(_worker_env(outbox), log)
    try:
        # Two beats (say, a restarted beat) and the scan's own batch tasks.
        tasks.cadence_scan.delay()
        tasks.cadence_scan.delay()
        _wait_until_sent(1, what="the cadence reminder", log=log, runner=alice)
        # A booking's confirmation is enqueued on commit and sent by the worker too.
        tomorrow_10 = timezone.localtime(timezone.now(), due_clinic.tz).replace(
            hour=10, minute=0, second=0, microsecond=0
        ) + timedelta(days=7)
        while tomorrow_10.weekday() >= 5:
            tomorrow_10 += timedelta(days=1)
        session = session_book(
            runner=bob, service=service, therapist=therapist, start=tomorrow_10, by=bob.user
        )
        _wait_until_sent(1, what="the confirmation", log=log, session=session)
        tasks.cadence_scan.delay()  # a third beat, after the e-mail went out
        time.sleep(3)
    finally:
        _stop(worker)
    cadence = _messages_to(outbox, "alice@runners.test")
    assert len(cadence) == 1, log.read_text()[-4000:]
    assert "Time to book your unloading massage" in cadence[0]
    assert "/reminders/unsubscribe/" in cadence[0]
    confirmation = _messages_to(outbox, "bob@runners.test")
    assert len(confirmation) == 1
    assert "text/calendar" in confirmation[0]
    assert "private knee note" not in confirmation[0]
    assert Session.objects.count() == 1


def test_a_worker_killed_mid_batch_is_redelivered_without_duplicates(due_clinic, outbox, tmp_path):
    runners = [
        RunnerFactory(clinic=due_clinic, user=UserFactory(email=f"r{i}@runners.test"))
        for i in range(3)
    ]
    _clear_broker()
    env = _worker_env(
        outbox,
        EMAIL_BACKEND="tests.support.mail.SlowFileBackend",
        SLOW_EMAIL_DELAY="2",
        CELERY_VISIBILITY_TIMEOUT="6",
    )
    log = tmp_path / "worker.log"
    tasks.send_cadence_batch.delay([r.pk for r in runners])
    first = _start_worker(env, log)
    try:
        _wait_until_sent(1, what="the first e-mail of the batch", log=log)
        # The second e-mail is on its way (the backend is sleeping): kill -9 the worker.
        _stop(first, signal.SIGKILL)
    finally:
        _stop(first, signal.SIGKILL)
    # The one being sent when the worker died rolled back to pending, like the third.
    assert Reminder.objects.filter(state="sent").count() == 1
    assert Reminder.objects.filter(state="pending").count() == 2
    assert sum(len(_messages_to(outbox, r.user.email)) for r in runners) == 1
    time.sleep(7)  # past the visibility timeout: the broker hands the message out again
    second = _start_worker(env, log)
    try:
        _wait_until_sent(3, what="the redelivered batch", log=log, timeout=90)
        time.sleep(2)
    finally:
        _stop(second)
    for r in runners:
        assert len(_messages_to(outbox, r.user.email)) == 1, r.user.email
    assert Reminder.objects.count() == 3


def test_a_pool_process_killed_mid_send_is_redelivered_at_once_without_duplicates(
    due_clinic, outbox, tmp_path
):
    """The prefork child dies (OOM killer, say) while the parent lives: with acks_late and
    task_reject_on_worker_lost the message goes back to the queue straight away."""
    runners = [
        RunnerFactory(clinic=due_clinic, user=UserFactory(email=f"p{i}@runners.test"))
        for i in range(3)
    ]
    _clear_broker()
    env = _worker_env(
        outbox, EMAIL_BACKEND="tests.support.mail.SlowFileBackend", SLOW_EMAIL_DELAY="2"
    )
    log = tmp_path / "worker.log"
    tasks.send_cadence_batch.delay([r.pk for r in runners])
    worker = _start_worker(env, log, pool="prefork")
    try:
        _wait_until_sent(1, what="the first e-mail of the batch", log=log)
        (child,) = _children(worker.pid)
        os.kill(child, signal.SIGKILL)
        _wait_until_sent(3, what="the requeued batch", log=log, timeout=90)
        time.sleep(2)
    finally:
        _stop(worker)
    assert "WorkerLostError" in log.read_text()
    for r in runners:
        assert len(_messages_to(outbox, r.user.email)) == 1, r.user.email


def test_a_race_change_sends_one_email_through_a_real_worker(
    alice, therapist, service, clinic, outbox, tmp_path
):
    """Issue 14: a race logged after a session was booked; the e-mail is sent by a real
    worker, once per race change: none for a second, unchanged save."""
    from devtools.factories import SessionFactory
    from runners import services as race_services

    today = clinic.local(timezone.now()).date()
    friday = today + timedelta(days=(4 - today.weekday()) % 7 + 7)
    session = SessionFactory(
        runner=alice,
        therapist=therapist,
        service=service,
        start=datetime.combine(friday, wall_time(18), tzinfo=clinic.tz),
    )
    saturday_9 = datetime.combine(friday + timedelta(days=1), wall_time(9), tzinfo=clinic.tz)
    _clear_broker()
    log = tmp_path / "worker.log"
    worker = _start_worker(_worker_env(outbox), log)
    try:
        race = race_services.race_create(
            runner=alice, name="Media de Valencia", start=saturday_9, distance_km=Decimal("21.0975")
        )
        _wait_until_sent(1, what="the race e-mail", log=log, kind="race_conflict")
        race_services.race_update(race=race, name="Media de Valencia")  # saved again
        race_services.race_update(race=race, location="Valencia")  # the window unchanged
        time.sleep(3)
        assert len(_messages_to(outbox, "alice@runners.test")) == 1
        # Moved to the afternoon: still a clash, a new change, a new e-mail.
        race_services.race_update(race=race, start=saturday_9 + timedelta(hours=6))
        _wait_until_sent(2, what="the second race e-mail", log=log, kind="race_conflict")
        time.sleep(2)
    finally:
        _stop(worker)
    sent = _messages_to(outbox, "alice@runners.test")
    assert len(sent) == 2, log.read_text()[-4000:]
    assert all("Media de Valencia" in m for m in sent)
    assert f"/sessions/{session.pk}/reschedule/confirm/?start=" in sent[0]
    assert "/plan/" in sent[0]
    assert Session.objects.get(pk=session.pk).status == Session.Status.BOOKED
