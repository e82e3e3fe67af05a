from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from clinic.models import ApiToken, Clinic, Service, Therapist
from clinic.tokens import DEVICE_MAX_LENGTH


class ClinicSerializer(serializers.ModelSerializer):
    class Meta:
        model = Clinic
        fields = [
            "id",
            "name",
            "slug",
            "timezone",
            "address",
            "phone",
            "email",
            "currency",
            "min_notice_minutes",
            "max_days_ahead",
            "cancellation_window_hours",
            "buffer_minutes",
            "slot_step_minutes",
            "after_race_hours",
            "before_race_hours",
        ]


class ServiceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Service
        fields = ["id", "clinic", "name", "description", "duration_minutes", "price", "body_areas"]


class TherapistSerializer(serializers.ModelSerializer):
    class Meta:
        model = Therapist
        fields = ["id", "clinic", "display_name", "qualifications", "specialties", "bio"]


class SignInSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(trim_whitespace=False, style={"input_type": "password"})
    device = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=DEVICE_MAX_LENGTH,
        help_text="A name for this device in the user's list of signed-in devices "
        "(default: the User-Agent).",
    )

    def validate(self, attrs):
        user = authenticate(
            self.context.get("request"), email=attrs["email"].lower(), password=attrs["password"]
        )
        if user is None or not user.is_active:
            raise serializers.ValidationError(
                _("That e-mail and password do not match an account."), code="invalid_login"
            )
        attrs["user"] = user
        return attrs


_EXPIRES_HELP = "When the token stops working (staff: 8 hours, runners: 30 days by default)."


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send it as `Authorization: Token <token>`.")
    expires = serializers.DateTimeField(help_text=_EXPIRES_HELP)
    id = serializers.IntegerField(help_text="This sign-in in GET /api/v1/auth/tokens/.")
    device = serializers.CharField()


class DeviceSerializer(serializers.ModelSerializer):
    """A signed-in device: one of the user's tokens, never its key."""

    expires = serializers.DateTimeField(source="expiry", allow_null=True, help_text=_EXPIRES_HELP)
    last_used = serializers.DateTimeField(
        allow_null=True, help_text="To the minute; null until the token is first used."
    )
    current = serializers.SerializerMethodField(
        help_text="Whether this is the token that made this request."
    )

    class Meta:
        model = ApiToken
        fields = ["id", "device", "created", "last_used", "expires", "current"]
        read_only_fields = fields

    def get_current(self, token: ApiToken) -> bool:
        request = self.context.get("request")
        auth = getattr(request, "auth", None)
        return isinstance(auth, ApiToken) and auth.pk == token.pk
