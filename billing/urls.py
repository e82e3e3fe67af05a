"""/api/v1/ routes of packs and memberships."""

from django.urls import path

from billing import api

urlpatterns = [
    path("offers/", api.OfferListView.as_view(), name="api-offers"),
    path("me/credits/", api.CreditsView.as_view(), name="api-credits"),
    path("sales/", api.SaleCreateView.as_view(), name="api-sales"),
]
