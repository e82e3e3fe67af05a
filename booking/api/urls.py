"""Booking API: availability, sessions and the waitlist."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from booking.api import availability, sessions, waitlist

router = SimpleRouter()
router.register("sessions", sessions.SessionViewSet, basename="session")
router.register("waitlist", waitlist.WaitlistViewSet, basename="waitlist")

urlpatterns = [
    path("availability/", availability.AvailabilityView.as_view(), name="api-availability"),
    *router.urls,
]
