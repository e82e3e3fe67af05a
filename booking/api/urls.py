"""Booking API: availability, sessions, the season plan and the waitlist."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from booking.api import availability, plan, sessions, waitlist

router = SimpleRouter()
router.register("sessions", sessions.SessionViewSet, basename="session")
router.register("waitlist", waitlist.WaitlistViewSet, basename="waitlist")

urlpatterns = [
    path("availability/", availability.AvailabilityView.as_view(), name="api-availability"),
    path("plan/", plan.PlanView.as_view(), name="api-plan"),
    *router.urls,
]
