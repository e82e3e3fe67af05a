"""Benchmark of the packs and memberships report over a large credit ledger.

    python manage.py bench_ledger [--json] [--rows 1000000] [--runs 7] [--reseed] [--runners 1000]

Seeds (once; re-used when present) 2 clinics, 2,000 runners, 40,000 pack sales with their
payments and credit grants (one per 25 rows), and 1,000,000 ledger rows (INSERT ... SELECT generate_series on
PostgreSQL), then prints the median time of the monthly sales report
(billing.selectors.billing_report) of one clinic over a year and its number of queries.
With --json the last line is one JSON object of the figures.
"""

import json
import statistics
import time as clock
from datetime import UTC, date, datetime
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from billing.models import LedgerEntry, Offer
from billing.selectors import billing_report
from clinic import timeutils
from clinic.models import Clinic, User
from devtools.seeding import Seeder, ServiceSpec
from runners.models import Runner

SLUGS = ("ledger-a", "ledger-b")
RUNNERS_PER_CLINIC = 1000
ROWS_PER_SALE = 25  # one pack sold for every 25 ledger rows: 40,000 for a million
BASE = datetime(2023, 1, 1, tzinfo=UTC)
DAYS = 3 * 365
REPORT_YEAR = 2024

SALES_SQL = """
INSERT INTO billing_sale (clinic_id, runner_id, offer_id, amount, sold_at)
SELECT (%(clinics)s::bigint[])[1 + g %% 2],
       (%(runners)s::bigint[])[1 + (g %% 2) * %(per)s + (g / 2) %% %(per)s],
       (%(offers)s::bigint[])[1 + g %% 2],
       200.00,
       %(base)s::timestamptz + ((g::bigint * 7919) %% %(days)s) * interval '1 day'
         + ((g::bigint * 104729) %% 600) * interval '1 minute'
FROM generate_series(0, %(sales)s - 1) AS g
"""
PAYMENTS_SQL = """
INSERT INTO billing_payment (sale_id, provider, method, amount, reference, recorded_at)
SELECT id, 'desk', 'card', amount, '', sold_at FROM billing_sale WHERE clinic_id = ANY(%(clinics)s)
"""
GRANTS_SQL = """
INSERT INTO billing_creditgrant
    (runner_id, clinic_id, offer_id, sale_id, quantity, remaining, expires_on, created_at)
SELECT runner_id, clinic_id, offer_id, id, 10, (id %% 11)::int,
       (sold_at + interval '6 months')::date, sold_at
FROM billing_sale WHERE clinic_id = ANY(%(clinics)s)
"""
LEDGER_SQL = """
INSERT INTO billing_ledgerentry (grant_id, clinic_id, runner_id, kind, delta, reason, at)
SELECT g.id, g.clinic_id, g.runner_id,
       CASE WHEN k %% 25 = 0 THEN 'grant' WHEN k %% 25 < 22 THEN 'use'
            WHEN k %% 25 < 24 THEN 'return' ELSE 'expire' END,
       CASE WHEN k %% 25 = 0 THEN 10 WHEN k %% 25 < 22 THEN -1
            WHEN k %% 25 < 24 THEN 1 ELSE -2 END,
       '',
       g.created_at + ((k %% 25) * 7) * interval '1 day'
FROM generate_series(%(k0)s, %(k1)s) AS k
JOIN billing_creditgrant g ON g.id = (%(grants)s::bigint[])[1 + (k / 25) %% %(n_grants)s]
"""


