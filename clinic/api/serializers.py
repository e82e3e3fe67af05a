from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from clinic.models import Clinic, Service, Therapist


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


class TokenRequestSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(trim_whitespace=False, style={"input_type": "password"})

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


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()
    expires = serializers.DateTimeField(
        help_text="When the token stops working (staff: 8 hours, runners: 30 days by default)."
    )
