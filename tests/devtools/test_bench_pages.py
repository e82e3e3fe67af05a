"""The page-weight benchmark: every runner page, in English and Spanish, under 60 KB of
HTML and 150 KB on a first load; one JSON line; nothing left behind."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from booking.models import Session
from clinic.models import Clinic

pytestmark = pytest.mark.django_db


def test_bench_pages_prints_every_page_under_the_targets_and_rolls_back():
    out = StringIO()
    call_command("bench_pages", "--json", stdout=out)
    figures = json.loads(out.getvalue().strip().splitlines()[-1])
    pages = figures["pages"]
    every = ("visitor_home", "sign_up", "log_in", "home", "book", "pick_a_time", "month")
    every += ("confirm", "booked", "session", "move", "move_month", "cancel", "my_sessions")
    every += ("races", "plan", "waitlist", "trainings", "training_import")
    every += ("race_add", "race_edit", "race_import", "profile", "calendar_feed", "devices")
    every += ("privacy", "self_care")
    assert {n.rsplit(".", 1)[0] for n in pages} == set(every)
    for name in every:
        assert f"{name}.en" in pages and f"{name}.es" in pages
    for name, page in pages.items():
        assert page["html_bytes"] <= 60 * 1024, name
        assert page["first_load_bytes"] <= 150 * 1024, name
        # The stylesheet and scripts are counted, not just the HTML.
        assert page["first_load_bytes"] > page["html_bytes"] + 20_000, name
    assert figures["over"] == []
    assert pages["profile.en"]["html_bytes"] < 20 * 1024  # no 600-zone menu any more
    assert Session.objects.count() == 0 and Clinic.objects.count() == 0
