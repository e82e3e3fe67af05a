from django.db.models import Prefetch

from .models import Clinic, Service, Therapist


def public_catalogue() -> dict:
    """Clinics with their active services and therapists, in three queries."""
    clinics = Clinic.objects.order_by("name").prefetch_related(
        Prefetch("services", queryset=Service.objects.filter(active=True)),
        Prefetch("therapists", queryset=Therapist.objects.filter(active=True)),
    )
    return {"clinics": list(clinics)}
