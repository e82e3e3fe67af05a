"""Figures for the REST API's hot reads: median time and query count of the session
lists (a runner's, a therapist's clinic of 5,000 sessions) and of availability (one
therapist and the whole clinic, 30 days), through the full Django/DRF stack.

Everything it seeds is rolled back at the end. `--json`: the last line is one JSON object.
"""

import json
import statistics
import time
from datetime import date, datetime, timedelta
from datetime import time as dtime
from decimal import Decimal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from booking.models import Session
from devtools.seeding import Seeder, ServiceSpec


class _Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Time the API's session lists and availability on a seeded clinic."

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=15)
        parser.add_argument("--sessions", type=int, default=5000)
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, runs, sessions, json: bool, **options):
        self.figures: dict = {}
        try:
            with transaction.atomic():
                self._run(runs=runs, n_sessions=sessions)
                raise _Rollback
        except _Rollback:
            pass
        for name, value in self.figures.items():
            self.stdout.write(f"{name}: {value}")
        if json:
            self.stdout.write(_json_line(self.figures))

    def _seed(self, n_sessions: int):
        stamp = int(time.time() * 1000)
        seeder = Seeder()
        clinic = seeder.clinic(f"bench-api-{stamp}", "Bench API")
        [service] = seeder.services(clinic, [ServiceSpec("Unloading", 60, Decimal("45"))])
        therapists = seeder.therapists(clinic, 20, email=f"t{{i}}-{stamp}@bench.test")
        runners = seeder.runners(clinic, 200, email=f"r{{i}}-{stamp}@bench.test")
        tz = clinic.tz
        first_day = timezone.now().astimezone(tz).date() - timedelta(days=60)
        rows = []
        for i in range(n_sessions):
            k = i // 20
            day = first_day + timedelta(days=k // 8)
            rows.append(
                {
                    "runner": runners[i % 200],
                    "therapist": therapists[i % 20],
                    "service": service,
                    "start": datetime.combine(day, dtime(9 + k % 8), tzinfo=tz),
                }
            )
        seeder.sessions(rows)
        if connection.vendor == "postgresql":
            # Fresh rows have no planner statistics yet; autovacuum would gather them.
            with connection.cursor() as cursor:
                for table in ("booking_session", "clinic_therapist", "runners_runner"):
                    cursor.execute(f"ANALYZE {table}")
        return clinic, service, therapists, runners

    def _measure(self, name: str, client: APIClient, url: str, params: dict, runs: int):
        client.get(url, params)  # warm up
        times, queries = [], []
        for _ in range(runs):
            with CaptureQueriesContext(connection) as ctx:
                t0 = time.perf_counter()
                response = client.get(url, params)
                times.append((time.perf_counter() - t0) * 1000)
            if response.status_code != 200:
                raise CommandError(f"{url}: {response.status_code} {response.content[:300]!r}")
            queries.append(len(ctx.captured_queries))
        self.figures[f"{name}_median_ms"] = round(statistics.median(times), 1)
        self.figures[f"{name}_queries"] = max(queries)

    def _run(self, *, runs: int, n_sessions: int):
        clinic, service, therapists, runners = self._seed(n_sessions)
        host = next(h for h in settings.ALLOWED_HOSTS if h not in ("*", "")).lstrip(".")
        runner_client = APIClient(SERVER_NAME=host)
        runner_client.force_authenticate(runners[0].user)
        staff_client = APIClient(SERVER_NAME=host)
        staff_client.force_authenticate(therapists[0].user)
        self.figures["sessions_seeded"] = n_sessions
        self.figures["runner_sessions"] = Session.objects.filter(runner=runners[0]).count()
        self._measure("runner_list", runner_client, "/api/v1/sessions/", {}, runs)
        self._measure("therapist_list_page", staff_client, "/api/v1/sessions/", {}, runs)
        today = timezone.now().astimezone(clinic.tz).date()
        span = {
            "service": service.pk,
            "start": _iso(today + timedelta(days=1)),
            "end": _iso(today + timedelta(days=30)),
        }
        self._measure(
            "availability_one_therapist_30d",
            runner_client,
            "/api/v1/availability/",
            {**span, "therapist": therapists[0].pk},
            runs,
        )
        self._measure("availability_clinic_30d", runner_client, "/api/v1/availability/", span, runs)


def _iso(day: date) -> str:
    return day.isoformat()


def _json_line(figures: dict) -> str:
    return json.dumps(figures, sort_keys=True)
