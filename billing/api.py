"""The API of packs and memberships: what is on sale (public), a runner's own credits and
ledger, and staff selling at the desk. Thin: scope (clinic.permissions), call
billing.sales, render; refusals are `{"code", "detail"}` (clinic.api.exceptions)."""

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import permissions as drf
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from billing import sales, selectors
from billing.models import LedgerEntry, Offer, Payment, Sale
from clinic import permissions
from runners.models import Runner

LEDGER_LIMIT = 200


class IsRunner(drf.BasePermission):
    def has_permission(self, request, view) -> bool:
        return permissions.is_runner(request.user)


class IsClinicStaff(drf.BasePermission):
    def has_permission(self, request, view) -> bool:
        return permissions.is_clinic_staff(request.user)


class OfferSerializer(serializers.ModelSerializer):
    price_per_session = serializers.DecimalField(max_digits=8, decimal_places=2, read_only=True)
    currency = serializers.CharField(source="clinic.currency", read_only=True)
    services = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Offer
        fields = [
            "id",
            "clinic",
            "kind",
            "name",
            "sessions",
            "price",
            "price_per_session",
            "currency",
            "valid_months",
            "services",
        ]


class LedgerEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = LedgerEntry
        fields = ["id", "at", "kind", "delta", "session", "reason"]


class BalanceSerializer(serializers.Serializer):
    credits = serializers.IntegerField()
    next_expiry = serializers.DateField(allow_null=True)
    expiring = serializers.IntegerField()
    kind = serializers.CharField()
    membership_status = serializers.CharField(allow_null=True)
    membership_renews_on = serializers.DateField(allow_null=True)
    ledger = LedgerEntrySerializer(many=True)


class SaleInSerializer(serializers.Serializer):
    runner = serializers.IntegerField()
    offer = serializers.IntegerField()
    method = serializers.ChoiceField(choices=Payment.Method.choices)
    amount = serializers.DecimalField(max_digits=8, decimal_places=2, min_value=0)
    reference = serializers.CharField(max_length=100, required=False, allow_blank=True)


class SaleOutSerializer(serializers.ModelSerializer):
    credits = serializers.IntegerField(read_only=True)

    class Meta:
        model = Sale
        fields = ["id", "clinic", "runner", "offer", "membership", "amount", "sold_at", "credits"]


class OfferListView(APIView):
    """Packs and memberships on sale, with their price per session (public)."""

    permission_classes = [drf.AllowAny]

    @extend_schema(responses=OfferSerializer(many=True))
    def get(self, request):
        offers = selectors.offers_on_sale().select_related("clinic")
        return Response(OfferSerializer(offers, many=True).data)


class CreditsView(APIView):
    """The signed-in runner's credits: balance, soonest expiry, membership, ledger."""

    permission_classes = [drf.IsAuthenticated, IsRunner]

    @extend_schema(responses=BalanceSerializer)
    def get(self, request):
        runner = Runner.objects.filter(user=request.user).first()
        found = selectors.balance(runner)
        ledger = selectors.ledger_for(runner)[:LEDGER_LIMIT] if runner else []
        membership = found.membership
        return Response(
            BalanceSerializer(
                {
                    "credits": found.credits,
                    "next_expiry": found.next_expiry,
                    "expiring": found.expiring,
                    "kind": found.kind,
                    "membership_status": membership.status if membership else None,
                    "membership_renews_on": membership.renews_on if membership else None,
                    "ledger": ledger,
                }
            ).data
        )


class SaleCreateView(APIView):
    """Staff sell a pack or membership at the desk and record its payment."""

    permission_classes = [drf.IsAuthenticated, IsClinicStaff]

    @extend_schema(request=SaleInSerializer, responses={201: SaleOutSerializer})
    def post(self, request):
        body = SaleInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        offer = get_object_or_404(
            permissions.scope(Offer.objects.select_related("clinic"), request.user),
            pk=data["offer"],
        )
        runner = get_object_or_404(
            permissions.scope(Runner.objects.all(), request.user), pk=data["runner"]
        )
        sale = sales.sell(
            offer=offer,
            runner=runner,
            paid=sales.Paid(data["method"], data["amount"], data.get("reference", "")),
            by=request.user,
        )
        sale.credits = selectors.balance(
            runner, today=sales.local_today(offer.clinic, timezone.now())
        ).credits
        return Response(SaleOutSerializer(sale).data, status=status.HTTP_201_CREATED)
