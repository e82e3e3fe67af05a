from allauth.account.internal.flows.email_verification import send_verification_email_for_user
from allauth.account.utils import has_verified_email
from django.contrib.auth import logout
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from knox.views import LoginView
from rest_framework import generics, permissions, status, viewsets
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle

from clinic import tokens
from clinic.api.serializers import (
    ClinicSerializer,
    DeviceSerializer,
    ServiceSerializer,
    SignInSerializer,
    TherapistSerializer,
    TokenSerializer,
)
from clinic.errors import CodedError
from clinic.models import ApiToken, Clinic, Service, Therapist


class ObtainTokenView(LoginView):
    """POST: exchange an e-mail and password for a token of this device's own.
    DELETE: sign out (the token that made the request stops working)."""

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"

    def _signing_in(self) -> bool:
        # self.request is the Django request by the time DRF asks (None only while the
        # schema generator builds its mock request).
        return getattr(self.request, "method", None) == "POST"

    def get_authenticators(self):
        # Signing in must work whatever stale token the client still sends.
        return [] if self._signing_in() else super().get_authenticators()

    def get_permissions(self):
        return [permissions.AllowAny()] if self._signing_in() else super().get_permissions()

    @extend_schema(
        summary="Sign in",
        description="A new token for this device, listed with the user's signed-in devices. "
        "Each sign-in gets its own token; a staff member's lasts 8 hours, a runner's 30 days "
        "(by default).",
        request=SignInSerializer,
        responses=TokenSerializer,
    )
    def post(self, request, format=None):
        serializer = SignInSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        if not has_verified_email(user):
            # The site's sign-in asks for a confirmed address (mandatory verification);
            # the API is no back door. Only after the right password, so nothing leaks.
            send_verification_email_for_user(request._request, user)
            raise CodedError(
                _(
                    "Confirm your e-mail address first: we have sent you a link. "
                    "Then sign in again."
                ),
                code="email_unverified",
                status_code=403,
            )
        self.device = tokens.device_label(
            device=serializer.validated_data.get("device", ""),
            user_agent=request.headers.get("User-Agent", ""),
        )
        # knox's LoginView signs in request.user (and sends user_logged_in).
        request.user = user
        return super().post(request, format=format)

    def create_token(self):
        return tokens.token_create(user=self.request.user, device=self.device)

    def get_post_response_data(self, request, token, instance):
        return TokenSerializer(
            {
                "token": token,
                "expires": instance.expiry,
                "id": instance.pk,
                "device": instance.device,
            }
        ).data

    @extend_schema(
        summary="Sign out",
        description="The token that made the request stops working (a browser session "
        "making it is signed out instead). The user's other devices stay signed in.",
        request=None,
        responses={204: OpenApiResponse(description="Signed out: the token no longer works.")},
    )
    def delete(self, request, format=None):
        if isinstance(request.auth, ApiToken):
            tokens.token_revoke(user=request.user, token_id=request.auth.pk)
        else:
            # Signed in with the browser's session: that is what signs out.
            logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class DeviceListView(generics.ListAPIView):
    """The signed-in devices (tokens) of the user making the request."""

    serializer_class = DeviceSerializer

    def get_queryset(self):
        return tokens.tokens_for(self.request.user)


class DeviceRevokeView(generics.GenericAPIView):
    serializer_class = DeviceSerializer

    @extend_schema(
        responses={204: OpenApiResponse(description="That device is signed out.")},
    )
    def delete(self, request, pk: int):
        """Sign out one of your devices (another user's id is not found)."""
        if not tokens.token_revoke(user=request.user, token_id=pk):
            raise Http404
        return Response(status=status.HTTP_204_NO_CONTENT)


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
