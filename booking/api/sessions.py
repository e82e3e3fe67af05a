"""Booking API: sessions (book, cancel, reschedule, series) and .ics.

Thin adapters: parse, call the engine (booking.engine.services, .series, .selectors), render. Refusals are
BookingError, rendered by the one exception handler (clinic.api.exceptions) as
`{"code", "detail", "suggestions"}` with 400 for a rule and 409 for a conflict.
"""

from contextlib import contextmanager

from django.db.models import Prefetch
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, renderers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle, ScopedRateThrottle, UserRateThrottle

from booking.api.permissions import CanBook
from booking.api.serializers import (
    RescheduleSerializer,
    SeriesCreateSerializer,
    SeriesRefusedSerializer,
    SeriesResultSerializer,
    SessionCreateSerializer,
    SessionDetailSerializer,
    SessionSerializer,
    series_body,
    slot_dict,
)
from booking.engine import selectors, services
from booking.engine.calendar import session_ics
from booking.engine.exceptions import BookingError
from booking.engine.rules import clinic_mismatch
from booking.engine.series import series_book
from booking.models import Session, SessionEvent
from clinic import permissions as roles
from clinic import text
from clinic.api.schema import (
    BOOK_EXAMPLES,
    ERROR_RESPONSES,
    RESCHEDULE_EXAMPLES,
    ErrorSerializer,
)
from clinic.errors import CodedError
from runners import selectors as runners_selectors
from runners.models import Runner
from runners.services import runner_get_or_create

IDEMPOTENCY_HEADER = "Idempotency-Key"
IDEMPOTENCY_MAX = 100  # the column holds 100


@contextmanager
def _localised_refusals(clinic):
    """A refusal leaves the engine with Slot suggestions; here, at the edge, they are
    rendered once, in the clinic's time, for the exception handler's JSON body."""
    try:
        yield
    except BookingError as exc:
        raise CodedError(
            exc.detail,
            code=exc.code,
            status_code=exc.status_code,
            suggestions=[slot_dict(s, clinic.tz) for s in exc.suggestions],
            extra=exc.extra,
        ) from exc


def runner_of(user) -> Runner | None:
    # A read: a runner without a profile yet has none (the first booking makes it).
    return runners_selectors.runner_of(user)


def runner_in_scope(user, runner_id: int) -> Runner:
    """Staff book for a runner of their clinic: one whose home clinic it is, or who has
    had a session there. Anyone else is `unknown_runner` (existence does not leak)."""
    runners = roles.scope(Runner.objects.select_related("user", "clinic"), user)
    runner = runners.filter(pk=runner_id).first()
    if runner is None:
        raise CodedError(
            _("There is no runner with that id at your clinic."), code="unknown_runner"
        )
    return runner


def _who_books(request, data) -> tuple[Runner, str]:
    """The runner a booking is for, and the override reason (staff only)."""
    user = request.user
    override = (data.get("override_reason") or "").strip()
    if roles.is_clinic_staff(user):
        if "runner" not in data:
            raise ValidationError(
                {"runner": [_("Say which runner this session is for.")]}, code="required"
            )
        if not roles.acts_for_clinic(user, data["service"].clinic_id):
            raise PermissionDenied(_("You can only book at your own clinic."), code="other_clinic")
        return runner_in_scope(user, data["runner"]), override
    # The first booking makes the profile, at the clinic of the service booked.
    runner = runner_of(user) or runner_get_or_create(user=user, clinic=data["service"].clinic)
    if "runner" in data and data["runner"] != runner.pk:
        raise PermissionDenied(_("You can only book sessions for yourself."), code="not_yours")
    if override:
        raise PermissionDenied(
            _("Only the clinic's staff can override a race rule."), code="override_not_allowed"
        )
    return runner, ""


def _idempotency_key(request) -> str | None:
    key = request.headers.get(IDEMPOTENCY_HEADER, "").strip() or None
    if key is None:
        return None
    if text.has_control_characters(key):
        raise ValidationError({IDEMPOTENCY_HEADER: [text.MESSAGE]}, code=text.CODE)
    # Series occurrences append "#n" to the key; leave room for it.
    if len(key) > IDEMPOTENCY_MAX - 3:
        raise CodedError(
            _("The Idempotency-Key header is too long (at most 97 characters)."),
            code="invalid_idempotency_key",
        )
    return key


class ICalendarRenderer(renderers.BaseRenderer):
    media_type = "text/calendar"
    format = "ics"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        # Only errors reach here (the .ics itself is returned as bytes): keep them JSON.
        return renderers.JSONRenderer().render(data)


SESSION_LIST_PARAMS = [
    OpenApiParameter(
        "status",
        OpenApiTypes.STR,
        enum=Session.Status.values,
        description="Only sessions with this status.",
    ),
    OpenApiParameter(
        "when",
        OpenApiTypes.STR,
        enum=["upcoming", "past"],
        description="Upcoming (soonest first) or past (latest first).",
    ),
]