class Command(BaseCommand):
    help = "Seed 1,000,000 ledger rows (once) and time the monthly sales report."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true")
        parser.add_argument("--rows", type=int, default=1_000_000)
        parser.add_argument("--runs", type=int, default=7)
        parser.add_argument("--reseed", action="store_true")
        parser.add_argument("--runners", type=int, default=RUNNERS_PER_CLINIC, help="per clinic")

    def handle(self, *args, **opts):
        if connection.vendor != "postgresql":
            raise CommandError("bench_ledger needs PostgreSQL (set DATABASE_URL).")
        self.runners = opts["runners"]
        rows = self._seed(opts["rows"], opts["reseed"])
        clinic = Clinic.objects.get(slug=SLUGS[0])
        figures = {"ledger_rows": rows, "clinics": len(SLUGS)}
        figures.update(self._time_report(clinic, opts["runs"]))
        for key, value in figures.items():
            self.stdout.write(f"{key}: {value}")
        if opts["json"]:
            self.stdout.write(json.dumps(figures))

    def _seed(self, total: int, reseed: bool) -> int:
        existing = LedgerEntry.objects.filter(clinic__slug__in=SLUGS).count()
        if existing == total and not reseed:
            self.stderr.write(f"re-using the seed: {existing:,} ledger rows")
            return existing
        started = clock.perf_counter()
        with transaction.atomic():
            clinics, offers, runners = self._people()
            ids = [c.pk for c in clinics]
            for table in ("ledgerentry", "creditgrant", "payment", "sale"):
                column = "sale_id IN (SELECT id FROM billing_sale WHERE clinic_id = ANY(%s))"
                where = column if table == "payment" else "clinic_id = ANY(%s)"
                with connection.cursor() as cursor:
                    cursor.execute(f"DELETE FROM billing_{table} WHERE {where}", [ids])  # noqa: S608
            params = {
                "clinics": ids,
                "runners": runners,
                "offers": [o.pk for o in offers],
                "per": self.runners,
                "base": BASE,
                "days": DAYS,
                "sales": max(1, total // ROWS_PER_SALE),
            }
            with connection.cursor() as cursor:
                cursor.execute(SALES_SQL, params)
                cursor.execute(PAYMENTS_SQL, params)
                cursor.execute(GRANTS_SQL, params)
                cursor.execute(
                    "SELECT id FROM billing_creditgrant WHERE clinic_id = ANY(%s) ORDER BY id",
                    [ids],
                )
                grants = [row[0] for row in cursor.fetchall()]
                batch = 200_000
                for k0 in range(0, total, batch):
                    k1 = min(k0 + batch, total) - 1
                    cursor.execute(
                        LEDGER_SQL, {"k0": k0, "k1": k1, "grants": grants, "n_grants": len(grants)}
                    )
                    self.stderr.write(f"  seeded {k1 + 1:,} ledger rows")
        with connection.cursor() as cursor:
            # What autovacuum does after a bulk load: statistics and the visibility map
            # (VACUUM cannot run inside a transaction: a test's run gets ANALYZE alone).
            command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
            for table in ("sale", "payment", "creditgrant", "ledgerentry"):
                cursor.execute(f"{command} billing_{table}")
        count = LedgerEntry.objects.filter(clinic__slug__in=SLUGS).count()
        self.stderr.write(f"seeded {count:,} rows in {clock.perf_counter() - started:.0f} s")
        return count

    def _people(self):
        seeder = Seeder()
        clinics, offers, runner_ids = [], [], []
        for n, slug in enumerate(SLUGS):
            clinic = seeder.clinic(
                slug,
                f"Ledger clinic {slug[-1].upper()}",
                timezone=("Europe/Madrid", "Atlantic/Canary")[n],
            )
            [service] = seeder.services(
                clinic, [ServiceSpec("Bench unloading massage", 60, Decimal("45.00"))]
            )
            offer, _ = Offer.objects.get_or_create(
                clinic=clinic,
                name="Bench pack of 10",
                defaults={"sessions": 10, "price": Decimal("400.00"), "valid_months": 6},
            )
            offer.services.set([service])
            email = f"ledger-r{n}-{{i}}@bench.invalid"
            found = dict(
                Runner.objects.filter(
                    clinic=clinic, user__email__startswith=f"ledger-r{n}-"
                ).values_list("user__email", "pk")
            )
            if len(found) != self.runners:
                Runner.objects.filter(pk__in=found.values()).delete()
                User.objects.filter(email__startswith=f"ledger-r{n}-").delete()
                made = seeder.runners(clinic, self.runners, email=email, cadence="monthly")
                found = {r.user.email: r.pk for r in made}
            runner_ids += [found[email.format(i=i)] for i in range(self.runners)]
            clinics.append(clinic)
            offers.append(offer)
        return clinics, offers, runner_ids

    def _time_report(self, clinic: Clinic, runs: int) -> dict:
        start, end = timeutils.local_day_bounds(
            clinic.tz, date(REPORT_YEAR, 1, 1), date(REPORT_YEAR, 12, 31)
        )
        report = billing_report(clinic, start=start, end=end)  # warm the plan and the cache
        times = []
        for _ in range(runs):
            with CaptureQueriesContext(connection) as ctx:
                t0 = clock.perf_counter()
                billing_report(clinic, start=start, end=end)
                times.append((clock.perf_counter() - t0) * 1000)
        return {
            "report_year": REPORT_YEAR,
            "report_months": len(report.months),
            "report_ledger_rows_in_year": LedgerEntry.objects.filter(
                clinic=clinic, at__gte=start, at__lt=end
            ).count(),
            "report_median_ms": round(statistics.median(times), 1),
            "report_min_ms": round(min(times), 1),
            "report_max_ms": round(max(times), 1),
            "report_queries": len(ctx.captured_queries),
            "report_runs": runs,
            "outstanding_credits": report.outstanding,
        }
