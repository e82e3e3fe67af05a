"""bench_ledger seeds its ledger and prints the report's figures as one JSON line; the
report's queries do not grow with the rows."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def bench(rows):
    out = StringIO()
    call_command("bench_ledger", rows=rows, runs=1, runners=5, json=True, stdout=out)
    return json.loads(out.getvalue().strip().splitlines()[-1])


def test_bench_ledger_prints_one_json_line_with_a_fixed_query_count():
    small, larger = bench(500), bench(5000)
    assert (small["ledger_rows"], larger["ledger_rows"]) == (500, 5000)
    assert small["report_queries"] == larger["report_queries"] == 5
    assert 1 <= larger["report_months"] <= 12 and larger["report_median_ms"] > 0
