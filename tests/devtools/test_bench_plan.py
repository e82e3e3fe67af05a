"""bench_plan runs, prints its figures as one JSON line and cleans up after itself."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from clinic.models import Clinic
from tests.booking.engine.test_plan import PLAN_QUERIES

pytestmark = [pytest.mark.django_db]


def test_bench_plan_prints_one_json_line_and_cleans_up(clock):
    out = StringIO()
    call_command("bench_plan", runs=2, json=True, stdout=out)
    figures = json.loads(out.getvalue().strip().splitlines()[-1])
    assert figures["plan_weeks"] == 12 and figures["plan_proposals"] > 0
    assert figures["plan_queries"] == PLAN_QUERIES
    assert figures["recheck_booked_sessions"] == 50
    assert figures["recheck_emails_per_change"] == 1
    assert figures["plan_median_ms"] > 0 and figures["recheck_median_ms"] > 0
    assert not Clinic.objects.filter(slug="bench-plan").exists()
