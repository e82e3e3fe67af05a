"""Waitlist API: `GET/POST /api/v1/waitlist/`, `DELETE /api/v1/waitlist/{id}/`.

A runner lists, joins and leaves their own lists; a clinic's staff list their clinic's
waiting runners and may take one off. Thin: booking.engine.waitlist decides and writes;
its refusals are coded errors (400 for the input, 409 for the list)."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from booking.api.permissions import CanBook
from booking.engine import waitlist
from booking.models import WaitlistEntry
from clinic import permissions as roles
from clinic.api.schema import ERROR_RESPONSES
from clinic.models import Service, Therapist
from runners.selectors import runner_of
from runners.services import runner_get_or_create


class WaitlistEntrySerializer(serializers.ModelSerializer):
    service = serializers.PrimaryKeyRelatedField(queryset=Service.objects.filter(active=True))
    therapist = serializers.PrimaryKeyRelatedField(
        queryset=Therapist.objects.filter(active=True),
        required=False,
        allow_null=True,
        help_text="Only this physiotherapist; leave out for any.",
    )
    first_day = serializers.DateField(help_text="First clinic-local day (YYYY-MM-DD).")
    last_day = serializers.DateField(help_text="Last clinic-local day, inclusive.")
    earliest = serializers.TimeField(help_text="Clinic-local: the session starts at or after.")
    latest = serializers.TimeField(help_text="Clinic-local: the session ends by.")
    runner = serializers.IntegerField(source="runner_id", read_only=True)

    class Meta:
        model = WaitlistEntry
        fields = [
            "id",
            "runner",
            "clinic",
            "service",
            "therapist",
            "first_day",
            "last_day",
            "earliest",
            "latest",
            "joined_at",
        ]
        read_only_fields = ["id", "clinic", "joined_at"]


JOIN_EXAMPLE = OpenApiExample(
    "Weekday evenings for two weeks",
    value={
        "service": 1,
        "first_day": "2026-12-07",
        "last_day": "2026-12-18",
        "earliest": "17:00",
        "latest": "20:30",
    },
    request_only=True,
)
REFUSAL_EXAMPLE = OpenApiExample(
    "Times reversed",
    value={
        "code": "waitlist_times_reversed",
        "detail": "The end time comes before the start time.",
    },
    status_codes=["400"],
    response_only=True,
)


@extend_schema_view(
    list=extend_schema(
        summary="The waitlist",
        description="A runner: the lists they wait on. Staff: their clinic's waiting "
        "runners, in the order they joined.",
        responses={200: WaitlistEntrySerializer(many=True), **ERROR_RESPONSES(401, 403)},
    ),
    create=extend_schema(
        summary="Join a waitlist",
        description="Runners only. When a time that fits (the days, the time of day, the "
        "physiotherapist if given, and every booking rule, races included) frees up, the "
        "runner is e-mailed a one-click claim link; the first to claim gets it. Codes: "
        + ", ".join(
            f"`{c}`"
            for c in (
                waitlist.Code.DAYS_REVERSED,
                waitlist.Code.TIMES_REVERSED,
                waitlist.Code.IN_THE_PAST,
                waitlist.Code.TOO_FAR_AHEAD,
                waitlist.Code.TOO_SHORT,
                waitlist.Code.SERVICE_INACTIVE,
                "therapist_other_clinic",
            )
        )
        + " (400); "
        + f"`{waitlist.Code.ALREADY_WAITING}`, `{waitlist.Code.TOO_MANY}` (409).",
        request=WaitlistEntrySerializer,
        examples=[JOIN_EXAMPLE, REFUSAL_EXAMPLE],
        responses={201: WaitlistEntrySerializer, **ERROR_RESPONSES(400, 401, 403, 409)},
    ),
    destroy=extend_schema(
        summary="Leave a waitlist",
        description="The runner leaves their list (staff: take a runner of their clinic off).",
        responses={204: OpenApiResponse(description="Left."), **ERROR_RESPONSES(401, 403, 404)},
    ),
)
class WaitlistViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    permission_classes = [CanBook]
    serializer_class = WaitlistEntrySerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return WaitlistEntry.objects.none()
        return waitlist.waiting(
            roles.scope(WaitlistEntry.objects.all(), self.request.user)
        ).order_by("joined_at", "pk")

    def create(self, request, *args, **kwargs):
        if not roles.is_runner(request.user):
            raise PermissionDenied(_("Only runners join a waitlist."), code="runners_only")
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        runner = runner_of(request.user) or runner_get_or_create(
            user=request.user, clinic=data["service"].clinic
        )
        entry = waitlist.join(
            runner=runner,
            service=data["service"],
            therapist=data.get("therapist"),
            first_day=data["first_day"],
            last_day=data["last_day"],
            earliest=data["earliest"],
            latest=data["latest"],
        )
        return Response(self.get_serializer(entry).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        waitlist.leave(entry=instance)
