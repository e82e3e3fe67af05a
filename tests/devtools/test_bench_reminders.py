"""The benchmark command runs and reports figures; the scan's queries do not grow."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from clinic.models import Clinic
from tests.booking.reminders.conftest import madrid

# The reminders' clock (this test lived with them): Friday 20 November 2026, ticking.
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.redis,
    pytest.mark.clock(madrid(2026, 11, 20, 12, 0), tick=True),
]


def bench(n):
    out = StringIO()
    call_command("bench_reminders", runners=n, json=True, force=True, stdout=out)
    return json.loads(out.getvalue().strip().splitlines()[-1])


def test_bench_reminders_prints_one_json_line_and_cleans_up():
    small, larger = bench(60), bench(1200)
    assert small["due"] == small["enqueued"] == 20
    assert larger["due"] == larger["enqueued"] == 400
    assert larger["batches"] == 1 and small["batches"] == 1
    # Set-based: the same queries for 60 or 1,200 runners.
    assert small["scan_queries"] == larger["scan_queries"] == 2
    assert not Clinic.objects.filter(slug="bench-reminders").exists()
