"""A runner's personal data: the page, the download, the deletion; and their API."""

from django.urls import path

from booking.runner import privacy

urlpatterns = [
    path("account/privacy/", privacy.privacy_page, name="privacy"),
    path("account/privacy/download/", privacy.data_download, name="privacy-download"),
    path("account/privacy/delete/", privacy.account_delete, name="privacy-delete"),
    # Mounted here rather than in runners/api/urls.py (the API area's file); same prefix.
    path("api/v1/me/data/", privacy.MyDataView.as_view(), name="api-me-data"),
    path("api/v1/me/delete/", privacy.DeleteMyAccountView.as_view(), name="api-me-delete"),
]
