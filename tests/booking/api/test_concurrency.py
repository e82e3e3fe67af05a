"""Twenty runners press "book" on the same slot at once, through the API: exactly one
201, nineteen 409 `slot_taken` with a body, never a 500, and no overlapping rows."""

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from booking.models import Session
from devtools.factories import RunnerFactory, UserFactory
from tests.support.api_fixtures import local

N = 20


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_simultaneous_bookings_of_one_slot(clinic, service, therapist, clock):
    runners = [
        RunnerFactory(clinic=clinic, user=UserFactory(email=f"racer{i}@runners.test"))
        for i in range(N)
    ]
    start = local(2026, 12, 2, 10).isoformat()
    barrier = threading.Barrier(N)
    results: list[tuple[int, dict]] = []
    lock = threading.Lock()

    def attempt(runner):
        client = APIClient()
        client.force_authenticate(runner.user)
        try:
            barrier.wait()
            r = client.post(
                "/api/v1/sessions/",
                {"service": service.pk, "therapist": therapist.pk, "start": start},
                format="json",
            )
            with lock:
                results.append((r.status_code, r.json()))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(r,)) for r in runners]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    statuses = sorted(s for s, _ in results)
    assert statuses == [201] + [409] * (N - 1), statuses
    for status, body in results:
        if status == 409:
            assert body["code"] == "slot_taken" and body["detail"]
    assert Session.objects.filter(therapist=therapist, status="booked").count() == 1
