"""Booking API: availability and sessions."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from booking.api import availability, sessions

router = SimpleRouter()
router.register("sessions", sessions.SessionViewSet, basename="session")

urlpatterns = [
    path("availability/", availability.AvailabilityView.as_view(), name="api-availability"),
    *router.urls,
]
