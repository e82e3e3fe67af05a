"""Adapters between JSON and the booking engine. Times go out in the clinic's zone with
their offset; they come in with an offset (a naive time is refused, not guessed)."""

from datetime import date

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from booking.engine import conflicts, services
from booking.engine.availability import Slot
from booking.engine.rules import clinic_mismatch
from booking.engine.series import MAX_SERIES, SERIES_EVERY_DAYS, SeriesResult
from booking.models import Session, SessionEvent
from clinic import permissions
from clinic.api.fields import AwareDateTimeField, ZonedDateTimeField
from clinic.api.schema import SuggestedSlotSerializer
from clinic.errors import CodedError
from clinic.models import BodyArea, Service, Therapist
from runners.models import Runner

MAX_RANGE_DAYS = 62


def _clinic_tz(obj):
    return obj.clinic.tz


class CodedDateField(serializers.DateField):
    default_error_messages = {
        "invalid_date": _("Give the date as YYYY-MM-DD."),
        "date_out_of_range": _("Give a date between the years 1970 and 2100."),
    }

    def to_internal_value(self, value):
        if not isinstance(value, date):
            try:
                value = date.fromisoformat(str(value).strip())
            except ValueError:
                self.fail("invalid_date")
        if not 1970 <= value.year <= 2100:
            self.fail("date_out_of_range")
        return value


class AvailabilityQuerySerializer(serializers.Serializer):
    service = serializers.IntegerField(min_value=1)
    start = CodedDateField(help_text="First day, YYYY-MM-DD, in the clinic's calendar.")
    end = CodedDateField(
        help_text=f"Last day (inclusive), YYYY-MM-DD; at most {MAX_RANGE_DAYS} days after start."
    )
    therapist = serializers.IntegerField(min_value=1, required=False)
    runner = serializers.IntegerField(
        min_value=1,
        required=False,
        help_text="Staff only: show the slots as this runner would see them (race windows).",
    )

    def validate_service(self, value):
        service = Service.objects.filter(pk=value, active=True).select_related("clinic").first()
        if service is None:
            raise serializers.ValidationError(
                _("There is no bookable service with that id."), code="unknown_service"
            )
        return service

    def validate_therapist(self, value):
        therapist = Therapist.objects.filter(pk=value, active=True).first()
        if therapist is None:
            raise serializers.ValidationError(
                _("There is no active therapist with that id."), code="unknown_therapist"
            )
        return therapist

    def validate(self, attrs):
        start, end = attrs["start"], attrs["end"]
        if end < start:
            raise serializers.ValidationError(
                {"end": _("The end date is before the start date.")}, code="inverted_range"
            )
        if (end - start).days + 1 > MAX_RANGE_DAYS:
            raise serializers.ValidationError(
                {"end": _("Ask for at most %(days)s days at a time.") % {"days": MAX_RANGE_DAYS}},
                code="range_too_long",
            )
        therapist = attrs.get("therapist")
        if therapist is not None and clinic_mismatch(
            service_clinic_id=attrs["service"].clinic_id, therapist_clinic_id=therapist.clinic_id
        ):
            raise serializers.ValidationError(
                {"therapist": _("That therapist does not work at this service's clinic.")},
                code="therapist_other_clinic",
            )
        return attrs


class SlotSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    therapist = serializers.IntegerField()
    ideal = serializers.BooleanField(
        help_text="In the runner's recommended window: cadence due and clear of races."
    )


class RaceRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class BlockedWindowSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    effort = serializers.ChoiceField(
        choices=["race", "training"], help_text="What blocks: a race or a demanding training."
    )
    race = RaceRefSerializer(help_text="The race, or the training (its id and words).")
    code = serializers.ChoiceField(
        choices=["too_soon_after_race", "too_close_before_race", "too_soon_after_training"]
    )
    detail = serializers.CharField()


class AvailabilitySerializer(serializers.Serializer):
    timezone = serializers.CharField(help_text="The clinic's time zone.")
    slots = SlotSerializer(many=True)
    blocked = BlockedWindowSerializer(many=True)


def slot_dict(slot: Slot, tz) -> dict:
    """A slot (offered, or suggested on a refusal) as the API says it, in clinic time."""
    return {
        "start": slot.start.astimezone(tz).isoformat(),
        "end": slot.end.astimezone(tz).isoformat(),
        "therapist": slot.therapist_id,
        "ideal": slot.ideal,
    }


