from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from clinic import branding, device_views, views
from clinic.api import docs

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", docs.swagger_view(), name="api-docs"),
    path("api/redoc/", docs.redoc_view(), name="api-redoc"),
    path("api/v1/", include("clinic.api.urls")),
]

# Pages: the language comes from the browser or the switcher (cookie); URLs stay the same.
urlpatterns += [
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("", views.home, name="home"),
    path("manifest.webmanifest", branding.manifest, name="manifest"),
    path("favicon.ico", branding.favicon),
    path("brand/<slug:slug>.css", branding.brand_css, name="brand-css"),
    path("brand/<slug:slug>/logo", branding.brand_logo, name="brand-logo"),
    path("", include("runners.urls")),
    path("", include("booking.runner.urls")),
    path("", include("booking.runner.privacy_urls")),
    path("account/devices/", device_views.devices, name="account-devices"),
    path(
        "account/devices/<int:pk>/revoke/",
        device_views.device_revoke,
        name="account-device-revoke",
    ),
    path(
        "account/devices/sign-out-others/",
        device_views.sign_out_others,
        name="account-sign-out-others",
    ),
    path("reminders/", include("booking.reminders.urls")),
    path("staff/", include("booking.staff.urls")),
]

handler400 = "clinic.views.bad_request"
handler403 = "clinic.views.permission_denied"
handler404 = "clinic.views.page_not_found"
handler500 = "clinic.views.server_error"
