"""The staff API's serializers: working hours, time off, attendance and the attendance
report."""

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from booking.models import DISCOMFORT_MAX, Session, Side, TreatedArea
from clinic.errors import CodedError
from clinic.models import TimeOff


class BadRequest(CodedError):
    pass


class IntervalSerializer(serializers.Serializer):
    weekday = serializers.IntegerField(min_value=0, max_value=6)
    start = serializers.TimeField(format="%H:%M")
    end = serializers.TimeField(format="%H:%M")


# Component names: WorkingHoursRequest in, WorkingHours out (not WorkingHoursInRequest).
@extend_schema_serializer(component_name="WorkingHours")
class WorkingHoursInSerializer(serializers.Serializer):
    valid_from = serializers.DateField()
    intervals = IntervalSerializer(many=True, allow_empty=True)


class InTheWaySerializer(serializers.Serializer):
    session = serializers.IntegerField(source="session.pk")
    start = serializers.DateTimeField(source="session.start")
    end = serializers.DateTimeField(source="session.end")
    runner = serializers.CharField(source="session.runner.user.get_full_name")
    service = serializers.CharField(source="session.service.name")
    reason = serializers.CharField()


@extend_schema_serializer(component_name="WorkingHours")
class WorkingHoursOutSerializer(serializers.Serializer):
    therapist = serializers.IntegerField()
    timezone = serializers.CharField()
    on = serializers.DateField()
    valid_from = serializers.DateField(allow_null=True)
    intervals = IntervalSerializer(many=True)
    sessions_in_the_way = InTheWaySerializer(many=True, required=False)


class ReportRowSerializer(serializers.Serializer):
    period = serializers.DateField(allow_null=True)
    booked = serializers.IntegerField()
    attended = serializers.IntegerField()
    no_show = serializers.IntegerField()
    cancelled = serializers.IntegerField()
    late_cancelled = serializers.IntegerField()
    pending = serializers.IntegerField()
    attendance_rate = serializers.FloatField(allow_null=True)


class ReportSerializer(serializers.Serializer):
    clinic = serializers.IntegerField()
    therapist = serializers.IntegerField(allow_null=True)
    start = serializers.DateField()
    end = serializers.DateField()
    group_by = serializers.ChoiceField(choices=["week", "month"])
    timezone = serializers.CharField()
    rows = ReportRowSerializer(many=True)
    total = ReportRowSerializer()


class TimeOffSerializer(serializers.ModelSerializer):
    class Meta:
        model = TimeOff
        fields = ["id", "start", "end", "reason"]


class TimeOffListSerializer(serializers.Serializer):
    results = TimeOffSerializer(many=True)


@extend_schema_serializer(component_name="Attendance")
class AttendanceInSerializer(serializers.Serializer):
    """The treatment fields count only for "attended"; the service ignores them otherwise."""

    status = serializers.ChoiceField(choices=["attended", "no_show", "late_cancelled"])
    areas_treated = serializers.DictField(
        child=serializers.ChoiceField(choices=Side.values),
        required=False,
        help_text="{area: side}; areas: " + ", ".join(TreatedArea.values),
    )
    mobilisation_done = serializers.BooleanField(required=False, allow_null=True, default=None)
    discomfort_before = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=DISCOMFORT_MAX
    )
    discomfort_after = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=DISCOMFORT_MAX
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


@extend_schema_serializer(component_name="Attendance")
class AttendanceOutSerializer(serializers.ModelSerializer):
    note = serializers.CharField(source="therapist_note")

    class Meta:
        model = Session
        fields = [
            "id",
            "status",
            "start",
            "end",
            "areas_treated",
            "mobilisation_done",
            "discomfort_before",
            "discomfort_after",
            "note",
            "attended_at",
            "no_show_at",
        ]
