"""The staff workspace under load (issue 15): the calendar's day view (every therapist of a
20-therapist clinic side by side, 8 sessions each) and week view (one therapist's 40
sessions), and a therapist's private calendar feed with 2,000 sessions. Median wall time
of `--runs` requests through the full Django stack, the queries of one, and the feed's
bytes. Everything seeded is rolled back.

`--json`: the last line is one JSON object: {"day": {...}, "week": {...}, "feed": {...}}.
"""

import json
import statistics
import time
from collections import Counter
from datetime import time as wall
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from booking.engine.feeds import feed_regenerate
from clinic import timeutils
from devtools.seeding import Seeder, ServiceSpec, at, working_days

THERAPISTS = 20
SESSIONS_A_DAY = 8  # each therapist, 09:00 to 17:00 with lunch at 14:00
FEED_SESSIONS = 2000
HOURS = (9, 10, 11, 12, 13, 15, 16, 17)


class _Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Time the staff calendar's day and week views and a 2,000-session feed."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true")
        parser.add_argument("--runs", type=int, default=15)

    def handle(self, *args, json: bool, runs: int, **options):
        self.runs = max(1, runs)
        self.figures: dict = {}
        try:
            with transaction.atomic():
                self._run()
                raise _Rollback
        except _Rollback:
            pass
        for name, f in self.figures.items():
            extra = f" {f['bytes']} bytes" if "bytes" in f else ""
            self.stdout.write(
                f"{name:<5} median {f['median_ms']:.1f} ms, {f['queries']} queries "
                f"({f['sessions']} sessions){extra}"
            )
        if json:
            self.stdout.write(_json_dumps(self.figures))

    def _run(self):
        stamp = int(time.time() * 1000)
        seeder = Seeder()
        clinic = seeder.clinic(f"bench-staff-{stamp}", "Fisio Running Bench")
        [service] = seeder.services(clinic, [ServiceSpec("Unloading massage", 60, Decimal("45"))])
        therapists = seeder.therapists(clinic, THERAPISTS, email=f"t{{i}}-{stamp}@bench.test")
        admin = seeder.users(
            [f"admin-{stamp}@bench.test"], role="clinic_admin", confirmed=True, clinic=clinic
        )[0]
        runners = seeder.runners(clinic, THERAPISTS, email=f"r{{i}}-{stamp}@bench.test")
        today = timeutils.local_date(timezone.now(), clinic.tz)
        monday = today - timedelta(days=today.weekday()) + timedelta(days=7)  # next week
        week = working_days(monday, monday + timedelta(days=6))
        # The day: every therapist's 8 sessions on Tuesday; the week: the first therapist's
        # 8 a day; the feed: the last therapist's 2,000, from 80 days back, 8 a working day.
        rows = [(t, week[1], h) for t in therapists[1:-1] for h in HOURS] + [
            (therapists[0], d, h) for d in week for h in HOURS
        ]
        feed_days = working_days(today - timedelta(days=80), today + timedelta(days=400))
        rows += [(therapists[-1], d, h) for d in feed_days for h in HOURS][:FEED_SESSIONS]
        # A runner has one session at a time: the n-th session of an hour, the n-th runner.
        at_once: Counter = Counter()
        seeded = []
        for t, d, h in rows:
            at_once[d, h] += 1
            seeded.append(
                {
                    "runner": runners[at_once[d, h] - 1],
                    "therapist": t,
                    "service": service,
                    "start": at(d, wall(h), clinic),
                    "status": "booked",
                }
            )
        seeder.sessions(seeded, batch_size=2000)
        host = next(h for h in settings.ALLOWED_HOSTS if h not in ("*", "")).lstrip(".")
        client = Client(SERVER_NAME=host)
        client.force_login(admin)
        self._measure(
            "day",
            client,
            f"{reverse('staff:calendar')}?date={week[1].isoformat()}",
            sessions=THERAPISTS * SESSIONS_A_DAY,
        )
        self._measure(
            "week",
            client,
            f"{reverse('staff:calendar-week')}?date={monday.isoformat()}"
            f"&therapist={therapists[0].pk}",
            sessions=len(week) * SESSIONS_A_DAY,
        )
        feed = feed_regenerate(user=therapists[-1].user)
        self._measure(
            "feed",
            Client(SERVER_NAME=host),
            reverse("booking:calendar_feed", args=[feed.token]),
            sessions=FEED_SESSIONS,
            size=True,
        )

    def _measure(self, name: str, client: Client, url: str, *, sessions: int, size=False):
        client.get(url)  # warm: templates, the session's first read
        times = []
        for _ in range(self.runs):
            with CaptureQueriesContext(connection) as queries:
                began = time.perf_counter()
                response = client.get(url)
                body = (
                    b"".join(response.streaming_content) if response.streaming else response.content
                )
                times.append((time.perf_counter() - began) * 1000)
            if response.status_code != 200:
                raise CommandError(f"{url}: {response.status_code}")
        self.figures[name] = {
            "median_ms": round(statistics.median(times), 1),
            "queries": len(queries),
            "sessions": sessions,
            "runs": self.runs,
        }
        if size:
            self.figures[name]["bytes"] = len(body)


def _json_dumps(figures: dict) -> str:
    return json.dumps(figures, sort_keys=True)
