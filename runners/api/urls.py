"""Runner-facing API: my profile and my race log."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from runners.api import views

router = SimpleRouter()
router.register("races", views.RaceViewSet, basename="race")
router.register("trainings", views.TrainingViewSet, basename="training")

urlpatterns = [path("me/", views.MeView.as_view(), name="api-me"), *router.urls]
