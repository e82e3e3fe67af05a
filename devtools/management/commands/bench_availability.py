"""Seed a realistic clinic and time availability (median of several runs, queries).

    python manage.py bench_availability [--json] [--runs 21] [--reseed]

Seeds (once; --reseed to redo) the clinic "bench" in Europe/Madrid: 20 therapists
working Monday-Friday 09:00-14:00 and 15:00-20:00 (some also Saturday morning, some from
a later date), 5,000 booked sessions spread over 120 days around today, time off, and
500 runners. Then times availability of the whole clinic and of one therapist over the
next 30 days. With --json the last line is one JSON object of the figures.
"""

import json
import os
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
from booking.models import Session
from clinic.models import Clinic, Service, Therapist, User
from devtools.seeding import Seeder, ServiceSpec, working_days
from runners.models import Runner

SLUG = "bench"
THERAPISTS = 20
SESSIONS = 5000
RUNNERS = 500
DAYS_AROUND = 60  # sessions from 60 days ago to 60 days ahead


class Command(BaseCommand):
    help = "Time availability on a seeded clinic of 20 therapists and 5,000 sessions."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="last line: one JSON object")
        parser.add_argument("--runs", type=int, default=21)
        parser.add_argument("--reseed", action="store_true", help="delete and seed again")
        parser.add_argument("--therapists", type=int, default=THERAPISTS)
        parser.add_argument("--sessions", type=int, default=SESSIONS)
        parser.add_argument("--runners", type=int, default=RUNNERS)

    def handle(self, *args, **opts):
        clinic = Clinic.objects.filter(slug=SLUG).first()
        if clinic is not None and opts["reseed"]:
            self._delete(clinic)
            clinic = None
        if clinic is None:
            started = clock.perf_counter()
            clinic = self._seed(opts["therapists"], opts["sessions"], opts["runners"])
            self.stdout.write(f"seeded in {clock.perf_counter() - started:.1f} s")
        service = Service.objects.select_related("clinic").get(clinic=clinic, name="Bench massage")
        therapist = Therapist.objects.filter(clinic=clinic).order_by("pk").first()
        runner = Runner.objects.filter(clinic=clinic).order_by("pk").first()
        tz = ZoneInfo(clinic.timezone)
        now = timezone.now()
        first = now.astimezone(tz).date() + timedelta(days=1)
        last = first + timedelta(days=29)

        figures = {
            "database": connection.vendor,
            "therapists": Therapist.objects.filter(clinic=clinic).count(),
            "sessions": Session.objects.filter(clinic=clinic).count(),
            "runs": opts["runs"],
        }
        cases = {
            "clinic_30d": {"therapist": None, "runner": None},
            "therapist_30d": {"therapist": therapist, "runner": None},
            "therapist_1d": {"therapist": therapist, "runner": None, "days": 1},
            "clinic_30d_runner": {"therapist": None, "runner": runner},
        }
        for name, kw in cases.items():
            ms, cpu_ms, queries, slots = self._measure(
                service, first, last, now, opts["runs"], **kw
            )
            figures[f"{name}_median_ms"] = round(ms, 2)
            figures[f"{name}_cpu_median_ms"] = round(cpu_ms, 2)
            figures[f"{name}_queries"] = queries
            figures[f"{name}_slots"] = slots
            self.stdout.write(f"{name:18} median {ms:7.2f} ms  {queries} queries  {slots} slots")
        # Wall time depends on what else the machine runs: say how loaded it was.
        figures["load_average_1m"] = round(os.getloadavg()[0], 2)
        figures["targets_met"] = (
            figures["clinic_30d_median_ms"] < 150
            and figures["therapist_30d_median_ms"] < 20
            and figures["therapist_1d_median_ms"] < 1
            and figures["clinic_30d_queries"] <= 6
            and figures["therapist_30d_queries"] <= 6
        )
        if opts["json"]:
            self.stdout.write(json.dumps(figures))

    def _measure(self, service, first, last, now, runs, *, therapist, runner, days=None):
        if days is not None:
            last = first + timedelta(days=days - 1)

        def once():
            return availability(
                service=service,
                start_date=first,
                end_date=last,
                therapist=therapist,
                runner=runner,
                now=now,
            )

        once()  # warm up (connection, caches)
        with CaptureQueriesContext(connection) as ctx:
            result = once()
        times, cpu = [], []
        for _ in range(runs):
            started, cpu_started = clock.perf_counter(), clock.process_time()
            once()
            times.append((clock.perf_counter() - started) * 1000)
            cpu.append((clock.process_time() - cpu_started) * 1000)
        return (
            statistics.median(times),
            statistics.median(cpu),
            len(ctx.captured_queries),
            len(result.slots),
        )

    @transaction.atomic
    def _delete(self, clinic):
        Session.objects.filter(clinic=clinic).delete()
        User.objects.filter(runner__clinic=clinic).delete()
        User.objects.filter(therapist__clinic=clinic).delete()
        Service.objects.filter(clinic=clinic).delete()
        clinic.delete()

    @transaction.atomic
    def _seed(self, n_therapists: int, n_sessions: int, n_runners: int) -> Clinic:
        seeder = Seeder(seed=2026)  # bench users never log in
        rng = seeder.rng
        clinic = seeder.clinic(SLUG, "Bench clinic", timezone="Europe/Madrid", buffer_minutes=10)
        tz = ZoneInfo(clinic.timezone)
        [service] = seeder.services(clinic, [ServiceSpec("Bench massage", 60, Decimal(45))])
        therapists = seeder.therapists(
            clinic,
            n_therapists,
            email="bench-therapist-{i}@bench.test",
            user_fields=lambda i: {"first_name": "T", "last_name": str(i)},
        )
        runners = seeder.runners(
            clinic,
            n_runners,
            email="bench-runner-{i}@bench.test",
            user_fields=lambda i: {"first_name": "R", "last_name": str(i)},
        )
        today = timezone.now().astimezone(tz).date()
        seeder.hours(
            therapists[::4],
            days=[5],
            intervals=[(time(9), time(13))],
            valid_from=today + timedelta(days=10),
        )
        seeder.time_off(
            {
                "therapist": t,
                "start": datetime.combine(today + timedelta(days=3 + i), time(9), tzinfo=tz),
                "end": datetime.combine(today + timedelta(days=5 + i), time(20), tzinfo=tz),
                "reason": "Course",
            }
            for i, t in enumerate(therapists[::3])
        )
        # Sessions: on the working grid, no overlap per therapist (with the buffer) or
        # per runner, as the exclusion constraints require.
        days = working_days(
            today - timedelta(days=DAYS_AROUND), today + timedelta(days=DAYS_AROUND - 1)
        )
        starts = [time(h, m) for h in (9, 10, 11, 12, 13, 15, 16, 17, 18, 19) for m in (0,)]
        sessions = []
        runner_busy: dict[int, set] = {}
        slots = [(t, d, s) for t in therapists for d in days for s in starts]
        rng.shuffle(slots)
        for t, d, s in slots:
            if len(sessions) >= n_sessions:
                break
            start = datetime.combine(d, s, tzinfo=tz)
            for _ in range(5):
                runner = runners[rng.randrange(n_runners)]
                if start not in runner_busy.setdefault(runner.pk, set()):
                    runner_busy[runner.pk].add(start)
                    break
            else:
                continue
            past = d < today
            sessions.append(
                {
                    "runner": runner,
                    "therapist": t,
                    "service": service,
                    "start": start,
                    "status": Session.Status.ATTENDED if past else Session.Status.BOOKED,
                }
            )
        seeder.sessions(sessions)
        seeder.races(
            {
                "runner": r,
                "name": f"Race {i}",
                "start": datetime.combine(today + timedelta(days=7 + i % 20), time(9), tzinfo=tz),
                "finish": datetime.combine(today + timedelta(days=7 + i % 20), time(12), tzinfo=tz),
            }
            for i, r in enumerate(runners[:100])
        )
        return clinic
