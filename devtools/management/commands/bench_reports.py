"""Benchmark of the staff reports on a large clinic database.

    python manage.py bench_reports [--json] [--sessions 1000000] [--runs 7]

Seeds (once; re-used when present) 2 clinics, 40 therapists, 2,000 runners and 1,000,000
sessions with generate_series on PostgreSQL, then prints:
- the median time of the monthly attendance report of one clinic over a year, and the
  number of queries it took (target: < 300 ms, a fixed number);
- the peak memory of the full CSV export of the sessions (every bench session), measured
  in a child process with tracemalloc (Python allocations) and getrusage (peak RSS).
With --json the last line is one JSON object of the figures.
"""

import json
import os
import statistics
import subprocess
import sys
import time as clock
from datetime import UTC, date, datetime
from decimal import Decimal
from itertools import chain

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from booking.models import Session
from booking.staff import exports
from booking.staff.reports import attendance_report
from clinic.models import Clinic, Therapist, User
from devtools.seeding import Seeder, ServiceSpec
from runners.models import Runner

SLUGS = ("bench-a", "bench-b")
THERAPISTS_PER_CLINIC = 20
RUNNERS_PER_THERAPIST = 50
SLOTS_PER_DAY = 18  # 30-minute sessions from 07:00 UTC
BASE = datetime(2023, 1, 2, tzinfo=UTC)
REPORT_YEAR = 2025

INSERT_SQL = """
INSERT INTO booking_session (
    runner_id, therapist_id, service_id, clinic_id, start, "end", status, price,
    discomfort_areas, runner_note, areas_treated, mobilisation_done, therapist_note,
    race_override_reason, idempotency_fingerprint, created_at, updated_at
)
SELECT
    (%(runners)s::bigint[])[(t.idx - 1) * %(pool)s + (k %% %(pool)s) + 1],
    t.id, t.service_id, t.clinic_id,
    s.start, s.start + interval '30 minutes',
    CASE WHEN h.v < 75 THEN 'attended' WHEN h.v < 82 THEN 'no_show'
         WHEN h.v < 92 THEN 'cancelled' WHEN h.v < 97 THEN 'late_cancelled'
         ELSE 'booked' END,
    45.00,
    CASE WHEN h.v %% 3 = 0 THEN '["legs"]'::jsonb ELSE '["legs", "glutes"]'::jsonb END,
    '',
    CASE WHEN h.v < 75 THEN '{"calves": "both", "quadriceps": "both"}'::jsonb
         ELSE '{}'::jsonb END,
    CASE WHEN h.v < 75 THEN true ELSE NULL END,
    '',
    CASE WHEN h.v = 42 THEN 'Bench override' ELSE '' END,
    '',
    s.start - interval '7 days', s.start
FROM unnest(%(therapists)s::bigint[], %(clinics)s::bigint[], %(services)s::bigint[])
     WITH ORDINALITY AS t(id, clinic_id, service_id, idx)
CROSS JOIN generate_series(%(k0)s, %(k1)s) AS k
CROSS JOIN LATERAL (
    SELECT %(base)s::timestamptz + (k / %(slots)s) * interval '1 day'
           + (420 + (k %% %(slots)s) * 30) * interval '1 minute' AS start
) s
CROSS JOIN LATERAL (SELECT ((k * 7919 + t.idx * 104729) %% 100)::int AS v) h
"""


def _status_mb(field: str) -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


