"""Packs and memberships at the desk: the clinic admin sets up what is sold; staff sell it
and record the payment, see a runner's credits and ledger, pause or end a membership,
adjust credits with a reason; the admin refunds and reads the monthly report (CSV too).

Thin: parse, scope (clinic.permissions), call billing.sales / billing.ledger, render.
"""

from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from billing import ledger, sales, selectors
from billing.errors import BillingError
from billing.forms import AdjustForm, OfferForm, PaymentFields, RefundForm, SellForm
from billing.models import Membership, Offer, Payment, Sale
from booking.staff import exports
from booking.staff.pages.base import admin_required, clinic_today, staff_required
from clinic import permissions, timeutils
from clinic import selectors as clinic_selectors
from clinic.models import Service
from runners.models import Runner


def _clinic(request):
    clinic = clinic_selectors.default_clinic(request.user)
    if request.GET.get("clinic"):
        ids = permissions.clinic_ids(request.user)
        clinic = clinic_selectors.clinics_for(request.user).filter(pk=request.GET["clinic"]).first()
        if clinic is None or (ids is not None and clinic.pk not in ids):
            raise Http404
    if clinic is None:
        raise Http404
    return clinic


def _runner(request, runner_id: int) -> Runner:
    runners = permissions.scope(Runner.objects.select_related("user"), request.user)
    return get_object_or_404(runners, pk=runner_id)


def _paid(data) -> sales.Paid:
    return sales.Paid(data["method"], data["amount"], data.get("reference", ""))


@staff_required
def offers(request):
    """What the clinic sells, with per-session prices; the sell form."""
    clinic = _clinic(request)
    clinic_today(clinic)
    on_sale = selectors.offers_on_sale([clinic.pk])
    form = SellForm(
        request.POST or None,
        offers=on_sale,
        initial={"runner": request.GET.get("runner", "")},
    )
    if request.method == "POST" and form.is_valid():
        runner = (
            permissions.scope(Runner.objects.select_related("user"), request.user)
            .filter(user__email__iexact=form.cleaned_data["runner"].strip())
            .first()
        )
        if runner is None:
            form.add_error("runner", _("No runner of this clinic has that e-mail."))
        else:
            try:
                sale = sales.sell(
                    offer=form.cleaned_data["offer"],
                    runner=runner,
                    paid=_paid(form.cleaned_data),
                    by=request.user,
                )
            except BillingError as exc:
                form.add_error(None, exc.detail)
            else:
                messages.success(
                    request,
                    _("Sold %(offer)s to %(runner)s.")
                    % {"offer": sale.offer.name, "runner": runner.user.get_full_name()},
                )
                return redirect("staff:billing-runner", runner.pk)
    all_offers = Offer.objects.filter(clinic=clinic).order_by("kind", "price")
    services = Service.objects.filter(clinic=clinic, active=True).order_by("duration_minutes")
    return render(
        request,
        "staff/billing/offers.html",
        {
            "clinic": clinic,
            "offers": all_offers if permissions.is_clinic_admin(request.user) else on_sale,
            "services": services,
            "form": form,
        },
        status=400 if form.errors else 200,
    )


@admin_required
def offer_edit(request, pk: int | None = None):
    clinic = _clinic(request)
    offer = None
    if pk is not None:
        offer = get_object_or_404(permissions.scope(Offer.objects.all(), request.user), pk=pk)
        clinic = offer.clinic
    services = Service.objects.filter(clinic=clinic).order_by("duration_minutes")
    form = OfferForm(request.POST or None, instance=offer, services=services)
    if request.method == "POST" and form.is_valid():
        obj = form.save(commit=False)
        obj.clinic = clinic
        try:
            sales.offer_save(
                offer=obj, services=list(form.cleaned_data["services"]), by=request.user
            )
        except BillingError as exc:
            form.add_error(None, exc.detail)
        else:
            messages.success(request, _("Saved %(name)s.") % {"name": obj.name})
            return redirect("staff:billing")
    return render(
        request,
        "staff/billing/offer_edit.html",
        {"form": form, "offer": offer, "clinic": clinic},
        status=400 if form.errors else 200,
    )


