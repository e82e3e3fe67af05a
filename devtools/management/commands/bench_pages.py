"""Page weight of every runner page: the HTML's bytes and the total a browser fetches on a
first load (the HTML, its stylesheets, scripts, images, the first icon and the web app
manifest), uncompressed and gzipped, against the targets of 60 KB of HTML and 150 KB in
total (issue 16). Measured through the full Django stack on a seeded clinic (a runner
with races and sessions), in English and Spanish; everything seeded is rolled back.

`--json`: the last line is one JSON object: {"pages": {...}, "targets": {...}, "over": [...]}.
"""

import gzip
import json
import re
import time
from datetime import timedelta
from decimal import Decimal
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test import Client
from django.utils import timezone

from devtools.seeding import Seeder, ServiceSpec

HTML_TARGET = 60 * 1024
FIRST_LOAD_TARGET = 150 * 1024
# What a browser fetches for a page on a first load (one icon: it picks one).
ASSET = re.compile(
    r"<(?:link[^>]+rel=\"(?P<rel>stylesheet|icon|manifest)\"[^>]*href=\"(?P<href>[^\"]+)\""
    r"|script[^>]+src=\"(?P<src>[^\"]+)\"|img[^>]+src=\"(?P<img>[^\"]+)\")"
)


class _Rollback(Exception):
    pass


def _gz(data: bytes) -> int:
    return len(gzip.compress(data, 6))


class Command(BaseCommand):
    help = "Print each runner page's HTML size and total first-load bytes."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, json: bool, **options):
        self.pages: dict = {}
        try:
            with transaction.atomic():
                self._run()
                raise _Rollback
        except _Rollback:
            pass
        over = sorted(
            name
            for name, f in self.pages.items()
            if f["html_bytes"] > HTML_TARGET or f["first_load_bytes"] > FIRST_LOAD_TARGET
        )
        width = max(len(n) for n in self.pages)
        self.stdout.write(f"{'page':<{width}}  html  html.gz  first-load  first-load.gz")
        for name, f in self.pages.items():
            self.stdout.write(
                f"{name:<{width}}  {f['html_bytes']:>5}  {f['html_gzip_bytes']:>7}  "
                f"{f['first_load_bytes']:>10}  {f['first_load_gzip_bytes']:>13}"
            )
        self.stdout.write(
            f"targets: html <= {HTML_TARGET} B, first load <= {FIRST_LOAD_TARGET} B; "
            f"over: {', '.join(over) or 'none'}"
        )
        if json:
            figures = {
                "pages": self.pages,
                "targets": {"html_bytes": HTML_TARGET, "first_load_bytes": FIRST_LOAD_TARGET},
                "over": over,
            }
            self.stdout.write(_json_dumps(figures))

    def _seed(self):
        stamp = int(time.time() * 1000)
        seeder = Seeder()
        clinic = seeder.clinic(f"bench-pages-{stamp}", "Fisio Running Bench")
        [service] = seeder.services(clinic, [ServiceSpec("Unloading massage", 60, Decimal("45"))])
        [therapist] = seeder.therapists(clinic, 1, email=f"t{{i}}-{stamp}@bench.test")
        [runner] = seeder.runners(clinic, 1, email=f"r{{i}}-{stamp}@bench.test", confirmed=True)
        now = timezone.now()
        races = seeder.races(
            [
                {"runner": runner, "name": f"Race {i}", "start": now + timedelta(days=10 + 7 * i)}
                for i in range(5)
            ]
        )
        sessions = seeder.sessions(
            [
                {
                    "runner": runner,
                    "therapist": therapist,
                    "service": service,
                    "start": (now + timedelta(days=d)).replace(minute=0, second=0, microsecond=0),
                    "status": "booked" if d > 0 else "attended",
                }
                for d in (-60, -45, -30, -15, 3)
            ]
        )
        return clinic, service, therapist, runner, sessions[-1], races[0]

    def _run(self):
        clinic, service, therapist, runner, upcoming, race = self._seed()
        host = next(h for h in settings.ALLOWED_HOSTS if h not in ("*", "")).lstrip(".")
        start = upcoming.start + timedelta(days=1)
        confirm = (
            f"/book/{service.pk}/confirm/?start={quote(start.isoformat())}&therapist={therapist.pk}"
        )
        signed_in = {
            "home": "/",
            "book": "/book/",
            "pick_a_time": f"/book/{service.pk}/",
            "month": f"/book/{service.pk}/month/",
            "confirm": confirm,
            "booked": f"/sessions/{upcoming.pk}/?booked=1",
            "session": f"/sessions/{upcoming.pk}/",
            "move": f"/sessions/{upcoming.pk}/reschedule/",
            "move_month": f"/sessions/{upcoming.pk}/reschedule/month/",
            "cancel": f"/sessions/{upcoming.pk}/cancel/",
            "my_sessions": "/sessions/",
            "races": "/races/",
            "race_add": "/races/add/",
            "plan": "/plan/",
            "waitlist": "/waitlist/",
            "trainings": "/trainings/",
            "training_import": "/trainings/import/",
            "race_edit": f"/races/{race.pk}/edit/",
            "race_import": "/races/import/",
            "profile": "/profile/",
            "calendar_feed": "/calendar/feed/",
            "devices": "/account/devices/",
            "privacy": "/account/privacy/",
            "self_care": "/self-care/",
        }
        visitor = {
            "visitor_home": "/",
            "sign_up": "/accounts/signup/",
            "log_in": "/accounts/login/",
        }
        for lang in ("en", "es"):
            client = Client(SERVER_NAME=host)
            client.cookies["django_language"] = lang
            for name, url in visitor.items():
                self._measure(f"{name}.{lang}", client, url)
            client.force_login(runner.user)
            for name, url in signed_in.items():
                self._measure(f"{name}.{lang}", client, url)

    def _measure(self, name: str, client: Client, url: str) -> None:
        response = client.get(url)
        if response.status_code != 200:
            raise CommandError(f"{url}: {response.status_code}")
        html = response.content
        total, total_gz, icon_seen = len(html), _gz(html), False
        for m in ASSET.finditer(html.decode()):
            if m["rel"] == "icon":
                if icon_seen:
                    continue
                icon_seen = True
            body = self._fetch(client, m["href"] or m["src"] or m["img"])
            total += len(body)
            total_gz += _gz(body)
        self.pages[name] = {
            "url": url,
            "html_bytes": len(html),
            "html_gzip_bytes": _gz(html),
            "first_load_bytes": total,
            "first_load_gzip_bytes": total_gz,
        }

    def _fetch(self, client: Client, href: str) -> bytes:
        path = urlsplit(href.replace("&amp;", "&")).path
        if path.startswith(settings.STATIC_URL):
            found = finders.find(path[len(settings.STATIC_URL) :])
            if found:
                with open(found, "rb") as f:
                    return f.read()
        response = client.get(href.replace("&amp;", "&"))
        if response.status_code != 200:
            raise CommandError(f"{href}: {response.status_code}")
        return b"".join(response.streaming_content) if response.streaming else response.content


def _json_dumps(figures: dict) -> str:
    return json.dumps(figures, sort_keys=True)