class Command(BaseCommand):
    help = "Seed 1,000,000 sessions (once) and time the attendance report and the CSV export."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true")
        parser.add_argument("--sessions", type=int, default=1_000_000)
        parser.add_argument("--runs", type=int, default=7)
        parser.add_argument("--reseed", action="store_true")
        parser.add_argument(
            "--tracemalloc",
            action="store_true",
            help="also trace Python allocations during the export (about ten times slower)",
        )
        parser.add_argument("--export-child", action="store_true", help="internal")

    def handle(self, *args, **opts):
        if connection.vendor != "postgresql":
            raise CommandError("bench_reports needs PostgreSQL (set DATABASE_URL).")
        if opts["export_child"]:
            return self._export_child(opts["tracemalloc"])
        seeded = self._seed(opts["sessions"], opts["reseed"])
        clinic = Clinic.objects.get(slug=SLUGS[0])
        figures = {"sessions": seeded, "clinics": 2, "therapists": 2 * THERAPISTS_PER_CLINIC}
        figures.update(self._time_report(clinic, opts["runs"]))
        figures.update(self._measure_export(opts["tracemalloc"]))
        for key, value in figures.items():
            self.stdout.write(f"{key}: {value}")
        if opts["json"]:
            self.stdout.write(json.dumps(figures))

    def _log(self, msg):
        self.stderr.write(msg)

    def _seed(self, total: int, reseed: bool) -> int:
        existing = Session.objects.filter(clinic__slug__in=SLUGS).count()
        if existing >= total and not reseed:
            self._log(f"re-using the seed: {existing} sessions")
            return existing
        started = clock.perf_counter()
        with transaction.atomic():
            Session.objects.filter(clinic__slug__in=SLUGS).delete()
            therapists, runners = self._people()
        per_therapist = -(-total // len(therapists))
        params = {
            "therapists": [t.pk for t in therapists],
            "clinics": [t.clinic_id for t in therapists],
            "services": [t.service_id for t in therapists],
            "runners": runners,
            "pool": RUNNERS_PER_THERAPIST,
            "slots": SLOTS_PER_DAY,
            "base": BASE,
        }
        batch = 2500
        with connection.cursor() as cursor:
            for k0 in range(0, per_therapist, batch):
                k1 = min(k0 + batch, per_therapist) - 1
                cursor.execute(INSERT_SQL, params | {"k0": k0, "k1": k1})
                self._log(f"  seeded {(k1 + 1) * len(therapists):,} sessions")
            cursor.execute("ANALYZE booking_session")
        count = Session.objects.filter(clinic__slug__in=SLUGS).count()
        self._log(f"seeded {count:,} sessions in {clock.perf_counter() - started:.0f} s")
        return count

    def _people(self):
        """The bench clinics, therapists and runners: created once, re-used after."""
        therapists, runner_ids = [], []
        seeder = Seeder()  # bench people never log in
        for n, slug in enumerate(SLUGS):
            clinic = seeder.clinic(
                slug,
                f"Bench clinic {slug[-1].upper()}",
                timezone=("Europe/Madrid", "Europe/Lisbon")[n],
            )
            [service] = seeder.services(
                clinic, [ServiceSpec("Bench unloading massage", 30, Decimal("45.00"))]
            )
            existing = {
                t.user.email: t
                for t in Therapist.objects.filter(clinic=clinic).select_related("user")
            }
            for i in range(THERAPISTS_PER_CLINIC):
                email = f"bench-t{n}-{i}@bench.invalid"
                therapist = existing.get(email)
                if therapist is None:
                    [therapist] = seeder.therapists(
                        clinic, 1, email=email, display_name=f"Bench T{n}-{i}", days=None
                    )
                therapist.service_id = service.pk
                therapists.append(therapist)
                wanted = f"bench-r{n}-{i}-{{i}}@bench.invalid"
                runners = dict(
                    Runner.objects.filter(
                        user__email__startswith=f"bench-r{n}-{i}-", clinic=clinic
                    ).values_list("user__email", "pk")
                )
                if len(runners) < RUNNERS_PER_THERAPIST:
                    Runner.objects.filter(pk__in=runners.values()).delete()
                    User.objects.filter(email__startswith=f"bench-r{n}-{i}-").delete()
                    created = seeder.runners(
                        clinic,
                        RUNNERS_PER_THERAPIST,
                        email=wanted,
                        user_fields=lambda j, n=n, i=i: {
                            "first_name": "Runner",
                            "last_name": f"{n}-{i}-{j}",
                        },
                        cadence="fortnightly",
                    )
                    runners = {r.user.email: r.pk for r in created}
                runner_ids += [runners[wanted.format(i=j)] for j in range(RUNNERS_PER_THERAPIST)]
        return therapists, runner_ids

    def _time_report(self, clinic, runs: int) -> dict:
        kwargs = {
            "clinic": clinic,
            "start": date(REPORT_YEAR, 1, 1),
            "end": date(REPORT_YEAR, 12, 31),
            "group_by": "month",
        }
        report = attendance_report(**kwargs)  # warm the cache and the plan
        times = []
        for _ in range(runs):
            with CaptureQueriesContext(connection) as ctx:
                t0 = clock.perf_counter()
                attendance_report(**kwargs)
                times.append((clock.perf_counter() - t0) * 1000)
        return {
            "report_sessions_in_year": report.total.booked,
            "report_median_ms": round(statistics.median(times), 1),
            "report_min_ms": round(min(times), 1),
            "report_max_ms": round(max(times), 1),
            "report_queries": len(ctx.captured_queries),
            "report_runs": runs,
        }

    def _measure_export(self, traced: bool) -> dict:
        env = os.environ | {"PYTHONUNBUFFERED": "1"}
        cmd = [sys.executable, "manage.py", "bench_reports", "--export-child"]
        if traced:
            cmd.append("--tracemalloc")
        out = subprocess.run(  # noqa: S603 - our own command
            cmd, capture_output=True, text=True, env=env, check=True
        ).stdout
        return json.loads(out.strip().splitlines()[-1])

    def _export_child(self, traced: bool):
        """Stream every bench session through the export, as the view does, to /dev/null.

        Peak RSS is the whole process, Django and its imports included (the peak is reset
        just before the export); its growth over the RSS before is what the export costs."""
        import resource
        import tracemalloc

        clinics = list(Clinic.objects.filter(slug__in=SLUGS).order_by("slug"))
        rss_before = _status_mb("VmRSS")
        # Reset the peak RSS to the current one (Linux), so the peak below is the export's.
        try:
            with open("/proc/self/clear_refs", "w") as f:
                f.write("5")
            reset = True
        except OSError:
            reset = False
        if traced:
            tracemalloc.start()
        t0 = clock.perf_counter()
        chunks = chain.from_iterable(
            exports.sessions_csv(
                clinic=c, start=date(2000, 1, 1), end=date(2100, 12, 31), header=n == 0
            )
            for n, c in enumerate(clinics)
        )
        response = exports.csv_response(chunks, "sessions.csv")
        written = lines = 0
        with open(os.devnull, "wb") as sink:
            for chunk in response.streaming_content:
                written += len(chunk)
                lines += chunk.count(b"\n")
                sink.write(chunk)
        elapsed = clock.perf_counter() - t0
        rss_peak = (
            _status_mb("VmHWM")
            if reset
            else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        )
        figures = {
            "export_rows": lines - 1,
            "export_mb": round(written / 2**20, 1),
            "export_seconds": round(elapsed, 1),
            "export_peak_rss_mb": round(rss_peak, 1),
            "export_rss_before_mb": round(rss_before, 1),
            "export_rss_growth_mb": round(rss_peak - rss_before, 1),
        }
        if traced:
            figures["export_peak_traced_mb"] = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
            tracemalloc.stop()
        self.stdout.write(json.dumps(figures))
