"""/api/v1/: each app adds its routes here."""

from django.urls import include, path

from clinic.api import views

urlpatterns = [
    path("auth/token/", views.ObtainTokenView.as_view(), name="api-token"),
    path("auth/tokens/", views.DeviceListView.as_view(), name="api-tokens"),
    path("auth/tokens/<int:pk>/", views.DeviceRevokeView.as_view(), name="api-token-revoke"),
    path("", include("clinic.api.routes")),
    path("", include("runners.api.urls")),
    path("", include("booking.api.urls")),
    path("", include("booking.staff.api.urls")),
    path("", include("billing.urls")),
]
