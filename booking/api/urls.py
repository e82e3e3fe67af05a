"""Booking API: availability and sessions."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("sessions", views.SessionViewSet, basename="session")

urlpatterns = [
    path("availability/", views.AvailabilityView.as_view(), name="api-availability"),
    *router.urls,
]
