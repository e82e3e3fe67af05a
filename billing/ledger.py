"""The credit ledger: the one place that adds, uses, returns, expires and adjusts credits.

Every change is one append-only LedgerEntry and the same delta on its CreditGrant's
`remaining`, written in one statement (`remaining = remaining + delta`) on a locked grant
row. The booking engine calls `use_for_session` and `settle_session` from its own
transactions (where the runner row is already locked), so two bookings of one runner
cannot both take the last credit; the CHECK `grant_never_negative` is the last word.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.errors import BillingError
from billing.models import CreditGrant, LedgerEntry
from clinic import permissions
from clinic.models import Clinic, User
from runners.models import Runner

INSUFFICIENT = "insufficient_credits"
REASON_REQUIRED = "reason_required"


def _write(
    grant: CreditGrant,
    kind: str,
    delta: int,
    *,
    at: datetime,
    by: User | None = None,
    session_id: int | None = None,
    reason: str = "",
) -> LedgerEntry:
    CreditGrant.objects.filter(pk=grant.pk).update(remaining=F("remaining") + delta)
    grant.remaining += delta
    return LedgerEntry.objects.create(
        grant=grant,
        clinic_id=grant.clinic_id,
        runner_id=grant.runner_id,
        kind=kind,
        delta=delta,
        session_id=session_id,
        reason=reason,
        by=by,
        at=at,
    )


def add_credits(
    *,
    runner: Runner,
    clinic: Clinic,
    quantity: int,
    expires_on: date,
    at: datetime,
    by: User | None = None,
    offer_id: int | None = None,
    sale_id: int | None = None,
    kind: str = LedgerEntry.Kind.GRANT,
    reason: str = "",
) -> CreditGrant:
    grant = CreditGrant.objects.create(
        runner=runner,
        clinic=clinic,
        offer_id=offer_id,
        sale_id=sale_id,
        quantity=quantity,
        remaining=0,
        expires_on=expires_on,
    )
    _write(grant, kind, quantity, at=at, by=by, reason=reason)
    return grant


def usable_grants(
    *, runner_id: int, clinic_id: int, day: date, service_id: int | None = None
) -> QuerySet[CreditGrant]:
    """Grants with credits left on `day` (a local date), soonest expiry first; for a
    service, those whose offer pays for it (an adjustment pays for any)."""
    grants = CreditGrant.objects.filter(
        runner_id=runner_id,
        clinic_id=clinic_id,
        remaining__gt=0,
        expired_at__isnull=True,
        expires_on__gte=day,
    )
    if service_id is not None:
        grants = grants.filter(Q(offer__isnull=True) | Q(offer__services=service_id))
    return grants.order_by("expires_on", "pk")


def use_for_session(
    *,
    session_id: int,
    runner_id: int,
    clinic_id: int,
    service_id: int,
    day: date,
    by: User | None,
    at: datetime,
) -> LedgerEntry | None:
    """Take one credit for a session just booked, if the runner has one for it; None when
    the session is paid alone. Inside the booking's transaction."""
    grant = (
        usable_grants(runner_id=runner_id, clinic_id=clinic_id, day=day, service_id=service_id)
        .select_for_update(of=("self",))
        .first()
    )
    if grant is None:
        return None
    try:
        with transaction.atomic():
            return _write(grant, LedgerEntry.Kind.USE, -1, at=at, by=by, session_id=session_id)
    except IntegrityError as exc:
        if "grant_never_negative" not in str(exc):
            raise
        return None  # a concurrent booking took the last credit: this one is paid alone


def settle_session(
    *, session_id: int, uses_credit: bool, by: User | None, at: datetime, reason: str = ""
) -> LedgerEntry | None:
    """Make a session's credit match what happened to it: used (attended, or a late
    cancellation or no-show that the clinic counts) or given back (an in-time
    cancellation). Idempotent; a session booked without a credit has nothing to settle.
    A credit given back to a grant that has expired meanwhile expires with it."""
    rows = list(
        LedgerEntry.objects.filter(session_id=session_id)
        .exclude(kind=LedgerEntry.Kind.EXPIRE)
        .values_list("grant_id", "delta")
    )
    if not rows:
        return None
    grant = CreditGrant.objects.select_for_update().get(pk=rows[0][0])
    net = sum(delta for _, delta in rows)
    change = (-1 if uses_credit else 0) - net
    if change == 0 or (change < 0 and grant.remaining < -change):
        return None  # settled already; or the credit was spent since: paid alone
    kind = LedgerEntry.Kind.RETURN if change > 0 else LedgerEntry.Kind.USE
    entry = _write(grant, kind, change, at=at, by=by, session_id=session_id, reason=reason)
    if change > 0 and grant.expired_at is not None:
        _write(grant, LedgerEntry.Kind.EXPIRE, -change, at=at, session_id=session_id)
    return entry


