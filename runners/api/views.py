"""The runner's own profile and race log. Another runner's races are never reachable:
every queryset starts from the requester."""

import zoneinfo
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import generics, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response

from clinic.api.schema import ERROR_RESPONSES
from clinic.errors import CodedError
from runners import services
from runners.activity_import import parse_upload
from runners.api.permissions import IsRunner
from runners.api.serializers import (
    ProfileSerializer,
    RaceSerializer,
    TrainingImportResultSerializer,
    TrainingImportSerializer,
    TrainingSerializer,
)
from runners.models import Race, Training
from runners.selectors import existing_training_starts, own_runner, races_for, trainings_for
from runners.uploads import UploadError


def _runner(request):
    # A read never makes the profile (403 no_runner_profile); a first write may.
    if request.method in SAFE_METHODS:
        return own_runner(request.user)
    return services.runner_get_or_create(user=request.user)


@extend_schema_view(
    get=extend_schema(
        summary="My profile",
        responses={200: ProfileSerializer, **ERROR_RESPONSES(401, 403)},
    ),
    patch=extend_schema(
        summary="Change my profile (cadence, reminders, preferred therapist, health notes)",
        request=ProfileSerializer,
        responses={200: ProfileSerializer, **ERROR_RESPONSES(400, 401, 403)},
    ),
)
class MeView(generics.GenericAPIView):
    permission_classes = [IsRunner]
    serializer_class = ProfileSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def get_object(self):
        runner = _runner(self.request)
        # One query for what the profile shows, whatever called it.
        return type(runner).objects.select_related("user").get(pk=runner.pk)

    def get(self, request):
        return Response(self.get_serializer(self.get_object()).data)

    def patch(self, request):
        runner = self.get_object()
        serializer = self.get_serializer(runner, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        user_fields = data.pop("user", {})
        runner = services.runner_update_profile(runner=runner, user_fields=user_fields, **data)
        return Response(self.get_serializer(runner).data)


@extend_schema_view(
    list=extend_schema(
        summary="My races",
        parameters=[
            OpenApiParameter(
                "when",
                OpenApiTypes.STR,
                enum=["upcoming", "past"],
                description="Upcoming (not finished yet, soonest first) or past (latest first).",
            )
        ],
        responses={200: RaceSerializer(many=True), **ERROR_RESPONSES(400, 401, 403)},
    ),
    retrieve=extend_schema(
        summary="One of my races", responses={200: RaceSerializer, **ERROR_RESPONSES(404)}
    ),
    create=extend_schema(
        summary="Log a race",
        description="`finish` may be left out: it is then estimated from the distance.",
        examples=[
            OpenApiExample(
                "Marathon",
                value={
                    "name": "Valencia Marathon",
                    "start": "2026-12-06T08:30:00+01:00",
                    "distance_km": "42.20",
                    "priority": "A",
                },
                request_only=True,
            )
        ],
        responses={201: RaceSerializer, **ERROR_RESPONSES(400)},
    ),
    partial_update=extend_schema(
        summary="Change a race", responses={200: RaceSerializer, **ERROR_RESPONSES(400, 404)}
    ),
    update=extend_schema(
        summary="Replace a race", responses={200: RaceSerializer, **ERROR_RESPONSES(400, 404)}
    ),
    destroy=extend_schema(summary="Delete a race", responses={204: None, **ERROR_RESPONSES(404)}),
)
class RaceViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    permission_classes = [IsRunner]
    serializer_class = RaceSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Race.objects.none()
        return races_for(_runner(self.request)).select_related("runner")

    def filter_queryset(self, queryset):
        if self.action != "list":
            return queryset
        when = self.request.query_params.get("when")
        now = timezone.now()
        if when == "upcoming":
            return queryset.filter(finish__gte=now).order_by("start", "id")
        if when == "past":
            return queryset.filter(finish__lt=now).order_by("-start", "-id")
        if when:
            raise CodedError(_("Use when=upcoming or when=past."), code="invalid_when")
        return queryset.order_by("start", "id")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.race_create(runner=_runner(self.request), **data)

    @transaction.atomic
    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        if "finish" in data and data["finish"] is None:
            # An explicit null asks for the estimate again.
            data.pop("finish")
            data.setdefault("distance_km", serializer.instance.distance_km)
        serializer.instance = services.race_update(race=serializer.instance, **data)

    def perform_destroy(self, instance):
        services.race_delete(race=instance)


@extend_schema_view(
    list=extend_schema(
        summary="My trainings",
        description="Latest first. `since` / `until` (dates, YYYY-MM-DD) narrow the list.",
        parameters=[
            OpenApiParameter("since", OpenApiTypes.DATE),
            OpenApiParameter("until", OpenApiTypes.DATE),
        ],
        responses={200: TrainingSerializer(many=True), **ERROR_RESPONSES(400, 401, 403)},
    ),
    retrieve=extend_schema(
        summary="One of my trainings",
        responses={200: TrainingSerializer, **ERROR_RESPONSES(404)},
    ),
    create=extend_schema(
        summary="Log a training (done or planned)",
        description=(
            "A demanding training (docs/training.md) keeps unloading massages away for the "
            "clinic's hours after its end; `affected_sessions` lists booked sessions it now "
            "clashes with. A planned demanding training the day after a massage is a "
            "warning when booking."
        ),
        examples=[
            OpenApiExample(
                "Long run",
                value={
                    "start": "2026-12-06T08:00:00+01:00",
                    "minutes": 150,
                    "distance_km": "30",
                    "kind": "long",
                    "rpe": 7,
                },
                request_only=True,
            )
        ],
        responses={201: TrainingSerializer, **ERROR_RESPONSES(400)},
    ),
    partial_update=extend_schema(
        summary="Change a training",
        responses={200: TrainingSerializer, **ERROR_RESPONSES(400, 404)},
    ),
    update=extend_schema(
        summary="Replace a training",
        responses={200: TrainingSerializer, **ERROR_RESPONSES(400, 404)},
    ),
    destroy=extend_schema(
        summary="Delete a training", responses={204: None, **ERROR_RESPONSES(404)}
    ),
)
class TrainingViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    permission_classes = [IsRunner]
    serializer_class = TrainingSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Training.objects.none()
        return trainings_for(_runner(self.request)).select_related("runner__clinic")

    def filter_queryset(self, queryset):
        if self.action != "list":
            return queryset
        for param, lookup in (("since", "start__date__gte"), ("until", "start__date__lte")):
            value = self.request.query_params.get(param)
            if value:
                try:
                    queryset = queryset.filter(**{lookup: date.fromisoformat(value)})
                except ValueError:
                    raise CodedError(
                        _("Give %(param)s as a date: YYYY-MM-DD.") % {"param": param},
                        code="invalid_date",
                    ) from None
        return queryset

    def perform_create(self, serializer):
        serializer.instance = services.training_create(
            runner=_runner(self.request), **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.training_update(
            training=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.training_delete(training=instance)

    @extend_schema(
        summary="Import trainings from a watch or app export",
        description=(
            "A .fit, .gpx or .tcx file, or a .zip of them (multipart, field `file`). With "
            "`preview=true` nothing is saved: the answer lists what would be imported and "
            "why any file is left out. Without it, every readable activity not already in "
            "the log is saved as a done training."
        ),
        request={"multipart/form-data": TrainingImportSerializer},
        responses={
            200: TrainingImportResultSerializer,
            201: TrainingImportResultSerializer,
            **ERROR_RESPONSES(400, 401, 403),
        },
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        parser_classes=[MultiPartParser, FormParser],
    )
    def import_file(self, request):
        form = TrainingImportSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        upload = form.validated_data["file"]
        runner = _runner(request)
        try:
            found = parse_upload(
                upload.name,
                upload.read(),
                runner_tz=zoneinfo.ZoneInfo(runner.timezone),
                existing=existing_training_starts(runner),
            )
        except UploadError as exc:
            raise CodedError(str(exc), code=exc.code) from None
        activities = [a.as_json() for a in found]
        if form.validated_data["preview"]:
            return Response({"preview": True, "activities": activities, "created": []})
        with transaction.atomic():
            created = services.trainings_import(
                runner=runner, items=[a.training_fields() for a in found if not a.problem]
            )
        created = list(
            Training.objects.filter(pk__in=[t.pk for t in created])
            .select_related("runner__clinic")
            .order_by("-start")
        )
        body = {
            "preview": False,
            "activities": activities,
            "created": TrainingSerializer(created, many=True, context={"request": request}).data,
        }
        return Response(body, status=status.HTTP_201_CREATED)
