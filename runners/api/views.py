"""The runner's own profile and race log. Another runner's races are never reachable:
every queryset starts from the requester."""

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
from rest_framework import generics, mixins, viewsets
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response

from clinic.api.schema import ERROR_RESPONSES
from clinic.errors import CodedError
from runners import services
from runners.api.permissions import IsRunner
from runners.api.serializers import ProfileSerializer, RaceSerializer
from runners.models import Race
from runners.selectors import own_runner, races_for


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