def adjust(
    *,
    runner: Runner,
    clinic: Clinic,
    delta: int,
    reason: str,
    by: User,
    at: datetime | None = None,
    expires_on: date | None = None,
) -> list[LedgerEntry]:
    """A staff correction with its reason: credits added (a new grant, good for any
    service, until `expires_on`) or taken (soonest expiry first); never below zero."""
    at = at or timezone.now()
    if not permissions.acts_for_clinic(by, clinic.pk):
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise BillingError(_("Give a reason for the adjustment."), code=REASON_REQUIRED)
    if delta == 0:
        raise BillingError(_("An adjustment adds or takes at least one credit."))
    with transaction.atomic():
        if delta > 0:
            if expires_on is None:
                raise BillingError(_("Say until when the credits added are valid."))
            grant = add_credits(
                runner=runner,
                clinic=clinic,
                quantity=delta,
                expires_on=expires_on,
                at=at,
                by=by,
                kind=LedgerEntry.Kind.ADJUST,
                reason=reason,
            )
            return list(grant.entries.all())
        return _take(runner, clinic, -delta, LedgerEntry.Kind.ADJUST, reason=reason, by=by, at=at)


def _take(
    runner: Runner,
    clinic: Clinic,
    count: int,
    kind: str,
    *,
    reason: str,
    by: User,
    at: datetime,
    grants: QuerySet[CreditGrant] | None = None,
) -> list[LedgerEntry]:
    if grants is None:
        grants = usable_grants(runner_id=runner.pk, clinic_id=clinic.pk, day=date.min)
    locked = list(grants.select_for_update(of=("self",)))
    if sum(g.remaining for g in locked) < count:
        raise BillingError(
            _("There are not that many credits left to take."), code=INSUFFICIENT, status_code=409
        )
    entries = []
    for grant in locked:
        if count == 0:
            break
        taken = min(count, grant.remaining)
        if taken:
            entries.append(_write(grant, kind, -taken, at=at, by=by, reason=reason))
            count -= taken
    return entries


def refund_credits(
    *,
    grants: QuerySet[CreditGrant],
    runner: Runner,
    clinic: Clinic,
    reason: str,
    by: User,
    at: datetime,
) -> list[LedgerEntry]:
    """Take back the credits a refunded sale left (its money: billing.sales)."""
    live = grants.filter(remaining__gt=0, expired_at__isnull=True)
    left = sum(live.values_list("remaining", flat=True))
    if not left:
        return []
    return _take(
        runner, clinic, left, LedgerEntry.Kind.REFUND, reason=reason, by=by, at=at, grants=live
    )


@dataclass
class Expired:
    grants: int = 0
    credits: int = 0
    ids: list[int] = field(default_factory=list)


def expire_due(clinic: Clinic, *, today: date, at: datetime) -> Expired:
    """Expire what is left of the clinic's grants whose last day is before `today` (local).
    Exactly once: each grant is claimed under a row lock (SKIP LOCKED: a second worker
    takes the others) and marked `expired_at`; a unique constraint allows one expiry row
    per grant."""
    done = Expired()
    with transaction.atomic():
        due = list(
            CreditGrant.objects.select_for_update(skip_locked=True)
            .filter(clinic=clinic, expired_at__isnull=True, expires_on__lt=today)
            .order_by("pk")
        )
        for grant in due:
            left = grant.remaining
            if left:
                try:
                    with transaction.atomic():
                        _write(grant, LedgerEntry.Kind.EXPIRE, -left, at=at)
                except IntegrityError:
                    continue  # expired by another run already
                done.credits += left
            done.grants += 1
            done.ids.append(grant.pk)
        CreditGrant.objects.filter(pk__in=done.ids).update(expired_at=at)
    return done
