"""Availability API: the bookable slots of a service, and for a runner the windows
their races block."""

from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from booking.api.serializers import (
    AvailabilityQuerySerializer,
    AvailabilitySerializer,
    blocked_dict,
)
from booking.api.sessions import runner_in_scope, runner_of
from booking.engine import availability_cache
from clinic import permissions as roles
from clinic.api.schema import ERROR_RESPONSES

AVAILABILITY_PARAMS = [
    OpenApiParameter("service", OpenApiTypes.INT, required=True, description="Service id."),
    OpenApiParameter("start", OpenApiTypes.DATE, required=True, description="First day."),
    OpenApiParameter(
        "end", OpenApiTypes.DATE, required=True, description="Last day (inclusive), ≤ 62 days."
    ),
    OpenApiParameter("therapist", OpenApiTypes.INT, description="Only this therapist."),
    OpenApiParameter(
        "runner", OpenApiTypes.INT, description="Staff only: as this runner would see it."
    ),
]


class AvailabilityView(APIView):
    """Every bookable start for a service over a range of days. For a signed-in runner,
    race-blocked slots are left out and listed in `blocked`, and `ideal` marks the slots
    in their recommended window."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(
        summary="Bookable slots",
        parameters=AVAILABILITY_PARAMS,
        responses={200: AvailabilitySerializer, **ERROR_RESPONSES(400)},
    )
    def get(self, request):
        params = AvailabilityQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        service = data["service"]
        runner = runner_of(request.user)
        if "runner" in data and roles.is_clinic_staff(request.user):
            if not roles.acts_for_clinic(request.user, service.clinic_id):
                raise PermissionDenied(_("That clinic is not yours."), code="other_clinic")
            runner = runner_in_scope(request.user, data["runner"])
        if runner is None and request.accepted_renderer.format == "json":
            # Anonymous (or staff) lookups: the stored answer, ready to send
            # (booking.engine.availability_cache.availability_json).
            body = availability_cache.availability_json(
                service=service,
                start_date=data["start"],
                end_date=data["end"],
                therapist=data.get("therapist"),
            )
            return HttpResponse(body, content_type="application/json")
        result = availability_cache.availability(
            service=service,
            start_date=data["start"],
            end_date=data["end"],
            therapist=data.get("therapist"),
            runner=runner,
        )
        tz = service.clinic.tz
        # A clinic's therapists share start times: format each moment once, not once
        # per therapist (thousands of slots for a month of a whole clinic).
        formatted: dict = {}

        def iso(moment):
            text = formatted.get(moment)
            if text is None:
                text = formatted[moment] = moment.astimezone(tz).isoformat()
            return text

        return Response(
            {
                "timezone": service.clinic.timezone,
                "slots": [
                    {
                        "start": iso(s.start),
                        "end": iso(s.end),
                        "therapist": s.therapist_id,
                        "ideal": s.ideal,
                    }
                    for s in result.slots
                ],
                "blocked": [blocked_dict(w, tz) for w in result.blocked],
            }
        )
