"""Booking API: Plan my season (booking.engine.plan). GET proposes, POST books the chosen
proposals as the series endpoint does (201 all, 207 some, 400 none)."""

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle, ScopedRateThrottle, UserRateThrottle
from rest_framework.views import APIView

from booking.api.permissions import CanBook, IsRunner
from booking.api.serializers import (
    SeriesRefusedSerializer,
    SeriesResultSerializer,
    _BookingInput,
    series_body,
)
from booking.api.sessions import _idempotency_key, runner_of
from booking.engine import plan as season
from booking.engine.plan import MAX_PROPOSALS, Reason, SeasonPlan
from booking.models import Session
from clinic.api.fields import AwareDateTimeField
from clinic.api.schema import ERROR_RESPONSES
from runners.services import runner_get_or_create


class PlanChoiceSerializer(_BookingInput):
    start = AwareDateTimeField(help_text="The proposal's start, ISO 8601 with its UTC offset.")


class PlanCreateSerializer(serializers.Serializer):
    proposals = PlanChoiceSerializer(many=True, allow_empty=False, max_length=MAX_PROPOSALS)
    all_or_nothing = serializers.BooleanField(
        required=False, default=False, help_text="Book none of them unless every one passes."
    )


class ProposalSerializer(serializers.Serializer):
    start = serializers.DateTimeField(help_text="In the clinic's zone, with its offset.")
    end = serializers.DateTimeField()
    therapist = serializers.IntegerField()
    therapist_name = serializers.CharField()
    service = serializers.IntegerField()
    service_name = serializers.CharField()
    reason = serializers.CharField(help_text="Why this session, in your language.")
    reason_code = serializers.ChoiceField(
        choices=[Reason.BEFORE_RACE, Reason.AFTER_RACE, Reason.CADENCE]
    )
    race = serializers.IntegerField(allow_null=True, help_text="The race it is for, if any.")


class PlanSerializer(serializers.Serializer):
    weeks = serializers.IntegerField()
    proposals = ProposalSerializer(many=True)


def plan_body(plan: SeasonPlan) -> dict:
    """The plan's answer: each proposal in the clinic's time, with its reason."""
    tz = plan.clinic.tz if plan.clinic is not None else None
    return {
        "weeks": plan.weeks,
        "proposals": [
            {
                "start": p.start.astimezone(tz).isoformat(),
                "end": p.end.astimezone(tz).isoformat(),
                "therapist": p.therapist_id,
                "therapist_name": plan.therapists.get(p.therapist_id, ""),
                "service": p.service_id,
                "service_name": plan.services[p.service_id].name,
                "reason": p.label,
                "reason_code": p.reason,
                "race": p.race_id,
            }
            for p in plan.proposals
        ],
    }


class PlanQuerySerializer(serializers.Serializer):
    weeks = serializers.IntegerField(
        min_value=1, max_value=season.MAX_WEEKS, default=season.DEFAULT_WEEKS, required=False
    )


class PlanView(APIView):
    permission_classes = [CanBook, IsRunner]

    def get_throttles(self):
        if self.request.method == "POST":
            self.throttle_scope = "booking"
            return [AnonRateThrottle(), UserRateThrottle(), ScopedRateThrottle()]
        return super().get_throttles()

    @extend_schema(
        summary="Plan my season: the sessions to book",
        description=(
            "From your races and cadence, the sessions for the next `weeks` weeks (default "
            "12, never past the clinic's booking horizon): one before each A race's window, "
            "a recovery massage after it when the clinic offers one, the cadence in "
            "between. Each passes every booking rule now and says why (`reason`, in your "
            "language; `reason_code`: before_race, after_race or cadence). Recomputed on "
            "every call: a race change re-plans. Runners only."
        ),
        parameters=[OpenApiParameter("weeks", int, description="1 to 26; default 12.")],
        responses={200: PlanSerializer, **ERROR_RESPONSES(400, 401, 403)},
    )
    def get(self, request):
        query = PlanQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        runner = runner_of(request.user)
        if runner is None:
            return Response({"weeks": query.validated_data["weeks"], "proposals": []})
        plan = season.season_plan(runner, weeks=query.validated_data["weeks"])
        return Response(plan_body(plan))

    @extend_schema(
        summary="Book the chosen proposals of the plan",
        description=(
            "Send the proposals you choose (as GET gave them: `start`, `therapist`, "
            "`service`). Each is validated on its own and the answer says which were "
            "booked and why the others were not, as `POST /sessions/series/` does: 201 "
            "when all were booked, 207 when some were, 400 (`plan_refused`) when none was. "
            "An `Idempotency-Key` makes a retry safe."
        ),
        request=PlanCreateSerializer,
        responses={
            201: SeriesResultSerializer,
            207: SeriesResultSerializer,
            400: OpenApiResponse(SeriesRefusedSerializer, description="No proposal passed."),
            **ERROR_RESPONSES(401, 403),
        },
    )
    def post(self, request):
        serializer = PlanCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        chosen = [
            (p["service"], p["therapist"], p["start"])
            for p in serializer.validated_data["proposals"]
        ]
        clinic = chosen[0][0].clinic
        runner = runner_of(request.user) or runner_get_or_create(user=request.user, clinic=clinic)
        key = _idempotency_key(request)  # room for "#n", n < MAX_PROPOSALS
        result = season.plan_book(
            runner=runner,
            chosen=chosen,
            by=request.user,
            all_or_nothing=serializer.validated_data["all_or_nothing"],
            idempotency_key=key,
        )
        booked_ids = [o.session.pk for o in result.occurrences if o.session is not None]
        sessions = Session.objects.filter(pk__in=booked_ids).select_related(
            "service", "therapist", "clinic", "runner__user"
        )
        body = series_body(
            result,
            {s.pk: s for s in sessions},
            tz=clinic.tz,
            context={"request": request, "by": request.user, "now": timezone.now()},
        )
        if body["booked"] == 0:
            body = {
                "code": "plan_refused",
                "detail": _("None of the chosen sessions could be booked."),
                **body,
            }
            return Response(body, status=status.HTTP_400_BAD_REQUEST)
        code = status.HTTP_201_CREATED if body["booked"] == len(chosen) else 207
        return Response(body, status=code)
