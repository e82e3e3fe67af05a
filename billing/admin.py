"""The Django admin for packs and memberships: offers are set up here (through
billing.sales.offer_save); sales, payments, memberships and the ledger are read-only
here (they move through the staff pages' services, with their payments and reasons)."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError

from billing import sales
from billing.errors import BillingError
from billing.models import CreditGrant, LedgerEntry, Membership, Offer, Payment, Sale
from clinic.admin import ClinicScopedAdmin


class ReadOnlyAdmin(ClinicScopedAdmin):
    def has_add_permission(self, request, *args, **kwargs):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Offer)
class OfferAdmin(ClinicScopedAdmin):
    list_display = ["name", "clinic", "kind", "sessions", "price", "valid_months", "active"]
    list_filter = ["kind", "active", "clinic"]
    filter_horizontal = ["services"]

    def write(self, request, obj) -> None:
        try:
            sales.offer_save(offer=obj, services=None, by=request.user)
        except (BillingError, PermissionDenied) as exc:
            raise ValidationError(str(exc)) from None

    def save_related(self, request, form, formsets, change):
        services = list(form.cleaned_data.get("services") or [])
        if any(s.clinic_id != form.instance.clinic_id for s in services):
            form.cleaned_data["services"] = [
                s for s in services if s.clinic_id == form.instance.clinic_id
            ]
        super().save_related(request, form, formsets, change)

    def has_delete_permission(self, request, obj=None):
        return False  # sold offers stay; take one off sale instead


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ["runner", "offer", "status", "started_on", "renews_on"]
    list_filter = ["status"]
    list_select_related = ["runner__user", "offer"]


@admin.register(Sale)
class SaleAdmin(ReadOnlyAdmin):
    list_display = ["sold_at", "runner", "offer", "amount", "sold_by"]
    list_select_related = ["runner__user", "offer", "sold_by"]


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["recorded_at", "sale", "method", "amount", "reference", "recorded_by"]
    list_filter = ["method"]
    list_select_related = ["sale__offer", "recorded_by"]


@admin.register(CreditGrant)
class CreditGrantAdmin(ReadOnlyAdmin):
    list_display = ["runner", "offer", "quantity", "remaining", "expires_on", "expired_at"]
    list_select_related = ["runner__user", "offer"]


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ["at", "runner", "kind", "delta", "session", "reason", "by"]
    list_filter = ["kind"]
    list_select_related = ["runner__user", "by", "session"]