def blocked_dict(window, tz) -> dict:
    return {
        "start": window.start.astimezone(tz).isoformat(),
        "end": window.end.astimezone(tz).isoformat(),
        "effort": window.effort,
        "race": {"id": window.race_id, "name": window.race_name},
        "code": window.code,
        "detail": str(window.detail),
    }


@extend_schema_serializer(component_name="ServiceRef")
class _ServiceRef(serializers.ModelSerializer):
    class Meta:
        model = Service
        fields = ["id", "name", "duration_minutes"]


@extend_schema_serializer(component_name="TherapistRef")
class _TherapistRef(serializers.ModelSerializer):
    class Meta:
        model = Therapist
        fields = ["id", "display_name"]


@extend_schema_serializer(component_name="RunnerRef")
class _RunnerRef(serializers.ModelSerializer):
    name = serializers.CharField(source="user.get_full_name")

    class Meta:
        model = Runner
        fields = ["id", "name"]


@extend_schema_serializer(component_name="ClinicRef")
class _ClinicRef(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    timezone = serializers.CharField()


class RaceConflictSerializer(serializers.Serializer):
    effort = serializers.ChoiceField(choices=["race", "training"])
    race = serializers.IntegerField(required=False, help_text="The race (effort: race).")
    training = serializers.IntegerField(
        required=False, help_text="The demanding training (effort: training)."
    )
    code = serializers.CharField()
    detail = serializers.CharField()


class SessionSerializer(serializers.ModelSerializer):
    start = ZonedDateTimeField(tz_from=_clinic_tz, read_only=True)
    end = ZonedDateTimeField(tz_from=_clinic_tz, read_only=True)
    service = _ServiceRef(read_only=True)
    therapist = _TherapistRef(read_only=True)
    runner = _RunnerRef(read_only=True)
    clinic = _ClinicRef(read_only=True)
    cancel_outcome = serializers.SerializerMethodField(
        help_text="What cancelling now would give (`cancelled` in time, `late_cancelled` "
        "after the clinic's window); null when the session cannot be cancelled."
    )
    race_override = serializers.SerializerMethodField()
    race_conflicts = serializers.SerializerMethodField(
        help_text="The runner's races and demanding trainings this booked session now clashes "
        "with (logged or moved after booking): it stays booked, to be moved; empty when clear."
    )

    class Meta:
        model = Session
        fields = [
            "id",
            "status",
            "start",
            "end",
            "service",
            "therapist",
            "runner",
            "clinic",
            "price",
            "discomfort_areas",
            "runner_note",
            "race_override",
            "race_conflicts",
            "rescheduled_from",
            "cancel_outcome",
            "created_at",
            "cancelled_at",
        ]
        read_only_fields = fields

    @extend_schema_field(RaceConflictSerializer(many=True))
    def get_race_conflicts(self, obj) -> list[dict]:
        # Once for the whole list (a fixed number of queries), not once per session.
        cache = self.context.setdefault("_race_conflicts", {})
        if obj.pk not in cache:
            parent = self.parent
            batch = (
                list(parent.instance)
                if isinstance(parent, serializers.ListSerializer) and parent.instance is not None
                else [obj]
            )
            for pk, found in conflicts.conflicts_for_sessions(batch).items():
                cache[pk] = [c.for_session() for c in found]
        return cache.get(obj.pk, [])

    @extend_schema_field(
        serializers.ChoiceField(choices=["cancelled", "late_cancelled"], allow_null=True)
    )
    def get_cancel_outcome(self, obj) -> str | None:
        if obj.status != Session.Status.BOOKED:
            return None
        by = self.context.get("by")
        if by is not None and self._is_staff_of(by, obj.clinic_id):
            # As booking.engine.services.cancellation_outcome says: a cancellation by the
            # clinic's staff is never late. Asked once per clinic, not once per row.
            return str(Session.Status.CANCELLED)
        return str(services.cancellation_outcome(obj, now=self.context.get("now")))

    def _is_staff_of(self, user, clinic_id: int) -> bool:
        if not permissions.is_clinic_staff(user):
            return False
        memo = self.context.setdefault("_staff_of", {})
        if clinic_id not in memo:
            memo[clinic_id] = permissions.cancels_for_the_clinic(user, clinic_id)
        return memo[clinic_id]

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_race_override(self, obj) -> bool:
        return bool(obj.race_override_reason)


class SessionEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = SessionEvent
        fields = ["kind", "at", "from_status", "to_status", "old_start", "new_start"]


class SessionDetailSerializer(SessionSerializer):
    events = SessionEventSerializer(many=True, read_only=True)
    race_override_reason = serializers.CharField(read_only=True)

    class Meta(SessionSerializer.Meta):
        fields = [*SessionSerializer.Meta.fields, "race_override_reason", "events"]
        read_only_fields = fields


class _BookingInput(serializers.Serializer):
    service = serializers.PrimaryKeyRelatedField(queryset=Service.objects.select_related("clinic"))
    therapist = serializers.PrimaryKeyRelatedField(queryset=Therapist.objects.all())
    runner = serializers.IntegerField(
        min_value=1, required=False, help_text="Staff only: the runner to book for."
    )

    def validate(self, attrs):
        if clinic_mismatch(
            service_clinic_id=attrs["service"].clinic_id,
            therapist_clinic_id=attrs["therapist"].clinic_id,
        ):
            raise serializers.ValidationError(
                {"therapist": _("That therapist does not work at this service's clinic.")},
                code="therapist_other_clinic",
            )
        return attrs


class _RunnerInput(serializers.Serializer):
    """What the runner tells the therapist: on one session, or on every session of a plan."""

    discomfort_areas = serializers.ListField(
        child=serializers.ChoiceField(choices=BodyArea.choices), required=False, max_length=5
    )
    runner_note = serializers.CharField(required=False, allow_blank=True, max_length=1000)

    def validate_discomfort_areas(self, value):
        return list(dict.fromkeys(value))


class SessionCreateSerializer(_RunnerInput, _BookingInput):
    start = AwareDateTimeField(help_text="ISO 8601 with its UTC offset.")
    override_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=500,
        help_text="Staff only: lets a race rule pass for this session; the reason is kept.",
    )


