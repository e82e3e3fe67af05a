"""Benchmark of the season plan and of the race re-check (issue 14).

    python manage.py bench_plan                 # 25 runs each
    python manage.py bench_plan --runs 50 --json

1. plan: `booking.engine.plan.season_plan` for one runner over 12 weeks (fortnightly
   cadence, four A races and four B races in the weeks, an attended session behind).
2. recheck: a race moved (`runners.services.race_update`: the save, the clash check of
   `booking.engine.conflicts` and the one e-mail row) for a runner with 50 booked
   sessions; each run moves it between two days that both clash, inside a transaction
   rolled back (so nothing is sent).

Median and worst milliseconds and the queries of each. The seeded clinic is deleted at
the end (unless --keep). With --json the last line is one JSON object of the figures.
"""

import json
import statistics
from datetime import date, time, timedelta
from decimal import Decimal
from time import perf_counter

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from booking.engine import plan as season
from booking.models import Reminder, Session
from clinic.models import Clinic, Service, Therapist, User
from devtools.seeding import Seeder, ServiceSpec, at, working_days
from runners import services as race_services
from runners.models import Cadence, Race, Runner

SLUG = "bench-plan"
THERAPISTS = 5
BOOKED = 50


class Command(BaseCommand):
    help = "Time the 12-week season plan and the re-check after a race change (50 sessions)."

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=25)
        parser.add_argument("--json", action="store_true", help="print one JSON line last")
        parser.add_argument("--keep", action="store_true", help="keep the seeded data")

    def handle(self, *args, runs: int, json: bool, keep: bool, **options):
        now = timezone.now()
        self._cleanup()
        planner, checked, race, days = self._seed(now)
        try:
            plan_ms, plan_queries, proposals = [], [], 0
            for _ in range(runs):
                runner = Runner.objects.select_related("clinic").get(pk=planner.pk)
                with CaptureQueriesContext(connection) as queries:
                    t0 = perf_counter()
                    proposals = len(season.season_plan(runner, weeks=12, now=now).proposals)
                    plan_ms.append((perf_counter() - t0) * 1000)
                plan_queries.append(len(queries))
            recheck_ms, recheck_queries, clashes = [], [], 0
            for i in range(runs):
                day = days[i % 2]
                with transaction.atomic():
                    rows = Reminder.objects.filter(runner=checked, kind=Reminder.Kind.RACE_CONFLICT)
                    before = rows.count()
                    with CaptureQueriesContext(connection) as queries:
                        t0 = perf_counter()
                        race_services.race_update(
                            race=race, start=day, finish=day + timedelta(hours=4)
                        )
                        recheck_ms.append((perf_counter() - t0) * 1000)
                    recheck_queries.append(len(queries))
                    clashes = rows.count() - before  # the change's e-mail rows
                    transaction.set_rollback(True)
        finally:
            if not keep:
                self._cleanup()
        figures = {
            "runs": runs,
            "plan_weeks": 12,
            "plan_proposals": proposals,
            "plan_median_ms": round(statistics.median(plan_ms), 2),
            "plan_max_ms": round(max(plan_ms), 2),
            "plan_queries": max(plan_queries),
            "recheck_booked_sessions": BOOKED,
            "recheck_emails_per_change": clashes,
            "recheck_median_ms": round(statistics.median(recheck_ms), 2),
            "recheck_max_ms": round(max(recheck_ms), 2),
            "recheck_queries": max(recheck_queries),
            "database": connection.vendor,
        }
        if json:
            self.stdout.write(_dumps(figures))
        else:
            for key, value in figures.items():
                self.stdout.write(f"{key:>26}: {value}")

    def _seed(self, now):
        seeder = Seeder()
        clinic = seeder.clinic(SLUG, "Bench plan clinic", timezone="Europe/Madrid")
        unloading, _recovery = seeder.services(
            clinic,
            [
                ServiceSpec("Bench unloading", 60, Decimal("45")),
                ServiceSpec("Bench recovery", 30, Decimal("30"), kind="recovery"),
            ],
        )
        therapists = seeder.therapists(
            clinic, THERAPISTS, email="bench-plan-therapist-{i}@bench.invalid"
        )
        planner, checked = seeder.runners(
            clinic,
            2,
            email="bench-plan-runner-{i}@bench.invalid",
            cadence=Cadence.FORTNIGHTLY,
            timezone="Europe/Madrid",
        )
        today = clinic.local(now).date()
        seeder.sessions(
            [
                {
                    "runner": planner,
                    "therapist": therapists[0],
                    "service": unloading,
                    "start": at(today - timedelta(days=10), _hour(17), clinic),
                    "status": Session.Status.ATTENDED,
                }
            ]
        )
        seeder.races(
            {
                "runner": planner,
                "name": f"Bench race {n}",
                "start": at(_sunday(today, 2 + 3 * n // 2), _hour(9), clinic),
                "distance_km": Decimal("42.195") if n % 2 else Decimal("10"),
                "priority": "A" if n % 2 == 0 else "B",
                "timezone": "Europe/Madrid",
            }
            for n in range(8)
        )
        # 50 booked sessions on the next working days; a race in the middle of them.
        booked_days = working_days(today + timedelta(days=1), today + timedelta(days=90))[:BOOKED]
        seeder.sessions(
            {
                "runner": checked,
                "therapist": therapists[i % THERAPISTS],
                "service": unloading,
                "start": at(d, _hour(10), clinic),
            }
            for i, d in enumerate(booked_days)
        )
        middle = booked_days[BOOKED // 2]
        race = race_services.race_create(
            runner=checked,
            name="Bench marathon",
            start=at(middle, _hour(9), clinic),
            distance_km=Decimal("42.195"),
            timezone="Europe/Madrid",
        )
        days = [at(middle + timedelta(days=k), _hour(9), clinic) for k in (1, 2)]
        return planner, checked, race, days

    def _cleanup(self) -> None:
        clinic = Clinic.objects.filter(slug=SLUG).first()
        if clinic is None:
            return
        with transaction.atomic():
            runner_users = list(Runner.objects.filter(clinic=clinic).values_list("user", flat=True))
            Reminder.objects.filter(runner__clinic=clinic).delete()
            Session.objects.filter(clinic=clinic).delete()
            Race.objects.filter(runner__clinic=clinic).delete()
            Runner.objects.filter(clinic=clinic).delete()
            therapist_users = list(
                Therapist.objects.filter(clinic=clinic).values_list("user", flat=True)
            )
            Therapist.objects.filter(clinic=clinic).delete()
            User.objects.filter(pk__in=runner_users + therapist_users).delete()
            Service.objects.filter(clinic=clinic).delete()
            clinic.delete()


def _hour(h: int) -> time:
    return time(h)


def _sunday(today: date, week: int) -> date:
    """The Sunday of the `week`-th week from today."""
    day = today + timedelta(weeks=week)
    return day + timedelta(days=(6 - day.weekday()))


def _dumps(figures: dict) -> str:
    return json.dumps(figures, sort_keys=True)
