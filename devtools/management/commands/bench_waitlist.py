"""Benchmark of the waitlist: a freed time with N runners waiting across a clinic.

    python manage.py bench_waitlist                 # 10,000 runners waiting
    python manage.py bench_waitlist --runners 2000 --json

Seeds a clinic (20 therapists), N runners each waiting on its list (any therapist or
one of them, various hours; a fifth race the next day, a tenth have a session that day,
so the rules really choose), books one session and cancels it through the engine: the
cancellation records the freed time (clinic.events.time_freed). Then it times what the
worker does with it (booking.reminders.tasks.run_waitlist_offer): choosing the runners
with the one validator on data read set-based, recording the offers and their e-mail
rows, and sending the e-mails (Django's in-memory backend: nothing leaves). The queries
are counted (choosing and recording: a fixed number whatever N; sending: a few per
e-mail, each claimed on its own for exactly once); wall and CPU seconds are both given
(a loaded machine inflates the wall time). The seeded rows are deleted at the end (unless
--keep). With --json the last line is one JSON object of the figures.
"""

import json
from datetime import time, timedelta
from decimal import Decimal
from time import perf_counter, process_time

from django.conf import settings
from django.core import mail
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test.utils import override_settings
from django.utils import timezone

from booking.engine import waitlist
from booking.engine.services import session_book, session_cancel
from booking.models import FreedTime, Reminder, Session, WaitlistEntry, WaitlistOffer
from booking.reminders import tasks
from clinic import timeutils
from clinic.models import Clinic, Service, Therapist, User
from devtools.seeding import Seeder, ServiceSpec, at
from runners.models import Race, Runner

SLUG = "bench-waitlist"
THERAPISTS = 20
CHUNK = 5000
# The hours the same-day sessions start (within the seeded working hours).
SAME_DAY_HOURS = [time(h) for h in (9, 10, 11, 12, 13, 15, 16, 17, 18, 19)]


