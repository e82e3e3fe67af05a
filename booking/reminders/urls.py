"""Signed links from reminder e-mails (mounted at /reminders/): no login needed."""

from django.urls import path

from . import reminder_views

app_name = "reminders"

urlpatterns = [
    path("unsubscribe/<str:token>/", reminder_views.unsubscribe, name="unsubscribe"),
    path("book/<str:token>/", reminder_views.book, name="book"),
]
