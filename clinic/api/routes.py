from rest_framework.routers import SimpleRouter

from clinic.api import views

router = SimpleRouter()
router.register("clinics", views.ClinicViewSet, basename="clinic")
router.register("services", views.ServiceViewSet, basename="service")
router.register("therapists", views.TherapistViewSet, basename="therapist")

urlpatterns = router.urls
