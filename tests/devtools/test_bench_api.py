"""The API benchmark runs, prints its figures as one JSON line, and leaves nothing behind."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from booking.models import Session

pytestmark = pytest.mark.django_db


def test_bench_api_prints_one_json_line_and_rolls_back():
    out = StringIO()
    call_command("bench_api", "--json", "--runs", "1", "--sessions", "200", stdout=out)
    figures = json.loads(out.getvalue().strip().splitlines()[-1])
    assert figures["sessions_seeded"] == 200
    assert figures["runner_list_queries"] <= 4
    assert figures["therapist_list_page_queries"] <= 4
    assert figures["availability_clinic_30d_queries"] <= 10
    assert Session.objects.count() == 0
