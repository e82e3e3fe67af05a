"""The evening a big race opens registrations: many anonymous availability lookups, runners
signing in, booking and cancelling. Run by scripts/load/run.py (`make load`).

Expected refusals (409 slot taken, 400 race rule or too-short notice) are part of the mix
and count as answered, not as errors; an error is a 5xx, a timeout or an unexpected code.
The summary (requests/s, p50/p95/p99, errors, 5xx) is written as JSON to $LOAD_SUMMARY.
"""

from __future__ import annotations

import itertools
import json
import os
import random
from collections import Counter
from datetime import UTC, date, datetime, timedelta

from locust import FastHttpUser, between, events, task

PASSWORD = os.environ.get("LOAD_PASSWORD", "load-test-runner")
RUNNERS = int(os.environ.get("LOAD_RUNNERS", "400"))
DAYS_AHEAD = int(os.environ.get("LOAD_DAYS_AHEAD", "21"))

_runner_numbers = itertools.count()
_addresses = itertools.count(1)
status_counts: Counter[int] = Counter()
_catalogue: dict = {}


def catalogue(client, headers: dict) -> dict:
    """The services and their therapists, read once per process (as a page would cache)."""
    if not _catalogue:
        get = client.get
        services = get("/api/v1/services/", name="catalogue", headers=headers).json()
        therapists = get("/api/v1/therapists/", name="catalogue", headers=headers).json()
        services = services.get("results", services)
        therapists = therapists.get("results", therapists)
        _catalogue["services"] = [
            s for s in services if s["name"].startswith(("Unloading", "Express"))
        ]
        _catalogue["therapists"] = {}
        for t in therapists:
            _catalogue["therapists"].setdefault(t["clinic"], []).append(t["id"])
    return _catalogue


def random_day(rng: random.Random) -> str:
    return (datetime.now(UTC).date() + timedelta(days=rng.randint(1, DAYS_AHEAD))).isoformat()


@events.request.add_listener
def _count_status(response=None, exception=None, **kwargs):
    code = getattr(response, "status_code", 0) or 0
    status_counts[code] += 1


class AvailabilityMixin:
    def availability(
        self, *, name: str = "availability", days: int = 1, therapist=None, parse: bool = True
    ):
        cat = catalogue(self.client, self.client_headers())
        service = random.choice(cat["services"])
        start = random_day(random)
        end = (date.fromisoformat(start) + timedelta(days=days - 1)).isoformat()
        params = f"service={service['id']}&start={start}&end={end}"
        if therapist is None and random.random() < 0.3:
            therapist = random.choice(cat["therapists"][service["clinic"]])
        if therapist is not None:
            params += f"&therapist={therapist}"
        with self.client.get(
            f"/api/v1/availability/?{params}", name=name, catch_response=True, **self.auth()
        ) as response:
            if response.status_code != 200:
                response.failure(f"availability {response.status_code}")
                return service, []
            # Parsing 6 KB of JSON costs the load generator more than the server its
            # cached answer: only a runner about to book reads the slots.
            return service, response.json()["slots"] if parse else []

    def auth(self) -> dict:
        return {"headers": self.client_headers()}

    def client_headers(self) -> dict:
        # Each simulated visitor has an address of its own (the app trusts one proxy in
        # the load setup), so per-IP throttles count per visitor as they do in production.
        if not hasattr(self, "_address"):
            n = next(_addresses)
            self._address = f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256 or 1}"
        return {"X-Forwarded-For": self._address}


class AnonymousVisitor(AvailabilityMixin, FastHttpUser):
    """Looks at the calendar, day by day and now and then a week, without signing in."""

    weight = int(os.environ.get("LOAD_ANON_WEIGHT", "9"))
    wait_time = between(0.2, 1.0)

    @task(6)
    def day(self):
        self.availability(name="availability", parse=False)

    @task(1)
    def week(self):
        self.availability(name="availability", days=7, parse=False)


class Runner(AvailabilityMixin, FastHttpUser):
    """Signs in, looks, books a slot it saw, sometimes cancels, looks at its sessions."""

    weight = int(os.environ.get("LOAD_RUNNER_WEIGHT", "1"))
    wait_time = between(0.5, 2.0)

    def on_start(self):
        number = next(_runner_numbers) % RUNNERS
        response = self.client.post(
            "/api/v1/auth/token/",
            json={"email": f"load-runner-{number}@load.test", "password": PASSWORD},
            name="sign in",
            headers=self.client_headers(),
        )
        self.token = response.json().get("token") if response.status_code == 200 else None
        self.booked: list[int] = []

    def auth(self) -> dict:
        headers = self.client_headers()
        if self.token:
            headers["Authorization"] = f"Token {self.token}"
        return {"headers": headers}

    @task(4)
    def look(self):
        self.availability(name="availability", parse=False)

    @task(2)
    def book(self):
        if not self.token:
            return
        service, slots = self.availability(name="availability")
        if not slots:
            return
        slot = random.choice(slots)
        with self.client.post(
            "/api/v1/sessions/",
            json={"service": service["id"], "therapist": slot["therapist"], "start": slot["start"]},
            name="book",
            catch_response=True,
            **self.auth(),
        ) as response:
            if response.status_code == 201:
                self.booked.append(response.json()["id"])
            elif response.status_code in (400, 409) and "code" in response.json():
                response.success()  # a refusal with its code: slot taken, race rule...
            else:
                response.failure(f"book {response.status_code}")

    @task(1)
    def cancel(self):
        if not self.booked:
            return
        session_id = self.booked.pop(random.randrange(len(self.booked)))
        with self.client.post(
            f"/api/v1/sessions/{session_id}/cancel/",
            json={},
            name="cancel",
            catch_response=True,
            **self.auth(),
        ) as response:
            if response.status_code == 200 or (
                response.status_code == 400 and "code" in response.json()
            ):
                response.success()
            else:
                response.failure(f"cancel {response.status_code}")

    @task(1)
    def my_sessions(self):
        if self.token:
            self.client.get("/api/v1/sessions/", name="my sessions", **self.auth())


def _entry_summary(entry, duration: float) -> dict:
    return {
        "requests": entry.num_requests,
        "failures": entry.num_failures,
        "rps": round(entry.num_requests / duration, 1) if duration else 0.0,
        "p50_ms": entry.get_response_time_percentile(0.50),
        "p95_ms": entry.get_response_time_percentile(0.95),
        "p99_ms": entry.get_response_time_percentile(0.99),
        "max_ms": round(entry.max_response_time or 0),
    }


@events.quitting.add_listener
def _write_summary(environment, **kwargs):
    stats = environment.stats
    duration = max(stats.total.last_request_timestamp - stats.total.start_time, 1e-9)
    summary = {
        "duration_s": round(duration, 1),
        "total": _entry_summary(stats.total, duration),
        "by_name": {
            name: _entry_summary(entry, duration)
            for (name, _method), entry in stats.entries.items()
        },
        "status_counts": {str(k): v for k, v in sorted(status_counts.items())},
        "5xx": sum(v for k, v in status_counts.items() if k >= 500),
        "errors": {f"{e.method} {e.name}: {e.error}": e.occurrences for e in stats.errors.values()},
    }
    # Availability is reported as one figure whoever asked.
    entries = [e for (n, _m), e in stats.entries.items() if n == "availability"]
    if entries:
        summary["availability"] = _entry_summary(entries[0], duration)
    path = os.environ.get("LOAD_SUMMARY")
    if path:
        with open(path, "w") as fh:
            json.dump(summary, fh)
