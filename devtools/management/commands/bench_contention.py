"""Bookings racing for the same time: the locks, the re-check and the exclusion
constraints under real concurrency.

    python manage.py bench_contention [--threads 20] [--attempts 200] [--json]

Seeds a clinic of its own (one therapist, a runner per attempt) and runs two rounds,
each thread on its own database connection, all starting together:

1. one slot: every attempt books the same slot → exactly one session, the others refused
   with their code (`slot_taken`...), none failing otherwise;
2. many slots: the attempts spread over `--slots` different free slots of the same
   therapist → exactly one session per slot, none refused (no false conflicts).

Prints each round's sessions, refusals by code, unexpected errors and the time per
attempt (p50, p95, max; the lock waits included), then deletes what it made. `--json`:
the last line is one JSON object.
"""

import json
import os
import statistics
import threading
import time
from collections import Counter
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import connection

from booking.engine.exceptions import BookingError
from booking.engine.services import session_book
from booking.models import Session
from clinic.models import Service, Therapist
from devtools.management.commands.bench_booking import _forget, _free_slots
from devtools.seeding import Seeder, ServiceSpec
from runners.models import Runner


class Command(BaseCommand):
    help = "Many threads booking one slot, then many slots of one therapist."

    def add_arguments(self, parser):
        parser.add_argument("--threads", type=int, default=20)
        parser.add_argument("--attempts", type=int, default=200)
        parser.add_argument("--slots", type=int, default=20)
        parser.add_argument("--json", action="store_true", help="last line: one JSON object")

    def handle(self, *args, threads: int, attempts: int, slots: int, json: bool, **options):
        stamp = int(time.time() * 1000)
        seeder = Seeder()
        clinic = seeder.clinic(f"bench-contention-{stamp}", "Bench contention")
        try:
            figures = self._run(seeder, clinic, stamp, threads, attempts, slots)
        finally:
            connection.close()
            _forget(clinic)
        for name, value in figures.items():
            self.stdout.write(f"{name}: {value}")
        if json:
            self.stdout.write(_json_line(figures))

    def _run(self, seeder, clinic, stamp, threads, attempts, n_slots) -> dict:
        [service] = seeder.services(clinic, [ServiceSpec("Unloading", 60, Decimal("45"))])
        [therapist] = seeder.therapists(clinic, 1, email=f"t{{i}}-{stamp}@bench.test")
        runners = seeder.runners(clinic, 2 * attempts, email=f"r{{i}}-{stamp}@bench.test")
        free = _free_slots(service, clinic, n_slots + 1)
        figures: dict = {"threads": threads, "attempts": attempts}
        one = self._round(service, therapist, runners[:attempts], [free[0]] * attempts, threads)
        figures.update({f"one_slot_{k}": v for k, v in one.items()})
        spread = [free[1 + i % n_slots] for i in range(attempts)]
        many = self._round(service, therapist, runners[attempts:], spread, threads)
        figures.update({f"many_slots_{k}": v for k, v in many.items()})
        figures["many_slots_slots"] = n_slots
        figures["many_slots_each_booked_once"] = many["sessions"] == n_slots and (
            Session.objects.filter(therapist=therapist, start__in=[s.start for s in free[1:]])
            .values("start")
            .distinct()
            .count()
            == n_slots
        )
        figures["one_slot_exactly_one"] = one["sessions"] == 1
        figures["load_average_1m"] = round(os.getloadavg()[0], 2)
        return figures

    def _round(
        self,
        service: Service,
        therapist: Therapist,
        runners: list[Runner],
        slots: list,
        threads: int,
    ) -> dict:
        before = Session.objects.filter(therapist=therapist).count()
        times: list[float] = []
        codes: Counter[str] = Counter()
        errors: Counter[str] = Counter()
        lock = threading.Lock()
        start_together = threading.Barrier(threads)
        work = list(zip(runners, slots, strict=True))

        def worker(mine: list) -> None:
            # Its own connection (Django's are per thread), its own copies of the rows.
            svc = Service.objects.select_related("clinic").get(pk=service.pk)
            who = Therapist.objects.get(pk=therapist.pk)
            users = {
                r.pk: r.user
                for r in Runner.objects.select_related("user").filter(
                    pk__in=[r.pk for r, _s in mine]
                )
            }
            start_together.wait()
            try:
                for runner, slot in mine:
                    t0 = time.perf_counter()
                    try:
                        session_book(
                            runner=runner,
                            service=svc,
                            therapist=who,
                            start=slot.start,
                            by=users[runner.pk],
                            with_suggestions=False,
                        )
                        outcome = "booked"
                    except BookingError as exc:
                        outcome = exc.code
                    except Exception as exc:  # noqa: BLE001 (counted and reported)
                        outcome = None
                        with lock:
                            errors[type(exc).__name__] += 1
                    elapsed = (time.perf_counter() - t0) * 1000
                    with lock:
                        times.append(elapsed)
                        if outcome is not None:
                            codes[outcome] += 1
            finally:
                connection.close()

        pool = [threading.Thread(target=worker, args=(work[i::threads],)) for i in range(threads)]
        t0 = time.perf_counter()
        for t in pool:
            t.start()
        for t in pool:
            t.join()
        wall = time.perf_counter() - t0
        times.sort()
        return {
            "sessions": Session.objects.filter(therapist=therapist).count() - before,
            "outcomes": dict(sorted(codes.items())),
            "errors": dict(errors),
            "p50_ms": round(statistics.median(times), 1),
            "p95_ms": round(times[int(0.95 * (len(times) - 1))], 1),
            "max_ms": round(times[-1], 1),
            "attempts_per_s": round(len(times) / wall, 1),
        }


def _json_line(figures: dict) -> str:
    return json.dumps(figures, sort_keys=True)