class RescheduleSerializer(serializers.Serializer):
    start = AwareDateTimeField(help_text="The new start, ISO 8601 with its UTC offset.")
    therapist = serializers.PrimaryKeyRelatedField(
        queryset=Therapist.objects.all(), required=False, help_text="Another therapist, if any."
    )
    override_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=500,
        help_text="Staff only: lets a race rule pass for the new time; the reason is kept.",
    )


class SeriesCreateSerializer(_RunnerInput, _BookingInput):
    first_start = AwareDateTimeField(help_text="The first session's start, with its offset.")
    every_days = serializers.ChoiceField(choices=SERIES_EVERY_DAYS)
    count = serializers.IntegerField(min_value=1, max_value=MAX_SERIES)
    all_or_nothing = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Book none of them unless every occurrence passes.",
    )


def series_body(result: SeriesResult, sessions: dict, *, tz, context: dict) -> dict:
    """A plan's answer: each occurrence booked (its session) or not (why, and the nearest
    slots that pass). `sessions`: the booked rows by id, loaded for the serializer."""
    occurrences = []
    for occ in result.occurrences:
        session = sessions.get(occ.session.pk) if occ.session is not None else None
        error = occ.error
        if session is None and error is None:
            # all_or_nothing: this one passed, but another did not, so none was booked.
            error = CodedError(
                _("Not booked: another session of the plan was refused."), code="plan_not_booked"
            )
        occurrences.append(
            {
                "start": occ.start.astimezone(tz).isoformat(),
                "booked": session is not None,
                "session": SessionSerializer(session, context=context).data
                if session is not None
                else None,
                "code": error.code if error is not None else None,
                "detail": error.detail if error is not None else None,
                "suggestions": [
                    slot_dict(s, tz) for s in (error.suggestions if error is not None else [])
                ],
            }
        )
    booked = sum(1 for o in occurrences if o["booked"])
    return {"booked": booked, "refused": len(occurrences) - booked, "occurrences": occurrences}


class SeriesOccurrenceSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    booked = serializers.BooleanField()
    session = SessionSerializer(allow_null=True)
    code = serializers.CharField(allow_null=True)
    detail = serializers.CharField(allow_null=True)
    suggestions = SuggestedSlotSerializer(many=True)


class SeriesResultSerializer(serializers.Serializer):
    booked = serializers.IntegerField()
    refused = serializers.IntegerField()
    occurrences = SeriesOccurrenceSerializer(many=True)


class SeriesRefusedSerializer(SeriesResultSerializer):
    code = serializers.CharField()
    detail = serializers.CharField()