class Command(BaseCommand):
    help = "A freed time with N runners waiting: time to the offers, queries, e-mails."

    def add_arguments(self, parser):
        parser.add_argument("--runners", type=int, default=10_000)
        parser.add_argument("--json", action="store_true", help="print one JSON line last")
        parser.add_argument("--keep", action="store_true", help="keep the seeded data")
        parser.add_argument(
            "--force", action="store_true", help="run with DEBUG off (it writes many rows)"
        )

    def handle(self, *args, runners: int, json: bool, keep: bool, force: bool, **options):
        if not settings.DEBUG and not force:
            raise CommandError("This seeds many rows; use --force to run it with DEBUG off.")
        now = timezone.now()
        self._cleanup()
        t0 = perf_counter()
        clinic, service, therapists, first, day = self._seed(runners, now)
        seed_seconds = perf_counter() - t0
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for table in ("booking_waitlistentry", "runners_runner", "runners_race"):
                    cursor.execute(f"ANALYZE {table}")  # noqa: S608 (fixed table names)

        # The freed time: a booked session cancelled through the engine.
        start = at(day, time(10), clinic)
        session = session_book(
            runner=first, service=service, therapist=therapists[0], start=start, by=first.user
        )
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            mail.outbox = []
            session_cancel(session=session, by=first.user)
            freed = FreedTime.objects.filter(therapist=therapists[0]).latest("pk")
            with _Counter() as choosing:
                t0, cpu0 = perf_counter(), process_time()
                offered = waitlist.make_offers(freed.pk, now=now)
                offer_seconds, offer_cpu = perf_counter() - t0, process_time() - cpu0
            with _Counter() as sending:
                t0, cpu0 = perf_counter(), process_time()
                failed = tasks.run_waitlist_offer(freed.pk, now=now)
                send_seconds, send_cpu = perf_counter() - t0, process_time() - cpu0
            sent = len(mail.outbox)
        waiting = WaitlistEntry.objects.filter(clinic=clinic, left_at__isnull=True).count()
        figures = {
            "runners_waiting": waiting,
            "offers": len(offered),
            "emails_sent": sent,
            "failed": len(failed),
            "offer_seconds": round(offer_seconds, 3),
            "offer_cpu_seconds": round(offer_cpu, 3),
            "offer_queries": choosing.count,
            "send_seconds": round(send_seconds, 3),
            "send_cpu_seconds": round(send_cpu, 3),
            "send_queries_per_email": round(sending.count / max(sent, 1), 1),
            "seed_seconds": round(seed_seconds, 1),
            "database": connection.vendor,
        }
        if not keep:
            self._cleanup()
        if sent != len(offered):
            raise CommandError(f"sent {sent} e-mails for {len(offered)} offers")
        for key, value in figures.items():
            if not json:
                self.stdout.write(f"{key:>24}: {value}")
        if json:
            self.stdout.write(_dumps(figures))

    def _seed(self, n: int, now):
        seeder = Seeder()
        clinic = seeder.clinic(SLUG, "Bench waitlist clinic", timezone="Europe/Madrid")
        [service] = seeder.services(clinic, [ServiceSpec("Bench massage", 60, Decimal("45"))])
        therapists = seeder.therapists(
            clinic, THERAPISTS, email="bench-wl-therapist-{i}@bench.invalid"
        )
        today = timeutils.local_date(now, clinic.tz)
        day = today + timedelta(days=3)
        while day.weekday() >= 5:
            day += timedelta(days=1)
        joined = now - timedelta(days=2)
        for begin in range(0, n, CHUNK):
            with transaction.atomic():
                rows = seeder.runners(
                    clinic,
                    min(n, begin + CHUNK) - begin,
                    email="bench-wl-{i}@bench.invalid",
                    first=begin,
                )
                entries, races, sessions = [], [], []
                for i, runner in zip(range(begin, begin + len(rows)), rows, strict=True):
                    entries.append(
                        WaitlistEntry(
                            runner=runner,
                            clinic=clinic,
                            service=service,
                            # Half any therapist, half one of the others (never the freed one).
                            therapist=therapists[i % THERAPISTS] if i % 2 else None,
                            first_day=today,
                            last_day=today + timedelta(days=14),
                            earliest=time(9 if i % 4 else 16),
                            latest=time(20),
                            joined_at=joined + timedelta(seconds=i),
                        )
                    )
                    if i % 5 == 1:  # a race the next day: too close for a massage that day
                        races.append(
                            {
                                "runner": runner,
                                "name": f"Race {i}",
                                "start": at(day + timedelta(days=1), time(9), clinic),
                            }
                        )
                    k = i // 50
                    if i % 50 == 3 and k < len(SAME_DAY_HOURS) * (THERAPISTS - 1):
                        # Already has a massage that day (with another therapist).
                        sessions.append(
                            {
                                "runner": runner,
                                "therapist": therapists[1 + k % (THERAPISTS - 1)],
                                "service": service,
                                "start": at(day, SAME_DAY_HOURS[k // (THERAPISTS - 1)], clinic),
                            }
                        )
                WaitlistEntry.objects.bulk_create(entries, batch_size=2000)
                seeder.races(races)
                seeder.sessions(sessions)
        [booker] = seeder.runners(clinic, 1, email="bench-wl-booker-{i}@bench.invalid", first=n)
        return clinic, service, therapists, booker, day

    def _cleanup(self) -> None:
        clinic = Clinic.objects.filter(slug=SLUG).first()
        if clinic is None:
            return
        with transaction.atomic():
            runners = Runner.objects.filter(clinic=clinic)
            WaitlistOffer.objects.filter(runner__in=runners)._raw_delete("default")
            FreedTime.objects.filter(therapist__clinic=clinic).delete()
            WaitlistEntry.objects.filter(clinic=clinic)._raw_delete("default")
            Reminder.objects.filter(runner__in=runners)._raw_delete("default")
            Session.objects.filter(clinic=clinic).delete()
            Race.objects.filter(runner__in=runners)._raw_delete("default")
            runner_users = list(runners.values_list("user_id", flat=True))
            runners._raw_delete("default")
            therapist_users = list(
                Therapist.objects.filter(clinic=clinic).values_list("user_id", flat=True)
            )
            Therapist.objects.filter(clinic=clinic).delete()
            for i in range(0, len(runner_users), CHUNK):
                User.objects.filter(pk__in=runner_users[i : i + CHUNK])._raw_delete("default")
            User.objects.filter(pk__in=therapist_users).delete()
            Service.objects.filter(clinic=clinic).delete()
            clinic.delete()


class _Counter:
    """Counts the queries run inside it (any number: no log kept)."""

    def __enter__(self):
        self.count = 0
        self._wrapper = connection.execute_wrapper(self._count)
        self._wrapper.__enter__()
        return self

    def __exit__(self, *exc):
        self._wrapper.__exit__(*exc)

    def _count(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def _dumps(figures: dict) -> str:
    return json.dumps(figures, sort_keys=True)