def _render_runner(request, runner, clinic, adjust_form=None, status=200):
    today = clinic_today(clinic)
    own = {"clinic": clinic}
    return render(
        request,
        "staff/billing/runner.html",
        {
            "runner": runner,
            "clinic": clinic,
            "balance": selectors.balance(runner, today=today),
            "entries": selectors.ledger_for(runner).filter(**own)[:100],
            "memberships": Membership.objects.filter(runner=runner, **own).select_related("offer"),
            "sales": Sale.objects.filter(runner=runner, **own)
            .select_related("offer")
            .prefetch_related("payments"),
            "adjust_form": adjust_form or AdjustForm(),
            "refund_form": RefundForm(),
            "is_admin": permissions.is_clinic_admin(request.user),
            "methods": Payment.Method.choices,
        },
        status=status,
    )


@staff_required
def runner_credits(request, runner_id: int):
    """A runner's credits, memberships, sales and ledger (adjust, pause, refund here)."""
    return _render_runner(request, _runner(request, runner_id), _clinic(request))


@staff_required
@require_POST
def runner_adjust(request, runner_id: int):
    runner = _runner(request, runner_id)
    clinic = _clinic(request)
    form = AdjustForm(request.POST)
    if form.is_valid():
        try:
            ledger.adjust(
                runner=runner,
                clinic=clinic,
                delta=form.cleaned_data["delta"],
                reason=form.cleaned_data["reason"],
                expires_on=form.cleaned_data.get("expires_on"),
                by=request.user,
            )
        except BillingError as exc:
            form.add_error(None, exc.detail)
        else:
            messages.success(request, _("Credits adjusted."))
            return redirect("staff:billing-runner", runner.pk)
    return _render_runner(request, runner, clinic, adjust_form=form, status=400)


@staff_required
@require_POST
def membership_status(request, pk: int):
    membership = get_object_or_404(
        permissions.scope(Membership.objects.select_related("clinic"), request.user), pk=pk
    )
    try:
        sales.membership_set_status(
            membership=membership, status=request.POST.get("status", ""), by=request.user
        )
    except (BillingError, ValueError):
        messages.error(request, _("That membership cannot change that way."))
    else:
        messages.success(request, _("Membership updated."))
    return redirect("staff:billing-runner", membership.runner_id)


@staff_required
@require_POST
def sale_payment(request, pk: int):
    """Record a payment for a sale (a membership month renewed), or refund it (admins)."""
    sale = get_object_or_404(permissions.scope(Sale.objects.all(), request.user), pk=pk)
    refunding = request.POST.get("refund") == "1"
    form = RefundForm(request.POST) if refunding else PaymentFields(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give how it was paid and the amount."))
        return redirect("staff:billing-runner", sale.runner_id)
    try:
        if refunding:
            sales.refund(
                sale=sale,
                paid=_paid(form.cleaned_data),
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        else:
            sales.record_payment(sale=sale, paid=_paid(form.cleaned_data), by=request.user)
    except PermissionDenied:
        raise
    except BillingError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("Payment recorded."))
    return redirect("staff:billing-runner", sale.runner_id)


def _report_period(request, clinic):
    """A calendar year of the clinic's (?year=), in its local time."""
    today = clinic_today(clinic)
    try:
        year = int(request.GET.get("year", today.year))
        first = date(year, 1, 1)
    except ValueError:
        first = date(today.year, 1, 1)
    start, end = timeutils.local_day_bounds(clinic.tz, first, date(first.year, 12, 31))
    return first.year, start, end


@admin_required
def billing_report(request):
    clinic = _clinic(request)
    year, start, end = _report_period(request, clinic)
    report = selectors.billing_report(clinic, start=start, end=end)
    return render(
        request,
        "staff/billing/report.html",
        {"report": report, "clinic": clinic, "year": year, "years": [year - 1, year, year + 1]},
    )


@admin_required
def billing_report_csv(request):
    clinic = _clinic(request)
    year, start, end = _report_period(request, clinic)
    report = selectors.billing_report(clinic, start=start, end=end)
    header = [
        _("Month"),
        _("Sales"),
        _("Sold"),
        _("Paid"),
        _("Credits sold"),
        _("Credits used"),
        _("Credits returned"),
        _("Credits expired"),
    ]
    rows = [header] + [
        [
            row.month.strftime("%Y-%m"),
            row.sales,
            row.sold,
            row.paid,
            row.credits_sold,
            row.credits_used,
            row.credits_returned,
            row.credits_expired,
        ]
        for row in report.months
    ]
    rows += [
        [],
        [_("Credits outstanding"), report.outstanding, report.outstanding_value],
        *[
            [_("Memberships: %(status)s") % {"status": Membership.Status(s).label}, n]
            for s, n in report.memberships.items()
        ],
    ]
    return exports.csv_response(exports.stream_csv(rows), f"packs-{clinic.slug}-{year}.csv")
