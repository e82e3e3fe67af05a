"""A runner's personal data: the page, the download, the deletion; and their API."""

from django.urls import path

from . import privacy_views as views

urlpatterns = [
    path("account/privacy/", views.privacy_page, name="privacy"),
    path("account/privacy/download/", views.data_download, name="privacy-download"),
    path("account/privacy/delete/", views.account_delete, name="privacy-delete"),
    # Mounted here rather than in runners/api/urls.py (the API area's file); same prefix.
    path("api/v1/me/data/", views.MyDataView.as_view(), name="api-me-data"),
    path("api/v1/me/delete/", views.DeleteMyAccountView.as_view(), name="api-me-delete"),
]
