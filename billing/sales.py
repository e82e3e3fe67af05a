"""Writes for what a clinic sells: offers set up by its admin, a pack or membership sold at
the desk with its payment, membership months (renewal), pauses, ends and refunds. Credits
move only through billing.ledger; who may do what is clinic.permissions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from billing import ledger
from billing.dates import add_months, last_valid_day
from billing.errors import BillingError
from billing.models import Membership, Offer, Payment, Sale
from billing.payments import PROVIDERS
from clinic import permissions
from clinic.models import Clinic, Service, User
from runners.models import Runner


def _require_staff(by: User, clinic_id: int) -> None:
    if not permissions.acts_for_clinic(by, clinic_id):
        raise PermissionDenied


def _require_admin(by: User, clinic_id: int) -> None:
    if not (permissions.is_clinic_admin(by) and permissions.acts_for_clinic(by, clinic_id)):
        raise PermissionDenied


def local_today(clinic: Clinic, now: datetime | None = None) -> date:
    return (now or timezone.now()).astimezone(clinic.tz).date()


def offer_save(*, offer: Offer, services: list[Service] | None, by: User) -> Offer:
    """Create or change an offer (its admin only); its services must be the clinic's."""
    _require_admin(by, offer.clinic_id)
    if offer.kind == Offer.Kind.MEMBERSHIP:
        offer.valid_months = None
    elif not offer.valid_months:
        raise BillingError(_("Say how many months a pack is valid for."))
    if services is not None and any(s.clinic_id != offer.clinic_id for s in services):
        raise BillingError(_("Choose services of this clinic."))
    with transaction.atomic():
        offer.save()
        if services is not None:
            offer.services.set(services)
    return offer


@dataclass
class Paid:
    method: str
    amount: Decimal
    reference: str = ""
    provider: str = "desk"


def _take_payment(sale: Sale, paid: Paid, by: User | None, at: datetime) -> Payment:
    if paid.method not in Payment.Method.values:
        raise BillingError(_("Choose how it was paid."), code="invalid_method")
    if paid.amount is None or paid.amount <= 0:
        raise BillingError(_("The amount paid must be more than zero."), code="invalid_amount")
    return PROVIDERS[paid.provider].take(
        sale, method=paid.method, amount=paid.amount, reference=paid.reference, by=by, at=at
    )


def sell(
    *, offer: Offer, runner: Runner, paid: Paid, by: User, now: datetime | None = None
) -> Sale:
    """Sell a pack (its credits, valid `valid_months` from today) or start a membership
    (this month's credits now, the next ones on renewal) and record the payment."""
    now = now or timezone.now()
    _require_staff(by, offer.clinic_id)
    if not permissions.scope(Runner.objects.filter(pk=runner.pk), by).exists():
        raise PermissionDenied
    if not offer.active:
        raise BillingError(_("That pack or membership is no longer on sale."), code="not_on_sale")
    clinic = offer.clinic
    today = local_today(clinic, now)
    with transaction.atomic():
        membership = None
        if offer.kind == Offer.Kind.MEMBERSHIP:
            if Membership.objects.filter(
                runner=runner, offer__clinic=clinic, status__in=["active", "paused"]
            ).exists():
                raise BillingError(
                    _("This runner already has a membership here; pause or end it first."),
                    code="membership_exists",
                    status_code=409,
                )
            membership = Membership.objects.create(
                runner=runner,
                offer=offer,
                clinic=clinic,
                started_on=today,
                renews_on=add_months(today, 1),
            )
        sale = Sale.objects.create(
            clinic=clinic,
            runner=runner,
            offer=offer,
            membership=membership,
            period_start=today if membership else None,
            amount=offer.price,
            sold_by=by,
            sold_at=now,
        )
        _take_payment(sale, paid, by, now)
        months = 1 if membership else (offer.valid_months or 1)
        ledger.add_credits(
            runner=runner,
            clinic=clinic,
            quantity=offer.sessions,
            expires_on=last_valid_day(today, months),
            at=now,
            by=by,
            offer_id=offer.pk,
            sale_id=sale.pk,
        )
    return sale


