"""Figures for one booking: through the service (`session_book`) and end to end through
the API (`POST /api/v1/sessions/` with an API token and JSON), median time and
statements, locks, re-check, history and queued e-mail included.

    python manage.py bench_booking [--runs 30] [--json]

Seeds a clinic of its own (20 therapists, a runner per booking), books free slots one
after the other outside any surrounding transaction (as a request does: no savepoints),
and deletes everything it made at the end. Each booking is by another runner at another
free time, so none is refused. Statements are counted as Django captures them (the
transaction's BEGIN and COMMIT included), and without BEGIN/COMMIT. `--json`: the last
line is one JSON object.
"""

import json
import os
import statistics
import time
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from booking.engine.availability import availability
from booking.engine.services import session_book
from booking.models import Session
from clinic.models import Clinic, Service, Therapist, User
from clinic.tokens import token_create
from devtools.seeding import Seeder, ServiceSpec


class Command(BaseCommand):
    help = "Time one booking through the service and over the API (token, JSON)."

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=30)
        parser.add_argument("--json", action="store_true", help="last line: one JSON object")

    def handle(self, *args, runs: int, json: bool, **options):
        stamp = int(time.time() * 1000)
        seeder = Seeder()
        clinic = seeder.clinic(f"bench-booking-{stamp}", "Bench booking")
        try:
            figures = self._run(seeder, clinic, stamp, runs)
        finally:
            _forget(clinic)
        for name, value in figures.items():
            self.stdout.write(f"{name}: {value}")
        if json:
            self.stdout.write(_json_line(figures))

    def _run(self, seeder: Seeder, clinic: Clinic, stamp: int, runs: int) -> dict:
        [service] = seeder.services(clinic, [ServiceSpec("Unloading", 60, Decimal("45"))])
        therapists = seeder.therapists(clinic, 20, email=f"t{{i}}-{stamp}@bench.test")
        # One more booking each way, first and not counted: it imports and warms up.
        runs += 1
        runners = seeder.runners(clinic, 2 * runs, email=f"r{{i}}-{stamp}@bench.test")
        slots = _free_slots(service, clinic, 2 * runs)
        by_id = {t.pk: t for t in therapists}
        figures: dict = {"runs": runs - 1}

        # The service, as the API hands it its inputs (service with its clinic, therapist).
        times, statements = [], []
        for runner, slot in zip(runners[:runs], slots[:runs], strict=True):
            svc = Service.objects.select_related("clinic").get(pk=service.pk)
            therapist = Therapist.objects.get(pk=by_id[slot.therapist_id].pk)
            with CaptureQueriesContext(connection) as ctx:
                t0 = time.perf_counter()
                session_book(
                    runner=runner,
                    service=svc,
                    therapist=therapist,
                    start=slot.start,
                    by=runner.user,
                    idempotency_key=f"bench-{runner.pk}",
                )
                times.append((time.perf_counter() - t0) * 1000)
            statements.append(_counts(ctx))
        figures["session_book_median_ms"] = round(statistics.median(times[1:]), 2)
        figures["session_book_queries"] = max(q for q, _w in statements[1:])
        figures["session_book_queries_without_begin_commit"] = max(w for _q, w in statements[1:])

        # Over the API: token authentication, JSON in and out.
        host = next(h for h in settings.ALLOWED_HOSTS if h not in ("*", "")).lstrip(".")
        clients = []
        for runner in runners[runs:]:
            _token, key = token_create(user=runner.user)
            client = APIClient(SERVER_NAME=host)
            client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
            client.get("/api/v1/sessions/")  # the token's last use is recorded once a minute
            clients.append(client)
        times, statements = [], []
        for client, slot in zip(clients, slots[runs:], strict=True):
            payload = {
                "service": service.pk,
                "therapist": slot.therapist_id,
                "start": slot.start.isoformat(),
            }
            with CaptureQueriesContext(connection) as ctx:
                t0 = time.perf_counter()
                response = client.post(
                    "/api/v1/sessions/",
                    payload,
                    format="json",
                    HTTP_IDEMPOTENCY_KEY=f"bench-{slot.start.timestamp()}-{slot.therapist_id}",
                )
                times.append((time.perf_counter() - t0) * 1000)
            if response.status_code != 201:
                raise CommandError(f"booking refused: {response.status_code} {response.content!r}")
            statements.append(_counts(ctx))
        figures["http_book_median_ms"] = round(statistics.median(times[1:]), 2)
        figures["http_book_queries"] = max(q for q, _w in statements[1:])
        figures["http_book_queries_without_begin_commit"] = max(w for _q, w in statements[1:])
        figures["sessions_booked"] = Session.objects.filter(clinic=clinic).count()
        figures["load_average_1m"] = round(os.getloadavg()[0], 2)
        return figures


def _counts(ctx: CaptureQueriesContext) -> tuple[int, int]:
    """Every statement Django sent, and those without the transaction's BEGIN and COMMIT."""
    sqls = [q["sql"] for q in ctx.captured_queries]
    return len(sqls), sum(1 for sql in sqls if sql not in ("BEGIN", "COMMIT"))


def _free_slots(service: Service, clinic: Clinic, n: int) -> list:
    """n free slots that stay free as the others are booked: per therapist, each one starts
    after the previous one's end and the clinic's buffer."""
    first = timezone.now().astimezone(clinic.tz).date() + timedelta(days=2)
    found = availability(service=service, start_date=first, end_date=first + timedelta(days=20))
    gap = timedelta(minutes=clinic.buffer_minutes)
    free_from: dict[int, object] = {}
    chosen = []
    for slot in sorted(found.slots, key=lambda s: (s.therapist_id, s.start)):
        after = free_from.get(slot.therapist_id)
        if after is None or slot.start >= after:
            chosen.append(slot)
            free_from[slot.therapist_id] = slot.end + gap
    if len(chosen) < n:
        raise CommandError(f"only {len(chosen)} free slots for {n} bookings")
    # Spread over therapists and days, as real bookings are.
    return sorted(chosen, key=lambda s: (s.start.date(), s.therapist_id))[:n]


def _forget(clinic: Clinic) -> None:
    """Everything the run made: sessions (with their history and e-mails), accounts
    (with their profiles and tokens), services, the clinic."""
    Session.objects.filter(clinic=clinic).delete()
    User.objects.filter(therapist__clinic=clinic).delete()
    User.objects.filter(runner__clinic=clinic).delete()
    Therapist.objects.filter(clinic=clinic).delete()
    Service.objects.filter(clinic=clinic).delete()
    clinic.delete()


def _json_line(figures: dict) -> str:
    return json.dumps(figures, sort_keys=True)