@extend_schema_view(
    list=extend_schema(
        summary="Sessions",
        description="A runner sees their own; a therapist and a clinic admin their clinic's.",
        parameters=SESSION_LIST_PARAMS,
        responses={200: SessionSerializer(many=True), **ERROR_RESPONSES(400, 401, 403)},
    ),
    retrieve=extend_schema(
        summary="One session, with its history",
        responses={200: SessionDetailSerializer, **ERROR_RESPONSES(401, 403, 404)},
    ),
)
class SessionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [CanBook]
    serializer_class = SessionSerializer
    write_actions = {"create", "cancel", "reschedule", "series"}

    def get_throttles(self):
        if self.action in self.write_actions:
            self.throttle_scope = "booking"
            return [AnonRateThrottle(), UserRateThrottle(), ScopedRateThrottle()]
        return super().get_throttles()

    def get_serializer_class(self):
        return SessionDetailSerializer if self.action == "retrieve" else SessionSerializer

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "now": timezone.now(), "by": self.request.user}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Session.objects.none()
        user = self.request.user
        qs = selectors.sessions_for(user).select_related(
            "service", "therapist", "clinic", "runner__user"
        )
        if roles.is_clinic_staff(user) and (clinic_id := roles.single_clinic_id(user)) is not None:
            # Redundant with sessions_for's scope, but a constant clinic lets PostgreSQL
            # walk the (clinic, start) index instead of joining and sorting the whole
            # clinic: a 50-row page of 5,000 sessions in 0.5 ms instead of ~50 ms.
            qs = qs.filter(clinic_id=clinic_id)
        if self.action == "retrieve":
            qs = qs.prefetch_related(
                Prefetch("events", queryset=SessionEvent.objects.order_by("at", "id"))
            )
        return qs

    def filter_queryset(self, queryset):
        if self.action != "list":
            return queryset
        params = self.request.query_params
        st = params.get("status")
        if st:
            if st not in Session.Status.values:
                raise CodedError(
                    _("Unknown status. Use one of: %(values)s.")
                    % {"values": ", ".join(Session.Status.values)},
                    code="invalid_status",
                )
            queryset = queryset.filter(status=st)
        when = params.get("when")
        now = timezone.now()
        if when == "upcoming":
            queryset = queryset.filter(end__gte=now).order_by("start", "id")
        elif when == "past":
            queryset = queryset.filter(end__lt=now).order_by("-start", "-id")
        elif when:
            raise CodedError(_("Use when=upcoming or when=past."), code="invalid_when")
        else:
            queryset = queryset.order_by("start", "id")
        return queryset

    def _session_or_404(self, pk) -> Session:
        try:
            return self.get_queryset().get(pk=pk)
        except (Session.DoesNotExist, ValueError, TypeError):
            raise NotFound() from None

    def _render(self, session: Session, *, code=status.HTTP_200_OK, headers=None):
        session = self.get_queryset().get(pk=session.pk)
        return Response(
            SessionSerializer(session, context=self.get_serializer_context()).data,
            status=code,
            headers=headers,
        )

    @extend_schema(
        summary="Book a session",
        description=(
            "A runner books for themselves; a therapist or clinic admin books for a runner "
            "of their clinic (`runner`) and may pass `override_reason` to let a race rule "
            "pass. Send an `Idempotency-Key` header to make retries safe: the same key and "
            "body return the same session (201, `Idempotent-Replayed: true`), never a second "
            "one; the same key with any other body is refused (422, `idempotency_key_reused`). "
            "The answer's `warnings` says what was booked but is worth knowing "
            "(`too_soon_after_previous`); a runner books only on the slot grid (`off_grid`) "
            "and one unloading massage a day (`same_day`; staff may override with a reason)."
        ),
        parameters=[
            OpenApiParameter(
                IDEMPOTENCY_HEADER,
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                description="Up to 97 characters, unique per booking attempt.",
            )
        ],
        request=SessionCreateSerializer,
        examples=BOOK_EXAMPLES,
        responses={
            201: SessionSerializer,
            **ERROR_RESPONSES(400, 401, 403, 409, booking=True),
            422: OpenApiResponse(
                ErrorSerializer,
                description="The Idempotency-Key was already used with a different request.",
            ),
        },
    )
    def create(self, request):
        serializer = SessionCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        runner, override = _who_books(request, data)
        # The key is compared with the request in the service (session_book), under the
        # runner's lock: a retry gets its session back, another request a 422.
        with _localised_refusals(data["service"].clinic):
            session = services.session_book(
                runner=runner,
                service=data["service"],
                therapist=data["therapist"],
                start=data["start"],
                by=request.user,
                discomfort_areas=data.get("discomfort_areas", ()),
                runner_note=data.get("runner_note", ""),
                idempotency_key=_idempotency_key(request),
                override_reason=override,
            )
        if session.replayed:
            response = self._render(
                session, code=status.HTTP_201_CREATED, headers={"Idempotent-Replayed": "true"}
            )
        else:
            # Fresh from the service with everything the body shows already read (no
            # query). It has just passed the race rules under the lock (or was booked with
            # an override, which is never flagged): it clashes with no race.
            context = {**self.get_serializer_context(), "_race_conflicts": {session.pk: []}}
            response = Response(
                SessionSerializer(session, context=context).data, status=status.HTTP_201_CREATED
            )
        # Said, not refused (spacing): [{"code": "too_soon_after_previous", "detail"}].
        response.data["warnings"] = list(session.warnings)
        return response

    @extend_schema(
        summary="Cancel a session",
        description=(
            "In time (before the clinic's cancellation window) the session becomes "
            "`cancelled`; later it becomes `late_cancelled`, which counts in attendance. "
            "`cancel_outcome` on a session says which one it would be now."
        ),
        request=None,
        responses={200: SessionSerializer, **ERROR_RESPONSES(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        session = self._session_or_404(pk)
        with _localised_refusals(session.clinic):
            session = services.session_cancel(session=session, by=request.user)
        return self._render(session)

    @extend_schema(
        summary="Move a session",
        description="Re-validated like a new booking; the session keeps its history.",
        request=RescheduleSerializer,
        examples=RESCHEDULE_EXAMPLES,
        responses={
            200: SessionSerializer,
            **ERROR_RESPONSES(400, 401, 403, 404, 409, booking=True),
        },
    )
    @action(detail=True, methods=["post"])
    def reschedule(self, request, pk=None):
        session = self._session_or_404(pk)
        serializer = RescheduleSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        therapist = serializer.validated_data.get("therapist")
        override = (serializer.validated_data.get("override_reason") or "").strip()
        if override and not roles.may_override_race_rule(request.user, session.clinic_id):
            raise PermissionDenied(
                _("Only the clinic's staff can override a race rule."), code="override_not_allowed"
            )
        if therapist is not None and clinic_mismatch(
            service_clinic_id=session.clinic_id, therapist_clinic_id=therapist.clinic_id
        ):
            raise ValidationError(
                {"therapist": [_("That therapist does not work at this session's clinic.")]},
                code="therapist_other_clinic",
            )
        with _localised_refusals(session.clinic):
            session = services.session_reschedule(
                session=session,
                start=serializer.validated_data["start"],
                therapist=therapist,
                by=request.user,
                override_reason=override,
            )
        return self._render(session)

    @extend_schema(
        summary="Book my plan: a series every 14 or 30 days",
        description=(
            "Up to 6 sessions. Every occurrence is validated on its own and the answer "
            "says which were booked and why the others were not: 201 when all were "
            "booked, 207 when some were, 400 (`series_refused`) when none was."
        ),
        request=SeriesCreateSerializer,
        responses={
            201: SeriesResultSerializer,
            207: SeriesResultSerializer,
            400: OpenApiResponse(SeriesRefusedSerializer, description="No occurrence passed."),
            **ERROR_RESPONSES(401, 403),
        },
    )
    @action(detail=False, methods=["post"])
    def series(self, request):
        serializer = SeriesCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        runner, _override = _who_books(request, data)
        clinic = data["service"].clinic
        result = series_book(
            runner=runner,
            service=data["service"],
            therapist=data["therapist"],
            first_start=data["first_start"],
            every_days=int(data["every_days"]),
            count=data["count"],
            by=request.user,
            all_or_nothing=data["all_or_nothing"],
            idempotency_key=_idempotency_key(request),
            discomfort_areas=data.get("discomfort_areas", ()),
            runner_note=data.get("runner_note", ""),
        )
        booked_ids = [o.session.pk for o in result.occurrences if o.session is not None]
        sessions = {
            s.pk: s
            for s in Session.objects.filter(pk__in=booked_ids).select_related(
                "service", "therapist", "clinic", "runner__user"
            )
        }
        body = series_body(result, sessions, tz=clinic.tz, context=self.get_serializer_context())
        booked, occurrences = body["booked"], body["occurrences"]
        if booked == 0:
            body = {
                "code": "series_refused",
                "detail": _("None of the sessions in this plan could be booked."),
                **body,
            }
            return Response(body, status=status.HTTP_400_BAD_REQUEST)
        code = status.HTTP_201_CREATED if booked == len(occurrences) else 207
        return Response(body, status=code)

    @extend_schema(
        summary="The session as an iCalendar (.ics) file",
        responses={
            (200, "text/calendar"): OpenApiResponse(OpenApiTypes.BINARY),
            **ERROR_RESPONSES(401, 403, 404),
        },
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="ics",
        renderer_classes=[renderers.JSONRenderer, ICalendarRenderer],
    )
    def ics(self, request, pk=None):
        session = self._session_or_404(pk)
        response = HttpResponse(session_ics(session), content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="session-{session.pk}.ics"'
        return response
