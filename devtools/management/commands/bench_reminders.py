"""Benchmark of the cadence scan: seed runners (a third due), time the scan and enqueue.

    python manage.py bench_reminders                # 100,000 runners
    python manage.py bench_reminders --runners 20000 --json

The scan really publishes its batch tasks to the broker, on a queue of its own that no
worker consumes and that is purged afterwards, so no e-mail is sent. The seeded clinic,
runners and sessions are deleted at the end (unless --keep). With --json the last line
is one JSON object of the figures.
"""

import json
import resource
import time
import tracemalloc
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from booking.models import Reminder, Session
from booking.reminders import scans, tasks
from clinic.models import Clinic, Service, Therapist, User
from devtools.seeding import Seeder, ServiceSpec
from runners.models import Cadence, Runner

SLUG = "bench-reminders"
QUEUE = "bench-reminders"
THERAPISTS = 100
CHUNK = 5000


class Command(BaseCommand):
    help = "Seed N runners (a third due) and measure the cadence scan: time, memory, queries."

    def add_arguments(self, parser):
        parser.add_argument("--runners", type=int, default=100_000)
        parser.add_argument("--json", action="store_true", help="print one JSON line last")
        parser.add_argument("--keep", action="store_true", help="keep the seeded data")
        parser.add_argument(
            "--force", action="store_true", help="run with DEBUG off (it writes many rows)"
        )

    def handle(self, *args, runners: int, json: bool, keep: bool, force: bool, **options):
        if not settings.DEBUG and not force:
            raise CommandError("This seeds many rows; use --force to run it with DEBUG off.")
        now = timezone.now()
        self._cleanup()
        t0 = time.perf_counter()
        clinic = self._seed(runners, now)
        seed_seconds = time.perf_counter() - t0
        if connection.vendor == "postgresql":
            # Fresh statistics, as autovacuum keeps them in production: without them the
            # planner guesses from an empty table and the scan's plan is not the real one.
            with connection.cursor() as cursor:
                for table in (
                    "clinic_user",
                    "runners_runner",
                    "booking_session",
                    "booking_reminder",
                ):
                    cursor.execute(f"ANALYZE {table}")  # noqa: S608 (fixed table names)
        expected_due = scans.due_runners(clinic=clinic, now=now).count()

        from clinic.celery import app

        published = []

        def enqueue(ids):
            tasks.send_cadence_batch.apply_async((ids,), queue=QUEUE)
            published.append(len(ids))

        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        tracemalloc.start()
        with CaptureQueriesContext(connection) as queries:
            t0 = time.perf_counter()
            enqueued = tasks.run_cadence_scan(now=now, enqueue=enqueue)
            scan_seconds = time.perf_counter() - t0
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

        with app.connection_for_write() as conn:
            purged = conn.default_channel.queue_purge(QUEUE) or 0
        if not keep:
            self._cleanup()

        figures = {
            "runners": runners,
            "due": expected_due,
            "enqueued": enqueued,
            "batches": len(published),
            "batch_size": scans.BATCH_SIZE,
            "scan_seconds": round(scan_seconds, 3),
            "scan_queries": len(queries),
            "peak_traced_mb": round(peak / 2**20, 2),
            "max_rss_mb": round(rss_after / 1024, 1),
            "rss_growth_mb": round((rss_after - rss_before) / 1024, 1),
            "seed_seconds": round(seed_seconds, 1),
            "broker": settings.CELERY_BROKER_URL.split(":", 1)[0],
            "database": connection.vendor,
            "purged": purged,
        }
        if enqueued != expected_due:
            raise CommandError(f"enqueued {enqueued} runners, expected {expected_due}")
        for key, value in figures.items():
            if not json:
                self.stdout.write(f"{key:>16}: {value}")
        if json:
            self.stdout.write(_dumps(figures))

    def _seed(self, n: int, now) -> Clinic:
        seeder = Seeder()  # bench users never log in
        clinic = seeder.clinic(SLUG, "Bench clinic", timezone="Europe/Madrid", reminder_hour=0)
        clinic.reminder_hour = clinic.local(now).hour
        clinic.save(update_fields=["reminder_hour"])
        [service] = seeder.services(clinic, [ServiceSpec("Bench massage", 10, Decimal("30"))])
        therapists = seeder.therapists(
            clinic, THERAPISTS, email="bench-therapist-{i}@bench.invalid", days=None
        )
        slot = timedelta(minutes=10)
        recent_base = now - timedelta(days=12)
        old_base = now - timedelta(days=60)
        per_therapist: dict[int, int] = {}
        for start in range(0, n, CHUNK):
            with transaction.atomic():
                runner_rows = seeder.runners(
                    clinic,
                    min(n, start + CHUNK) - start,
                    email="bench-runner-{i}@bench.invalid",
                    first=start,
                    fields=lambda i: {
                        "cadence": Cadence.FORTNIGHTLY if i % 2 else Cadence.MONTHLY,
                        "reminders_opt_in": (i % 3 != 2) or (i % 6 == 5),
                    },
                )
                sessions = []
                for i, runner in zip(
                    range(start, start + len(runner_rows)), runner_rows, strict=True
                ):
                    # i % 3 == 0: due (half never had a session, half one 60+ days ago);
                    # i % 3 == 1: attended a few days ago; i % 3 == 2: opted out, or
                    # (i % 6 == 5) opted in with a session booked ahead within the cadence
                    # (only such a session keeps the reminder away).
                    kind = i % 3
                    if kind == 0 and i % 2 == 0:
                        continue
                    therapist = therapists[i % THERAPISTS]
                    k = per_therapist.get(therapist.pk, 0)
                    per_therapist[therapist.pk] = k + 1
                    if kind == 0:
                        begin, status = old_base + k * slot, Session.Status.ATTENDED
                    elif kind == 1:
                        begin, status = recent_base + k * slot, Session.Status.ATTENDED
                    else:
                        begin, status = now + timedelta(days=10) + k * slot, Session.Status.BOOKED
                    sessions.append(
                        {
                            "runner": runner,
                            "therapist": therapist,
                            "service": service,
                            "start": begin,
                            "status": status,
                        }
                    )
                seeder.sessions(sessions, batch_size=2000)
        return clinic

    def _cleanup(self) -> None:
        clinic = Clinic.objects.filter(slug=SLUG).first()
        if clinic is None:
            return
        with transaction.atomic():
            Reminder.objects.filter(runner__clinic=clinic)._raw_delete("default")
            Session.objects.filter(clinic=clinic)._raw_delete("default")
            runner_users = list(
                Runner.objects.filter(clinic=clinic).values_list("user_id", flat=True)
            )
            Runner.objects.filter(clinic=clinic)._raw_delete("default")
            therapist_users = list(
                Therapist.objects.filter(clinic=clinic).values_list("user_id", flat=True)
            )
            Therapist.objects.filter(clinic=clinic).delete()
            for i in range(0, len(runner_users), CHUNK):
                User.objects.filter(pk__in=runner_users[i : i + CHUNK])._raw_delete("default")
            User.objects.filter(pk__in=therapist_users).delete()
            Service.objects.filter(clinic=clinic).delete()
            clinic.delete()


def _dumps(figures: dict) -> str:
    return json.dumps(figures, sort_keys=True)
