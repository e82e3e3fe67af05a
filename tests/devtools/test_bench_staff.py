"""The staff benchmark: the calendar's day and week views and a 2,000-session feed, one
JSON line, nothing left behind."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from booking.models import Session
from clinic.models import Clinic

pytestmark = pytest.mark.django_db


def test_bench_staff_prints_the_figures_and_rolls_back():
    out = StringIO()
    call_command("bench_staff", "--json", "--runs", "1", stdout=out)
    figures = json.loads(out.getvalue().strip().splitlines()[-1])
    assert figures["day"]["sessions"] == 160 and figures["week"]["sessions"] == 40
    assert figures["feed"]["sessions"] == 2000 and figures["feed"]["bytes"] > 100_000
    for name in ("day", "week", "feed"):
        assert figures[name]["median_ms"] > 0 and 0 < figures[name]["queries"] < 30
    assert Session.objects.count() == 0 and Clinic.objects.count() == 0
