"""Reads: a runner's credits (what the pages, e-mails and API show), the offers and their
per-session prices, and the clinic admin's monthly report."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import TruncMonth
from django.utils import timezone

from billing.models import CreditGrant, LedgerEntry, Membership, Offer, Payment, Sale
from clinic.models import Clinic, Service
from runners.models import Runner


@dataclass
class Balance:
    credits: int = 0
    next_expiry: date | None = None
    expiring: int = 0  # credits that expire on next_expiry
    kind: str = ""  # "pack" or "membership": what the soonest credits come from
    membership: Membership | None = None

    @property
    def has_plan(self) -> bool:
        """A pack with credits left, or a membership that is not over."""
        return self.credits > 0 or self.membership is not None


def balance(runner: Runner | None, *, today: date | None = None) -> Balance:
    """What a runner has left (across clinics), the soonest expiry and its count, and the
    membership that is not over: one query (it is on every runner page), its subqueries
    read the grants' and memberships' runner indexes."""
    if runner is None:
        return Balance()
    today = today or timezone.localdate()
    live = CreditGrant.objects.filter(
        runner=OuterRef("pk"), remaining__gt=0, expired_at__isnull=True, expires_on__gte=today
    ).order_by()
    soonest = live.order_by("expires_on", "pk")

    def total(grants: QuerySet[CreditGrant]) -> Subquery:
        return Subquery(grants.values("runner").annotate(n=Sum("remaining")).values("n"))

    # Each field is its own subquery: a full order keeps them on the same row.
    current = (
        Membership.objects.filter(runner=OuterRef("pk"))
        .exclude(status=Membership.Status.ENDED)
        .order_by("-started_on", "-pk")
    )
    membership_fields = ("pk", "status", "started_on", "renews_on", "offer_id", "clinic_id")
    row = (
        Runner.objects.filter(pk=runner.pk)
        .annotate(
            b_credits=total(live),
            b_next_expiry=Subquery(soonest.values("expires_on")[:1]),
            b_kind=Subquery(soonest.values("offer__kind")[:1]),
            **{f"m_{name}": Subquery(current.values(name)[:1]) for name in membership_fields},
        )
        .annotate(b_expiring=total(live.filter(expires_on=OuterRef("b_next_expiry"))))
        .values(
            "b_credits",
            "b_next_expiry",
            "b_kind",
            "b_expiring",
            *(f"m_{name}" for name in membership_fields),
        )
        .get()
    )
    membership = None
    if row["m_pk"] is not None:
        membership = Membership(
            runner=runner, **{name: row[f"m_{name}"] for name in membership_fields}
        )
    found = Balance(credits=row["b_credits"] or 0, membership=membership)
    if found.credits:
        found.next_expiry = row["b_next_expiry"]
        found.expiring = row["b_expiring"] or 0
        found.kind = row["b_kind"] or Offer.Kind.PACK  # an adjustment has no offer
    return found


def ledger_for(runner: Runner) -> QuerySet[LedgerEntry]:
    return (
        LedgerEntry.objects.filter(runner=runner)
        .select_related("grant__offer", "session__service", "by")
        .order_by("-at", "-pk")
    )


@dataclass
class Price:
    service: Service
    offers: list[Offer] = field(default_factory=list)


def offers_on_sale(clinic_ids: list[int] | None = None) -> QuerySet[Offer]:
    offers = Offer.objects.filter(active=True).prefetch_related(
        Prefetch("services", queryset=Service.objects.order_by("duration_minutes"))
    )
    if clinic_ids is not None:
        offers = offers.filter(clinic_id__in=clinic_ids)
    return offers.order_by("kind", "price")


# The monthly report -----------------------------------------------------------------


@dataclass
class MonthRow:
    month: date
    sales: int = 0
    sold: Decimal = Decimal("0")
    paid: Decimal = Decimal("0")
    credits_sold: int = 0
    credits_used: int = 0
    credits_returned: int = 0
    credits_expired: int = 0

    @property
    def used_net(self) -> int:
        return self.credits_used - self.credits_returned


@dataclass
class BillingReport:
    clinic: Clinic
    months: list[MonthRow]
    outstanding: int
    outstanding_value: Decimal
    memberships: dict[str, int]


def billing_report(clinic: Clinic, *, start: datetime, end: datetime) -> BillingReport:
    """Sales and credits per local month over [start, end), what the clinic still owes in
    sessions and its memberships by status: five grouped queries, whatever the rows."""
    tz = clinic.tz
    rows: dict[date, MonthRow] = {}

    def row(moment: datetime) -> MonthRow:
        key = moment.astimezone(tz).date() if isinstance(moment, datetime) else moment
        return rows.setdefault(key, MonthRow(month=key))

    sales = (
        Sale.objects.filter(clinic=clinic, sold_at__gte=start, sold_at__lt=end)
        .annotate(month=TruncMonth("sold_at", tzinfo=tz))
        .values("month")
        .annotate(count=Count("pk"), sold=Sum("amount"))
    )
    for item in sales:
        r = row(item["month"])
        r.sales, r.sold = item["count"], item["sold"] or Decimal("0")
    paid = (
        Payment.objects.filter(sale__clinic=clinic, recorded_at__gte=start, recorded_at__lt=end)
        .annotate(month=TruncMonth("recorded_at", tzinfo=tz))
        .values("month")
        .annotate(paid=Sum("amount"))
    )
    for item in paid:
        row(item["month"]).paid = item["paid"] or Decimal("0")
    entries = (
        LedgerEntry.objects.filter(clinic=clinic, at__gte=start, at__lt=end)
        .annotate(month=TruncMonth("at", tzinfo=tz))
        .values("month")
        .annotate(
            granted=Sum("delta", filter=Q(kind=LedgerEntry.Kind.GRANT), default=0),
            used=Sum("delta", filter=Q(kind=LedgerEntry.Kind.USE), default=0),
            returned=Sum("delta", filter=Q(kind=LedgerEntry.Kind.RETURN), default=0),
            expired=Sum("delta", filter=Q(kind=LedgerEntry.Kind.EXPIRE), default=0),
        )
    )
    for item in entries:
        r = row(item["month"])
        r.credits_sold = item["granted"]
        r.credits_used = -item["used"]
        r.credits_returned = item["returned"]
        r.credits_expired = -item["expired"]
    owed = CreditGrant.objects.filter(
        clinic=clinic, remaining__gt=0, expired_at__isnull=True
    ).aggregate(
        credits=Sum("remaining", default=0),
        # At the price per session they were sold at (an adjustment's are free).
        value=Sum(
            F("remaining") * F("offer__price") / F("offer__sessions"),
            output_field=DecimalField(max_digits=12, decimal_places=2),
            default=Decimal("0"),
        ),
    )
    memberships = dict.fromkeys(Membership.Status.values, 0) | {
        item["status"]: item["n"]
        for item in Membership.objects.filter(clinic=clinic)
        .values("status")
        .annotate(n=Count("pk"))
    }
    return BillingReport(
        clinic=clinic,
        months=[rows[k] for k in sorted(rows)],
        outstanding=owed["credits"],
        outstanding_value=Decimal(owed["value"]).quantize(Decimal("0.01")),
        memberships=memberships,
    )


def holds_credit(session_id: int) -> bool:
    """A session booked with a credit that has not been given back."""
    held = LedgerEntry.objects.filter(session_id=session_id).aggregate(n=Sum("delta", default=0))
    return held["n"] < 0
