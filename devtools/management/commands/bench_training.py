"""Training import and availability with a long training log (issue 20).

    python manage.py bench_training [--json] [--activities 1000] [--runs 11]

1. Import: a zip of N activity files (FIT with laps and heart rate, GPX, TCX with a
   pause, in turn; one a day back from yesterday) read and saved as the import does
   (runners.activity_import.parse_upload, then runners.services.trainings_import):
   seconds (wall and CPU) of reading, seconds of saving, and the process's peak memory
   (max RSS) and how much the import raised it.
2. Availability for a runner with 2 years of training logged (a run nearly every day,
   long runs on Sundays): the median time and the queries of 30 days of availability,
   against the same runner with 2 weeks logged: the queries must not grow with the log.

Seeds its own clinic ("bench-training"), deleted and seeded again on each run. With
--json the last line is one JSON object of the figures.
"""

import json
import resource
import statistics
import time as clock
from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from booking.engine.availability import availability
from clinic.models import Clinic, Service, User
from devtools import activity_files
from devtools.seeding import Seeder, ServiceSpec
from runners import services
from runners.activity_import import parse_upload
from runners.models import Training

SLUG = "bench-training"


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # KB on Linux


def _activity(i: int, day, tz: ZoneInfo) -> tuple[str, bytes]:
    start = datetime.combine(day, time(7, 30), tzinfo=tz)
    if i % 3 == 0:
        laps = [activity_files.Lap(10, 1800, 130), activity_files.Lap(30, 6500, 160)]
        return f"run-{i}.fit", activity_files.fit_bytes(start, laps, every=30)
    if i % 3 == 1:
        return f"run-{i}.gpx", activity_files.gpx_bytes(start, 45, 8.5, every=30)
    return f"run-{i}.tcx", activity_files.tcx_bytes(
        start, [(20, 4000, 150), (20, 4000, 155)], pause_minutes=3, every=30
    )


class Command(BaseCommand):
    help = "Import 1,000 activities; availability for a runner with 2 years of training."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="last line: one JSON object")
        parser.add_argument("--activities", type=int, default=1000)
        parser.add_argument("--runs", type=int, default=11)

    def handle(self, *args, **opts):
        self._delete()
        try:
            figures = self._run(opts)
        finally:
            self._delete()
        for key, value in figures.items():
            self.stdout.write(f"{key}: {value}")
        if opts["json"]:
            self.stdout.write(json.dumps(figures))

    def _delete(self):
        clinic = Clinic.objects.filter(slug=SLUG).first()
        User.objects.filter(email__endswith="@bench-training.test").delete()
        if clinic is not None:
            Service.objects.filter(clinic=clinic).delete()
            clinic.delete()

    def _run(self, opts) -> dict:
        seeder = Seeder(seed=20)
        clinic = seeder.clinic(SLUG, "Bench training")
        (service,) = seeder.services(clinic, [ServiceSpec("Bench unloading", 60, Decimal("45"))])
        seeder.therapists(clinic, 4, email="t{i}@bench-training.test")
        long_log, short_log, importer = seeder.runners(clinic, 3, email="r{i}@bench-training.test")
        tz = ZoneInfo(clinic.timezone)
        today = timezone.now().astimezone(tz).date()
        figures: dict = {"database": connection.vendor, "activities": opts["activities"]}

        # 1. The import.
        files = dict(
            _activity(i, today - timedelta(days=i + 1), tz) for i in range(opts["activities"])
        )
        upload = activity_files.zip_bytes(files)
        figures["zip_bytes"] = len(upload)
        rss_before = _peak_rss_mb()
        started, cpu = clock.perf_counter(), clock.process_time()
        found = parse_upload("export.zip", upload, runner_tz=tz)
        figures["read_s"] = round(clock.perf_counter() - started, 2)
        figures["read_cpu_s"] = round(clock.process_time() - cpu, 2)
        started = clock.perf_counter()
        with transaction.atomic():
            created = services.trainings_import(
                runner=importer, items=[a.training_fields() for a in found if not a.problem]
            )
        figures["save_s"] = round(clock.perf_counter() - started, 2)
        # The process's high-water mark (no tracing overhead): before, and its growth.
        figures["peak_rss_mb"] = _peak_rss_mb()
        figures["peak_rss_growth_mb"] = round(figures["peak_rss_mb"] - rss_before, 1)
        figures["imported"] = len(created)
        figures["unreadable"] = sum(1 for a in found if a.problem)

        # 2. Availability with 2 years of training, against 2 weeks.
        rows = []
        for runner, days in ((long_log, 730), (short_log, 14)):
            for n in range(1, days + 1):
                day = today - timedelta(days=n)
                if day.weekday() == 0:
                    continue  # Monday: rest
                long_run = day.weekday() == 6
                start = datetime.combine(day, time(8), tzinfo=tz)
                minutes = 120 if long_run else 50
                rows.append(
                    {
                        "runner": runner,
                        "start": start,
                        "minutes": minutes,
                        "finish": start + timedelta(minutes=minutes),
                        "distance_km": Decimal("24" if long_run else "10"),
                        "kind": "long" if long_run else "easy",
                        "rpe": 7 if long_run else 4,
                    }
                )
        seeder.trainings(rows)
        figures["trainings_logged"] = Training.objects.filter(runner=long_log).count()
        first, last = today + timedelta(days=1), today + timedelta(days=30)
        for name, runner in (("availability_2y", long_log), ("availability_2w", short_log)):
            times, queries = [], 0
            for _ in range(opts["runs"]):
                with CaptureQueriesContext(connection) as ctx:
                    started = clock.perf_counter()
                    result = availability(
                        service=service, start_date=first, end_date=last, runner=runner
                    )
                    times.append((clock.perf_counter() - started) * 1000)
                queries = len(ctx.captured_queries)
            figures[f"{name}_ms"] = round(statistics.median(times), 1)
            figures[f"{name}_queries"] = queries
            figures[f"{name}_slots"] = len(result.slots)
        figures["queries_constant"] = (
            figures["availability_2y_queries"] == figures["availability_2w_queries"]
        )
        return figures
