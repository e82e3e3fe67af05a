"""Booking API: availability, sessions and the season plan."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from booking.api import availability, plan, sessions

router = SimpleRouter()
router.register("sessions", sessions.SessionViewSet, basename="session")

urlpatterns = [
    path("availability/", availability.AvailabilityView.as_view(), name="api-availability"),
    path("plan/", plan.PlanView.as_view(), name="api-plan"),
    *router.urls,
]
