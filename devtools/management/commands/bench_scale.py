"""A SaaS on one PostgreSQL: 2,000 clinics, 20,000 therapists, 1,000,000 runners and
20,000,000 sessions over three years, seeded with COPY, then the hot reads measured.

    python manage.py bench_scale [--scale 0.01] [--database NAME] [--reseed] [--json]
    python manage.py bench_scale --drop [--database NAME]

Works in a database of its own (default: the configured one's name + `_scale`, created
here, its name printed; `--drop` drops it). Every count is multiplied by `--scale`
(0.01: 20 clinics, 200 therapists, 10,000 runners, 200,000 sessions). Seeding streams
rows through psycopg 3's COPY (progress printed); every column the models add later
takes its model default. A second run reuses the seeded database (`--reseed` redoes it).

Then, on the first clinic: availability (whole clinic and one therapist, 30 days; one
therapist one day) in the engine; a runner's session list (API) and a therapist's day
(staff agenda page), ms and queries; the cadence scan of every clinic's runners (s, peak
resident MB); the monthly attendance report (ms); the database's size and each index's.
`--json`: the last line is one JSON object.
"""

import itertools
import json
import os
import statistics
import threading
import time
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from datetime import time as dtime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections, models
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from booking.engine.availability import availability
from booking.models import Session
from booking.reminders.scans import due_runner_id_batches
from booking.staff.reports import attendance_report
from clinic.models import Clinic, Service, Therapist, User, WorkingHours
from runners.models import Cadence, Runner

CLINICS, THERAPISTS, RUNNERS, SESSIONS = 2_000, 20_000, 1_000_000, 20_000_000
YEARS = 3
TZ = "Europe/Madrid"
HOURS = [9, 10, 11, 12, 13, 15, 16, 17, 18, 19]  # the starts of a working day's slots
PASSWORD = "!bench-scale-unusable"  # noqa: S105 (an unusable password hash)


