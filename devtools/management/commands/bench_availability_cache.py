"""What the availability cache gains: the same lookups with and without it.

    python manage.py bench_availability_cache [--json] [--runs 21] [--replay 2000]

On the clinic `bench_availability` seeds (20 therapists, 5,000 sessions; seeded here when
missing), run against the configured cache (Redis when REDIS_URL is set):

1. Lookup shapes (anonymous, as the public calendar asks): the whole clinic for 1, 7 and
   30 days, one therapist for 7 days. For each, the median time and the queries of
   - `uncached`: the selector alone (what every request costs with AVAILABILITY_CACHE off),
   - `hit`: every therapist-day already cached,
   - `after_booking`: one therapist's version bumped before each lookup (what a booking,
     cancellation or time off does), so that therapist's days are recomputed,
   in the engine (slot objects), as the API's JSON body (`json`: `availability_json`,
   the answer stored ready to send, against the selector's slots encoded) and through
   the API (`GET /api/v1/availability/`, the test client's request included).
2. An evening replayed: `--replay` anonymous lookups as `make load` mixes them (6 one-day
   lookups to 1 week, 30 % for one therapist, days up to 21 ahead), with one booking's
   invalidation every `--change-every` lookups (the load test's ratio is about one per
   60), from a cold cache; mean time per lookup with the cache and without, and the
   share of therapist-weeks served from the cache.

Every cached answer is checked against the selector's. `--json`: the last line is one
JSON object of the figures.
"""

import json
import os
import random
import statistics
import time as clock
from datetime import timedelta

from django.core.cache import cache, caches
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection
from django.test.utils import override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from booking.engine import availability, availability_cache
from clinic.cache import bump_therapist
from clinic.models import Clinic, Service, Therapist
from devtools.management.commands.bench_availability import SLUG


