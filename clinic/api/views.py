from drf_spectacular.utils import extend_schema
from rest_framework import permissions, viewsets
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from clinic.authentication import fresh_token, token_expires
from clinic.models import Clinic, Service, Therapist

from .serializers import (
    ClinicSerializer,
    ServiceSerializer,
    TherapistSerializer,
    TokenRequestSerializer,
    TokenSerializer,
)


class ObtainTokenView(APIView):
    """Exchange an e-mail and password for an API token."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"

    @extend_schema(request=TokenRequestSerializer, responses=TokenSerializer)
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        token = fresh_token(serializer.validated_data["user"])
        return Response({"token": token.key, "expires": token_expires(token)})


class ClinicViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [permissions.AllowAny]
    serializer_class = ClinicSerializer
    queryset = Clinic.objects.order_by("name")


class ServiceViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [permissions.AllowAny]
    serializer_class = ServiceSerializer
    queryset = Service.objects.filter(active=True).order_by("clinic_id", "duration_minutes")
    filterset_fields = ["clinic"]


class TherapistViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [permissions.AllowAny]
    serializer_class = TherapistSerializer
    queryset = Therapist.objects.filter(active=True).order_by("clinic_id", "display_name")
    filterset_fields = ["clinic"]