class Command(BaseCommand):
    help = "Seed a SaaS of 2,000 clinics with COPY (times --scale) and measure the hot reads."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=0.01)
        parser.add_argument("--database", default="", help="default: <configured>_scale")
        parser.add_argument("--reseed", action="store_true")
        parser.add_argument("--drop", action="store_true", help="drop the database and stop")
        parser.add_argument("--runs", type=int, default=11)
        parser.add_argument("--json", action="store_true", help="last line: one JSON object")

    def handle(self, *args, **opts):
        if connection.vendor != "postgresql":
            raise CommandError("bench_scale needs PostgreSQL (DATABASE_URL).")
        self.home = connection.settings_dict["NAME"]
        name = opts["database"] or f"{self.home}_scale"
        if opts["drop"]:
            self._sql_server(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            self.stdout.write(f"dropped database {name}")
            return
        self._use(name, create=True)
        # Sessions are seeded last: without them an earlier run stopped half-way.
        if opts["reseed"] or not Session.objects.exists():
            if Clinic.objects.exists():
                self._use(name, create=True, recreate=True)
            self._seed(opts["scale"])
        figures = self._measure(opts["runs"])
        figures = {"database": name, "scale": opts["scale"], **figures}
        for key, value in figures.items():
            self.stdout.write(f"{key}: {value}")
        if opts["json"]:
            self.stdout.write(json.dumps(figures, sort_keys=True, default=str))

    # The database -----------------------------------------------------------------------
    def _sql_server(self, sql: str) -> None:
        """A statement on the server outside any database of ours (CREATE/DROP DATABASE)."""
        with connection.cursor() as cursor:
            cursor.execute(sql)

    def _use(self, name: str, *, create: bool, recreate: bool = False) -> None:
        """Point the default connection at `name`, created (and migrated) when missing."""
        default = connections["default"]
        default.close()
        default.settings_dict["NAME"] = self.home
        with default.cursor() as cursor:
            if recreate:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            missing = cursor.fetchone() is None
            if missing and create:
                cursor.execute(f'CREATE DATABASE "{name}"')
        default.close()
        default.settings_dict["NAME"] = name
        self.stdout.write(f"database {name}{' (created)' if missing else ''}")
        if missing:
            call_command("migrate", verbosity=0)

    # Seeding ----------------------------------------------------------------------------
    def _seed(self, scale: float) -> None:
        n_clinics = max(1, round(CLINICS * scale))
        per_clinic_t = THERAPISTS // CLINICS
        per_clinic_r = RUNNERS // CLINICS
        per_therapist_s = SESSIONS // THERAPISTS
        n_therapists = n_clinics * per_clinic_t
        n_runners = n_clinics * per_clinic_r
        started = time.perf_counter()
        now = timezone.now()
        tz = ZoneInfo(TZ)
        self.stdout.write(
            f"seeding {n_clinics:,} clinics, {n_therapists:,} therapists, {n_runners:,} "
            f"runners, {n_therapists * per_therapist_s:,} sessions"
        )
        self._copy(
            Clinic,
            (
                {"id": c, "name": f"Clinic {c}", "slug": f"clinic-{c}", "timezone": TZ}
                for c in range(1, n_clinics + 1)
            ),
            started,
        )
        self._copy(
            Service,
            (
                {
                    "id": c,
                    "clinic_id": c,
                    "name": "Unloading massage",
                    "duration_minutes": 60,
                    "price": 45,
                }
                for c in range(1, n_clinics + 1)
            ),
            started,
        )
        # Users: the therapists' first, then the runners'.
        self._copy(
            User,
            (
                {
                    "id": u,
                    "email": f"u{u}@scale.test",
                    "password": PASSWORD,
                    "role": User.Role.THERAPIST if u <= n_therapists else User.Role.RUNNER,
                    "date_joined": now,
                }
                for u in range(1, n_therapists + n_runners + 1)
            ),
            started,
        )
        self._copy(
            Therapist,
            (
                {
                    "id": t,
                    "user_id": t,
                    "clinic_id": (t - 1) // per_clinic_t + 1,
                    "display_name": f"Therapist {t}",
                }
                for t in range(1, n_therapists + 1)
            ),
            started,
        )
        self._copy(
            WorkingHours,
            (
                {
                    "therapist_id": t,
                    "weekday": day,
                    "start_time": dtime(start),
                    "end_time": dtime(end),
                }
                for t in range(1, n_therapists + 1)
                for day in range(5)
                for start, end in ((9, 14), (15, 20))
            ),
            started,
        )
        cadences = [Cadence.FORTNIGHTLY, Cadence.MONTHLY, Cadence.OFF]
        self._copy(
            Runner,
            (
                {
                    "id": r,
                    "user_id": n_therapists + r,
                    "clinic_id": (r - 1) // per_clinic_r + 1,
                    "cadence": cadences[r % 3],
                    "reminders_opt_in": True,
                    "created_at": now,
                }
                for r in range(1, n_runners + 1)
            ),
            started,
        )
        # Sessions: per therapist, per_therapist_s over three years up to 30 days ahead,
        # at most one an hour a day; session k of therapist t is at HOURS[(7k + t) % 10] of
        # working day k * days // per_therapist_s, with runner (k + 50 t) % 500 of the
        # clinic: never two sessions of a therapist or of a runner at the same time.
        last = now.astimezone(tz).date() + timedelta(days=30)
        first = last - timedelta(days=365 * YEARS)
        days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
        days = [d for d in days if d.weekday() < 5]
        starts = [
            [datetime.combine(d, dtime(h), tzinfo=tz).astimezone(UTC) for h in HOURS] for d in days
        ]
        hour = timedelta(hours=1)

        def sessions():
            sid = 0
            for t in range(1, n_therapists + 1):
                clinic = (t - 1) // per_clinic_t + 1
                local_t = (t - 1) % per_clinic_t
                first_runner = (clinic - 1) * per_clinic_r + 1
                for k in range(per_therapist_s):
                    start = starts[k * len(days) // per_therapist_s][(7 * k + local_t) % 10]
                    sid += 1
                    if start > now:
                        status = Session.Status.BOOKED
                    elif sid % 20 == 0:
                        status = Session.Status.NO_SHOW
                    elif sid % 20 == 1:
                        status = Session.Status.CANCELLED
                    else:
                        status = Session.Status.ATTENDED
                    yield {
                        "id": sid,
                        "runner_id": first_runner + (k + 50 * local_t) % per_clinic_r,
                        "therapist_id": t,
                        "service_id": clinic,
                        "clinic_id": clinic,
                        "start": start,
                        "end": start + hour,
                        "status": status,
                        "price": 45,
                        "created_at": start - timedelta(days=7),
                        "updated_at": start,
                    }

        with _bulk_load(Session._meta.db_table, self.stdout):
            self._copy(Session, sessions(), started, progress_every=1_000_000)
        with connection.cursor() as cursor:
            for model in (Clinic, Service, User, Therapist, WorkingHours, Runner, Session):
                table = model._meta.db_table
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                    f"(SELECT coalesce(max(id), 1) FROM {table}))"
                )
            cursor.execute("ANALYZE")
        self.stdout.write(f"seeded in {time.perf_counter() - started:.1f} s")

    def _copy(self, model, rows, started: float, progress_every: int = 0) -> None:
        """Stream rows into the model's table with COPY; a column a row does not name
        takes the model's default (JSON as text, auto_now fields: now)."""
        rows = iter(rows)
        head = next(rows)
        # The primary key only when the rows give it (else the sequence numbers them).
        fields = [f for f in model._meta.concrete_fields if not f.primary_key or "id" in head]
        template = {f.column: _default(f) for f in fields}
        columns = list(template)
        table = model._meta.db_table
        names = ", ".join(f'"{c}"' for c in columns)
        n = 0
        raw = connection.cursor().cursor  # psycopg 3's own cursor, for copy()
        with raw.copy(f"COPY {table} ({names}) FROM STDIN") as copy:  # noqa: S608
            for row in itertools.chain([head], rows):
                values = template | row
                copy.write_row([values[c] for c in columns])
                n += 1
                if progress_every and n % progress_every == 0:
                    self.stdout.write(
                        f"  {table}: {n:,} rows ({time.perf_counter() - started:.0f} s)"
                    )
        self.stdout.write(f"  {table}: {n:,} rows ({time.perf_counter() - started:.0f} s)")

    # Measuring --------------------------------------------------------------------------
    def _measure(self, runs: int) -> dict:
        figures: dict = {
            "clinics": Clinic.objects.count(),
            "therapists": Therapist.objects.count(),
            "runners": Runner.objects.count(),
            "sessions": Session.objects.count(),
        }
        clinic = Clinic.objects.order_by("pk").first()
        service = Service.objects.select_related("clinic").get(clinic=clinic)
        therapist = Therapist.objects.filter(clinic=clinic).order_by("pk").first()
        tz = clinic.tz
        first = timezone.now().astimezone(tz).date() + timedelta(days=1)
        one_day = first
        while one_day.weekday() > 4:
            one_day += timedelta(days=1)
        cases = {
            "availability_clinic_30d": (None, first, first + timedelta(days=29)),
            "availability_therapist_30d": (therapist, first, first + timedelta(days=29)),
            "availability_therapist_1d": (therapist, one_day, one_day),
        }
        for key, (who, start, end) in cases.items():

            def once(who=who, start=start, end=end):
                return availability(service=service, start_date=start, end_date=end, therapist=who)

            figures.update(_timed(key, once, runs))

        runner = Runner.objects.filter(clinic=clinic).order_by("pk").select_related("user").first()
        host = next(h for h in settings.ALLOWED_HOSTS if h not in ("*", "")).lstrip(".")
        api = APIClient(SERVER_NAME=host)
        api.force_authenticate(runner.user)
        figures.update(
            _timed("runner_session_list", lambda: _ok(api.get("/api/v1/sessions/")), runs)
        )
        figures["runner_sessions"] = Session.objects.filter(runner=runner).count()
        page = Client(SERVER_NAME=host)
        page.force_login(therapist.user)
        day = one_day.isoformat()
        figures.update(
            _timed("therapist_day", lambda: _ok(page.get(f"/staff/agenda/?date={day}")), runs)
        )

        month_end = first.replace(day=1) - timedelta(days=1)
        month_start = month_end.replace(day=1)
        figures.update(
            _timed(
                "monthly_report",
                lambda: attendance_report(
                    clinic=clinic, start=month_start, end=month_end, group_by="week"
                ),
                runs,
            )
        )
        figures.update(self._cadence_scan())
        figures.update(_sizes())
        figures["load_average_1m"] = round(os.getloadavg()[0], 2)
        return figures

    def _cadence_scan(self) -> dict:
        """Every clinic's due runners, streamed in batches, as the daily scan reads them:
        time and the process's peak resident memory (sampled every 20 ms)."""
        peak = [_rss_mb()]
        done = threading.Event()

        def sample():
            while not done.wait(0.02):
                peak[0] = max(peak[0], _rss_mb())

        sampler = threading.Thread(target=sample, daemon=True)
        before = _rss_mb()
        sampler.start()
        now = timezone.now()
        due = 0
        t0 = time.perf_counter()
        for clinic in Clinic.objects.order_by("pk"):
            for batch in due_runner_id_batches(clinic=clinic, now=now):
                due += len(batch)
        elapsed = time.perf_counter() - t0
        done.set()
        sampler.join()
        return {
            "cadence_scan_s": round(elapsed, 2),
            "cadence_scan_due_runners": due,
            "cadence_scan_peak_rss_mb": round(peak[0], 1),
            "cadence_scan_rss_growth_mb": round(peak[0] - before, 1),
        }


@contextmanager
def _bulk_load(table: str, out):
    """Load a big table without maintaining its indexes row by row: its secondary indexes
    and its constraints (exclusion, foreign keys) are dropped, then rebuilt in one pass
    each (the constraints are validated then, on every row)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype IN ('f', 'x', 'u', 'c')",
            [table],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname "
            "NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass) "
            "AND indexname NOT LIKE '%%pkey'",
            [table, table],
        )
        indexes = cursor.fetchall()
        for name, _definition in constraints:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
    yield
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '512MB'")
        for _name, definition in indexes:
            cursor.execute(definition)
        for name, definition in constraints:
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    out.write(
        f"  {table}: {len(indexes)} indexes and {len(constraints)} constraints rebuilt "
        f"in {time.perf_counter() - started:.0f} s"
    )


def _default(field: models.Field):
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return timezone.now()
    if field.has_default():
        value = field.get_default()
    elif field.null:
        value = None
    elif isinstance(field, models.IntegerField | models.DecimalField | models.FloatField):
        value = 0
    else:
        value = ""
    if isinstance(field, models.JSONField):
        return json.dumps(value)
    if isinstance(field, models.BooleanField) and value == "":
        return False
    return value


def _ok(response):
    if response.status_code != 200:
        raise CommandError(f"{response.status_code}: {response.content[:300]!r}")
    return response


def _timed(name: str, fn, runs: int) -> dict:
    fn()  # warm up
    # Counted by a wrapper, not CaptureQueriesContext: a request resets the query log.
    sent: list[str] = []
    with connection.execute_wrapper(lambda execute, sql, *a: sent.append(sql) or execute(sql, *a)):
        fn()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return {f"{name}_median_ms": round(statistics.median(times), 2), f"{name}_queries": len(sent)}


def _rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        resident_pages = int(fh.read().split()[1])
    return resident_pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def _sizes() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        (db_bytes,) = cursor.fetchone()
        cursor.execute(
            "SELECT relname, pg_total_relation_size(relid) FROM pg_stat_user_tables "
            "ORDER BY 2 DESC LIMIT 8"
        )
        tables = {name: round(size / 2**20, 1) for name, size in cursor.fetchall()}
        cursor.execute(
            "SELECT indexrelname, pg_relation_size(indexrelid) FROM pg_stat_user_indexes "
            "WHERE relname IN ('booking_session', 'runners_runner', 'clinic_user', "
            "'booking_sessionevent', 'booking_reminder', 'clinic_workinghours') "
            "ORDER BY 2 DESC"
        )
        indexes = {name: round(size / 2**20, 2) for name, size in cursor.fetchall()}
    return {
        "database_size_mb": round(db_bytes / 2**20, 1),
        "table_sizes_mb": tables,
        "index_sizes_mb": indexes,
    }