class Command(BaseCommand):
    help = "Availability with and without the per-therapist-day cache: times and queries."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="last line: one JSON object")
        parser.add_argument("--runs", type=int, default=21)
        parser.add_argument("--replay", type=int, default=2000, help="lookups in the replay")
        parser.add_argument("--change-every", type=int, default=60)

    def handle(self, *args, **opts):
        if not Clinic.objects.filter(slug=SLUG).exists():
            call_command("bench_availability", runs=1, stdout=self.stdout)
        clinic = Clinic.objects.get(slug=SLUG)
        service = Service.objects.select_related("clinic").get(clinic=clinic, name="Bench massage")
        self.therapists = list(
            Therapist.objects.filter(clinic=clinic, active=True)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        therapist = Therapist.objects.get(pk=self.therapists[0])
        first = timezone.now().astimezone(clinic.tz).date() + timedelta(days=1)
        self.service, self.clinic = service, clinic
        self.rng = random.Random(2026)  # noqa: S311 (deterministic choice of therapists)
        self.client = APIClient()
        self.address = 0
        runs = opts["runs"]
        figures: dict = {
            "database": connection.vendor,
            "cache_backend": type(caches["default"]).__name__,
            "therapists": len(self.therapists),
            "runs": runs,
        }
        shapes = {
            "clinic_1d": (None, first, first),
            "clinic_7d": (None, first, first + timedelta(days=6)),
            "clinic_30d": (None, first, first + timedelta(days=29)),
            "therapist_7d": (therapist, first, first + timedelta(days=6)),
        }
        self._cold()
        for name, (who, start, end) in shapes.items():
            self._check_same(who, start, end)
            for layer in ("engine", "json", "api"):
                for case in ("uncached", "hit", "after_booking"):
                    ms, queries = self._measure(layer, case, who, start, end, runs)
                    figures[f"{name}_{layer}_{case}_ms"] = round(ms, 2)
                    figures[f"{name}_{layer}_{case}_queries"] = queries
                uncached = figures[f"{name}_{layer}_uncached_ms"]
                hit = figures[f"{name}_{layer}_hit_ms"]
                figures[f"{name}_{layer}_speedup"] = round(uncached / hit, 1) if hit else None
                self.stdout.write(
                    f"{name:13} {layer:6} uncached {uncached:7.2f} ms "
                    f"({figures[f'{name}_{layer}_uncached_queries']} q)  "
                    f"hit {hit:6.2f} ms ({figures[f'{name}_{layer}_hit_queries']} q)  "
                    f"after a booking {figures[f'{name}_{layer}_after_booking_ms']:7.2f} ms "
                    f"({figures[f'{name}_{layer}_after_booking_queries']} q)"
                )
        figures.update(self._replay(first, opts["replay"], opts["change_every"]))
        figures["load_average_1m"] = round(os.getloadavg()[0], 2)
        if opts["json"]:
            self.stdout.write(json.dumps(figures))

    def _cold(self) -> None:
        """Forget every cached day of the bench clinic (as a change of each therapist)."""
        for t in self.therapists:
            bump_therapist(t)

    def _lookup(self, layer, cached, who, start, end):
        if layer == "engine":
            fn = availability_cache.availability if cached else availability.availability
            return fn(service=self.service, start_date=start, end_date=end, therapist=who)
        if layer == "json":  # the API's body: stored ready to send, or computed and encoded
            if cached:
                return availability_cache.availability_json(
                    service=self.service, start_date=start, end_date=end, therapist=who
                )
            slots = availability.availability(
                service=self.service, start_date=start, end_date=end, therapist=who
            ).slots
            return availability_cache.encode(self.clinic.timezone, self.clinic.tz, slots)
        params = {"service": self.service.pk, "start": start, "end": end}
        if who is not None:
            params["therapist"] = who.pk
        self.address += 1
        address = (
            f"10.{self.address // 65536 % 256}.{self.address // 256 % 256}.{self.address % 256}"
        )
        with override_settings(AVAILABILITY_CACHE=cached):
            response = self.client.get("/api/v1/availability/", params, REMOTE_ADDR=address)
        assert response.status_code == 200, response.content[:300]  # noqa: S101
        return response

    def _check_same(self, who, start, end) -> None:
        self._cold()
        for _ in range(2):  # from a cold cache, then from the cache
            cached = availability_cache.availability(
                service=self.service, start_date=start, end_date=end, therapist=who
            ).slots
            fresh = availability.availability(
                service=self.service, start_date=start, end_date=end, therapist=who
            ).slots
            if cached != fresh:
                raise AssertionError(f"cached answer differs from the selector's ({start}-{end})")

    def _measure(self, layer, case, who, start, end, runs):
        cached = case != "uncached"

        def prepare():
            if case == "after_booking":
                pool = [who.pk] if who is not None else self.therapists
                bump_therapist(self.rng.choice(pool))

        prepare()
        self._lookup(layer, cached, who, start, end)  # warm up (and fill the cache)
        prepare()
        # Counted by a wrapper, not CaptureQueriesContext: a request resets the query log.
        queries = []
        with connection.execute_wrapper(
            lambda execute, sql, *a: queries.append(sql) or execute(sql, *a)
        ):
            self._lookup(layer, cached, who, start, end)
        times = []
        for _ in range(runs):
            prepare()
            started = clock.perf_counter()
            self._lookup(layer, cached, who, start, end)
            times.append((clock.perf_counter() - started) * 1000)
        return statistics.median(times), len(queries)

    def _replay(self, first, lookups: int, change_every: int) -> dict:
        rng = random.Random(7)  # noqa: S311 (the same evening for both runs)
        therapists = {t.pk: t for t in Therapist.objects.filter(pk__in=self.therapists)}
        plan = []
        for i in range(lookups):
            start = first + timedelta(days=rng.randint(0, 20))
            end = start + timedelta(days=6) if rng.random() < 1 / 7 else start
            who = therapists[rng.choice(self.therapists)] if rng.random() < 0.3 else None
            change = rng.choice(self.therapists) if i % change_every == change_every - 1 else None
            plan.append((who, start, end, change))
        out = {"replay_lookups": lookups, "replay_change_every": change_every}
        for cached in (False, True):
            self._cold()
            needed = served = 0
            elapsed = 0.0
            for who, start, end, change in plan:
                if cached:  # counted before the lookup, outside its time
                    ids = [who.pk] if who is not None else self.therapists
                    entries, lacking = self._missing_entries(ids, start, end)
                    needed += entries
                    served += entries - lacking
                started = clock.perf_counter()
                self._lookup("engine", cached, who, start, end)
                if change is not None:
                    bump_therapist(change)
                elapsed += clock.perf_counter() - started
            label = "cached" if cached else "uncached"
            out[f"replay_{label}_mean_ms"] = round(elapsed * 1000 / lookups, 2)
            out[f"replay_{label}_lookups_per_s"] = round(lookups / elapsed, 1)
            if cached:
                out["replay_cache_hit_ratio"] = round(served / needed, 3)
        self.stdout.write(
            f"replay of {lookups} lookups, a change every {change_every}: "
            f"{out['replay_uncached_mean_ms']} ms per lookup uncached, "
            f"{out['replay_cached_mean_ms']} ms cached "
            f"({out['replay_cache_hit_ratio']:.1%} of therapist-weeks from the cache)"
        )
        return out

    def _missing_entries(self, ids, start, end) -> tuple[int, int]:
        """(entries this lookup needs, entries the cache lacks right now)."""
        keys = list(availability_cache.entry_keys(self.service.pk, ids, start, end).values())
        return len(keys), len(keys) - len(cache.get_many(keys))
