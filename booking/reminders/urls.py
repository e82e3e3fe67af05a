"""Signed links from reminder e-mails (mounted at /reminders/): no login needed."""

from django.urls import path

from booking.reminders import views

app_name = "reminders"

urlpatterns = [
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("book/<str:token>/", views.book, name="book"),
    path("offer/<str:token>/", views.offer, name="offer"),
]