def record_payment(*, sale: Sale, paid: Paid, by: User, now: datetime | None = None) -> Payment:
    """Money for a sale taken later (a membership month renewed while the runner was away)."""
    _require_staff(by, sale.clinic_id)
    return _take_payment(sale, paid, by, now or timezone.now())


def refund(
    *, sale: Sale, paid: Paid, reason: str, by: User, now: datetime | None = None
) -> Payment:
    """Give money back for a sale (its admin, with a reason): the credits it left are taken
    back in the ledger, with the same reason."""
    now = now or timezone.now()
    _require_admin(by, sale.clinic_id)
    reason = (reason or "").strip()
    if not reason:
        raise BillingError(_("Give a reason for the refund."), code=ledger.REASON_REQUIRED)
    if paid.amount is None or paid.amount <= 0:
        raise BillingError(_("The amount refunded must be more than zero."), code="invalid_amount")
    with transaction.atomic():
        ledger.refund_credits(
            grants=sale.grants.all(),
            runner=sale.runner,
            clinic=sale.clinic,
            reason=reason,
            by=by,
            at=now,
        )
        refunded = Paid(paid.method, -paid.amount, paid.reference or reason, paid.provider)
        if refunded.method not in Payment.Method.values:
            raise BillingError(_("Choose how it was paid."), code="invalid_method")
        return PROVIDERS[refunded.provider].take(
            sale,
            method=refunded.method,
            amount=refunded.amount,
            reference=refunded.reference[:100],
            by=by,
            at=now,
        )


def membership_set_status(
    *, membership: Membership, status: str, by: User, now: datetime | None = None
) -> Membership:
    """Pause (no credits for the months paused), resume (renews from today) or end."""
    _require_staff(by, membership.clinic_id)
    allowed = {
        Membership.Status.ACTIVE: {Membership.Status.PAUSED, Membership.Status.ENDED},
        Membership.Status.PAUSED: {Membership.Status.ACTIVE, Membership.Status.ENDED},
        Membership.Status.ENDED: set(),
    }
    with transaction.atomic():
        locked = Membership.objects.select_for_update().get(pk=membership.pk)
        if status not in allowed[Membership.Status(locked.status)]:
            raise BillingError(
                _("That membership cannot change that way."), code="invalid_status", status_code=409
            )
        if status == Membership.Status.ACTIVE:
            locked.renews_on = max(locked.renews_on, local_today(locked.clinic, now))
        locked.status = status
        locked.save(update_fields=["status", "renews_on", "changed_at"])
    return locked


def renew_due(clinic: Clinic, *, now: datetime | None = None) -> int:
    """Add this month's credits to each active membership due (exactly once a month: the
    rows are claimed with SKIP LOCKED and a month's sale is unique); the month's price is
    a sale awaiting its payment at the desk."""
    now = now or timezone.now()
    today = local_today(clinic, now)
    renewed = 0
    with transaction.atomic():
        due = list(
            Membership.objects.select_for_update(skip_locked=True)
            .filter(clinic=clinic, status=Membership.Status.ACTIVE, renews_on__lte=today)
            .select_related("offer", "runner")
        )
        for membership in due:
            start = membership.renews_on
            sale = Sale.objects.create(
                clinic=clinic,
                runner=membership.runner,
                offer=membership.offer,
                membership=membership,
                period_start=start,
                amount=membership.offer.price,
                sold_at=now,
            )
            ledger.add_credits(
                runner=membership.runner,
                clinic=clinic,
                quantity=membership.offer.sessions,
                expires_on=last_valid_day(start, 1),
                at=now,
                offer_id=membership.offer_id,
                sale_id=sale.pk,
            )
            membership.renews_on = add_months(start, 1)
            membership.save(update_fields=["renews_on", "changed_at"])
            renewed += 1
    return renewed


def runner_memberships_end(*, runner: Runner) -> int:
    """The billing side of an account deletion: the runner's memberships end, so no month
    is charged to a deleted account. Sales, payments, grants and the ledger stay (the
    clinic's bookkeeping), pointing at the anonymised runner. Called inside the deletion's
    transaction."""
    return (
        Membership.objects.filter(runner=runner)
        .exclude(status=Membership.Status.ENDED)
        .update(status=Membership.Status.ENDED, changed_at=timezone.now())
    )
