import zoneinfo
from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from clinic.api.fields import ZonedDateTimeField
from clinic.models import BodyArea, Clinic, Therapist, User, validate_timezone
from runners import race_checks
from runners.models import Cadence, Race, Training
from runners.selectors import demanding_reasons_for


def _runner_tz(race: Race):
    try:
        return zoneinfo.ZoneInfo(race.runner.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def _race_tz(race: Race):
    """A race's times are shown in its own zone (a marathon abroad), else the runner's."""
    try:
        return zoneinfo.ZoneInfo(race.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        return _runner_tz(race)


class ProfileSerializer(serializers.Serializer):
    """The runner's own profile. Health notes are personal data: only the runner (here)
    and their clinic's therapists see them."""

    id = serializers.IntegerField(read_only=True)
    email = serializers.EmailField(source="user.email", read_only=True)
    first_name = serializers.CharField(
        source="user.first_name", max_length=150, required=False, allow_blank=True
    )
    last_name = serializers.CharField(
        source="user.last_name", max_length=150, required=False, allow_blank=True
    )
    language = serializers.ChoiceField(
        source="user.language", choices=User._meta.get_field("language").choices, required=False
    )
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    timezone = serializers.CharField(max_length=64, required=False, validators=[validate_timezone])
    cadence = serializers.ChoiceField(choices=Cadence.choices, required=False)
    cadence_days = serializers.IntegerField(read_only=True, allow_null=True)
    reminders_opt_in = serializers.BooleanField(required=False)
    clinic = serializers.PrimaryKeyRelatedField(
        queryset=Clinic.objects.all(), required=False, allow_null=True
    )
    preferred_therapist = serializers.PrimaryKeyRelatedField(
        queryset=Therapist.objects.filter(active=True), required=False, allow_null=True
    )
    health_notes = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    discomfort_areas = serializers.ListField(
        child=serializers.ChoiceField(choices=BodyArea.choices), required=False, max_length=5
    )

    def validate_discomfort_areas(self, value):
        return list(dict.fromkeys(value))

    def validate(self, attrs):
        therapist = attrs.get("preferred_therapist")
        clinic = attrs.get("clinic", getattr(self.instance, "clinic", None))
        if therapist is not None and clinic is not None and therapist.clinic_id != clinic.pk:
            raise serializers.ValidationError(
                {"preferred_therapist": _("Choose a therapist of your clinic.")},
                code="therapist_other_clinic",
            )
        return attrs


class AffectedSessionSerializer(serializers.Serializer):
    session = serializers.IntegerField()
    start = serializers.DateTimeField(help_text=_("In the clinic's zone, with its offset."))
    code = serializers.CharField()
    detail = serializers.CharField()


class RaceSerializer(serializers.ModelSerializer):
    start = ZonedDateTimeField(tz_from=_race_tz)
    finish = ZonedDateTimeField(
        tz_from=_race_tz,
        required=False,
        allow_null=True,
        help_text=_(
            "Expected finish (up to 14 days after the start); left out, it is estimated "
            "from the distance."
        ),
    )
    # 21.0975 (a half marathon) is accepted and kept to the metre (21.098).
    distance_km = serializers.DecimalField(
        max_digits=9,
        decimal_places=4,
        min_value=Decimal("0.1"),
        max_value=Decimal("1000"),
        required=False,
        allow_null=True,
    )
    timezone = serializers.CharField(
        max_length=64,
        required=False,
        validators=[validate_timezone],
        help_text=_("The race's IANA time zone (e.g. America/New_York); default the runner's."),
    )

    affected_sessions = serializers.SerializerMethodField(
        help_text=_(
            "Your booked sessions to come that this race now clashes with (they stay "
            "booked: move them); empty when none."
        )
    )

    class Meta:
        model = Race
        fields = [
            "id",
            "name",
            "start",
            "finish",
            "distance_km",
            "priority",
            "location",
            "timezone",
            "affected_sessions",
        ]

    @extend_schema_field(AffectedSessionSerializer(many=True))
    def get_affected_sessions(self, obj: Race) -> list[dict]:
        # Once for the whole list (a fixed number of queries), not once per race.
        cache = self.context.setdefault("_affected_sessions", {})
        if obj.pk not in cache:
            parent = self.parent
            batch = (
                list(parent.instance)
                if isinstance(parent, serializers.ListSerializer) and parent.instance is not None
                else [obj]
            )
            cache.update(race_checks.affected_sessions(batch))
        return cache.get(obj.pk, [])

    def validate_distance_km(self, value):
        return None if value is None else value.quantize(Decimal("0.001"))

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if data.get("distance_km") is not None:
            data["distance_km"] = str(Decimal(data["distance_km"]).quantize(Decimal("0.001")))
        return data

    def validate_name(self, value):
        value = value.strip()
        if not value:
            raise serializers.ValidationError(_("Give the race a name."), code="blank")
        return value


def _training_tz(training):
    """A training's times are shown in its own zone (a run abroad), else the runner's."""
    return _race_tz(training)


class TrainingSerializer(serializers.ModelSerializer):
    start = ZonedDateTimeField(tz_from=_training_tz)
    finish = ZonedDateTimeField(
        tz_from=_training_tz,
        required=False,
        help_text=_("When it ended, pauses included; left out: `minutes` after the start."),
    )
    minutes = serializers.IntegerField(
        min_value=1, max_value=24 * 60, help_text=_("Time moving, pauses left out.")
    )
    distance_km = serializers.DecimalField(
        max_digits=9,
        decimal_places=4,
        min_value=Decimal("0.01"),
        max_value=Decimal("1000"),
        required=False,
        allow_null=True,
    )
    rpe = serializers.IntegerField(
        min_value=1,
        max_value=10,
        required=False,
        allow_null=True,
        help_text=_("How hard it felt: 1 very easy, 10 all out."),
    )
    avg_hr = serializers.IntegerField(min_value=20, max_value=250, required=False, allow_null=True)
    max_hr = serializers.IntegerField(min_value=20, max_value=250, required=False, allow_null=True)
    timezone = serializers.CharField(
        max_length=64,
        required=False,
        validators=[validate_timezone],
        help_text=_("The training's IANA time zone; default the runner's."),
    )
    pace_seconds_per_km = serializers.IntegerField(read_only=True, allow_null=True)
    demanding = serializers.SerializerMethodField(
        help_text=_(
            "Why the clinic counts it as demanding (flag, rpe, kind, long, far; "
            "docs/training.md), or null."
        )
    )
    affected_sessions = serializers.SerializerMethodField(
        help_text=_(
            "Your booked sessions to come that this demanding training now clashes with "
            "(they stay booked: move them); empty when none."
        )
    )

    class Meta:
        model = Training
        fields = [
            "id",
            "name",
            "start",
            "finish",
            "minutes",
            "distance_km",
            "kind",
            "rpe",
            "hard",
            "planned",
            "avg_hr",
            "max_hr",
            "pace_seconds_per_km",
            "timezone",
            "source",
            "demanding",
            "affected_sessions",
        ]
        read_only_fields = ["source"]

    def _batch(self, obj: Training) -> list[Training]:
        parent = self.parent
        if isinstance(parent, serializers.ListSerializer) and parent.instance is not None:
            return list(parent.instance)
        return [obj]

    @extend_schema_field(
        serializers.ChoiceField(choices=["flag", "rpe", "kind", "long", "far"], allow_null=True)
    )
    def get_demanding(self, obj: Training) -> str | None:
        # Once for the whole list (one query), not once per training.
        cache = self.context.setdefault("_demanding", {})
        if obj.pk not in cache:
            cache.update(demanding_reasons_for(self._batch(obj)))
        return cache.get(obj.pk) or None

    @extend_schema_field(AffectedSessionSerializer(many=True))
    def get_affected_sessions(self, obj: Training) -> list[dict]:
        cache = self.context.setdefault("_training_affected", {})
        if obj.pk not in cache:
            cache.update(race_checks.training_affected_sessions(self._batch(obj)))
        return cache.get(obj.pk, [])

    def validate_distance_km(self, value):
        return None if value is None else value.quantize(Decimal("0.001"))

    def validate(self, attrs):
        start = attrs.get("start", getattr(self.instance, "start", None))
        finish = attrs.get("finish")
        if finish is not None and start is not None and finish <= start:
            raise serializers.ValidationError(
                {"finish": _("The end must be after the start.")}, code="invalid"
            )
        return attrs

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if data.get("distance_km") is not None:
            data["distance_km"] = str(Decimal(data["distance_km"]).quantize(Decimal("0.001")))
        return data


class ActivitySerializer(serializers.Serializer):
    """One activity read from an uploaded file (the import's preview)."""

    file = serializers.CharField()
    name = serializers.CharField()
    start = serializers.DateTimeField(allow_null=True)
    minutes = serializers.IntegerField()
    distance_km = serializers.CharField(allow_null=True)
    kind = serializers.CharField()
    avg_hr = serializers.IntegerField(allow_null=True)
    max_hr = serializers.IntegerField(allow_null=True)
    laps = serializers.IntegerField()
    timezone = serializers.CharField()
    source = serializers.CharField()
    problem = serializers.CharField(help_text=_("Why it is not imported; empty when it is."))


class TrainingImportSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text=_("A .fit, .gpx or .tcx file, or a .zip of them (up to 20 MB, 1,000 files).")
    )
    preview = serializers.BooleanField(
        default=False,
        help_text=_("true: read the file and say what would be imported, save nothing."),
    )


class TrainingImportResultSerializer(serializers.Serializer):
    preview = serializers.BooleanField()
    activities = ActivitySerializer(many=True)
    created = TrainingSerializer(many=True)
