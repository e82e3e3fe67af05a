"""Staff API: working hours, time off, attendance, the attendance report.

Thin adapters: parse, check who may, call a service or a report, render.
"""

from datetime import date, datetime, timedelta

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from booking.engine.rules import clinic_mismatch
from booking.engine.selectors import staff_sessions
from booking.staff import reports
from booking.staff.api.permissions import IsClinicAdmin, IsClinicStaff
from booking.staff.api.serializers import (
    AttendanceInSerializer,
    AttendanceOutSerializer,
    BadRequest,
    InTheWaySerializer,
    ReportSerializer,
    TimeOffListSerializer,
    TimeOffSerializer,
    WorkingHoursInSerializer,
    WorkingHoursOutSerializer,
)
from booking.staff.selectors import sessions_in_the_way
from booking.staff.services import session_mark_attendance
from clinic import selectors
from clinic import services as schedule
from clinic.models import TimeOff


def _hours_payload(therapist, on: date, in_the_way=None) -> dict:
    rows = schedule.hours_on(therapist=therapist, on=on)
    payload = {
        "therapist": therapist.pk,
        "timezone": therapist.clinic.timezone,
        "on": on.isoformat(),
        "intervals": [
            {"weekday": r.weekday, "start": f"{r.start_time:%H:%M}", "end": f"{r.end_time:%H:%M}"}
            for r in rows
        ],
        "valid_from": max((r.valid_from for r in rows if r.valid_from), default=None),
    }
    if in_the_way is not None:
        payload["sessions_in_the_way"] = InTheWaySerializer(in_the_way, many=True).data
    return payload


def _parse_date(value: str | None, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadRequest(
            _("%(name)s must be a date like 2026-01-31.") % {"name": name}, code="invalid_date"
        ) from None


class WorkingHoursView(APIView):
    """A therapist's weekly working hours (clinic-local times; breaks are the gaps)."""

    permission_classes = [IsAuthenticated, IsClinicStaff]

    @extend_schema(
        parameters=[OpenApiParameter("on", str, description="date the hours are in force")],
        responses=WorkingHoursOutSerializer,
    )
    def get(self, request, therapist_id: int):
        therapist = selectors.therapist_for_schedule(request.user, therapist_id)
        on = (
            _parse_date(request.query_params.get("on"), "on")
            or timezone.now().astimezone(therapist.clinic.tz).date()
        )
        return Response(_hours_payload(therapist, on))

    @extend_schema(request=WorkingHoursInSerializer, responses=WorkingHoursOutSerializer)
    def put(self, request, therapist_id: int):
        therapist = selectors.therapist_for_schedule(request.user, therapist_id)
        data = WorkingHoursInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        valid_from = data.validated_data["valid_from"]
        today = timezone.now().astimezone(therapist.clinic.tz).date()
        if valid_from < today:
            raise BadRequest(
                _("New hours apply from today or a later date."), code="valid_from_in_past"
            )
        schedule.working_hours_replace(
            therapist=therapist,
            intervals=[
                schedule.Interval(i["weekday"], i["start"], i["end"])
                for i in data.validated_data["intervals"]
            ],
            valid_from=valid_from,
            by=request.user,
        )
        since = datetime.combine(valid_from, datetime.min.time(), tzinfo=therapist.clinic.tz)
        return Response(
            _hours_payload(
                therapist, valid_from, sessions_in_the_way(therapist=therapist, since=since)
            )
        )


class TimeOffView(APIView):
    """A therapist's time off (upcoming by default; ?all=1 for the past too)."""

    permission_classes = [IsAuthenticated, IsClinicStaff]

    @extend_schema(parameters=[OpenApiParameter("all", bool)], responses=TimeOffListSerializer)
    def get(self, request, therapist_id: int):
        therapist = selectors.therapist_for_schedule(request.user, therapist_id)
        qs = TimeOff.objects.filter(therapist=therapist).order_by("start")
        if request.query_params.get("all") not in ("1", "true"):
            qs = qs.filter(end__gt=timezone.now())
        return Response({"results": TimeOffSerializer(qs, many=True).data})

    @extend_schema(request=TimeOffSerializer, responses=TimeOffSerializer)
    def post(self, request, therapist_id: int):
        therapist = selectors.therapist_for_schedule(request.user, therapist_id)
        data = TimeOffSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        off = schedule.time_off_add(therapist=therapist, by=request.user, **data.validated_data)
        in_the_way = [
            w
            for w in sessions_in_the_way(therapist=therapist, since=off.start)
            if w.time_off is not None and w.time_off.pk == off.pk
        ]
        body = TimeOffSerializer(off).data
        body["sessions_in_the_way"] = InTheWaySerializer(in_the_way, many=True).data
        return Response(body, status=status.HTTP_201_CREATED)


class TimeOffDetailView(APIView):
    permission_classes = [IsAuthenticated, IsClinicStaff]

    @extend_schema(responses={204: None})
    def delete(self, request, therapist_id: int, pk: int):
        therapist = selectors.therapist_for_schedule(request.user, therapist_id)
        off = get_object_or_404(TimeOff, pk=pk, therapist=therapist)
        schedule.time_off_remove(time_off=off, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class AttendanceView(APIView):
    """Mark a session attended, no-show or cancelled late, with what was treated."""

    permission_classes = [IsAuthenticated, IsClinicStaff]

    @extend_schema(request=AttendanceInSerializer, responses=AttendanceOutSerializer)
    def post(self, request, session_id: int):
        session = get_object_or_404(staff_sessions(request.user), pk=session_id)
        data = AttendanceInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        session = session_mark_attendance(
            session=session,
            status=v["status"],
            by=request.user,
            areas_treated=v.get("areas_treated"),
            mobilisation_done=v.get("mobilisation_done"),
            discomfort_before=v.get("discomfort_before"),
            discomfort_after=v.get("discomfort_after"),
            note=v.get("note"),
        )
        return Response(AttendanceOutSerializer(session).data)


class AttendanceReportView(APIView):
    """Booked, attended, no-show, cancelled and late-cancelled sessions, and the attendance
    rate, by week or month of the clinic's local calendar (clinic admins)."""

    permission_classes = [IsAuthenticated, IsClinicAdmin]

    @extend_schema(
        parameters=[
            OpenApiParameter("start", str, required=True),
            OpenApiParameter("end", str, required=True),
            OpenApiParameter("clinic", int),
            OpenApiParameter("therapist", int),
            OpenApiParameter("group_by", str, enum=["week", "month"]),
        ],
        responses=ReportSerializer,
    )
    def get(self, request):
        q = request.query_params
        clinic_id = q.get("clinic")
        if clinic_id:
            clinic = selectors.clinic_for_staff(request.user, clinic_id)
        elif request.user.clinic_id:
            clinic = selectors.clinic_for_staff(request.user, request.user.clinic_id)
        else:
            raise BadRequest(_("Choose a clinic."), code="clinic_required")
        today = timezone.now().astimezone(clinic.tz).date()
        end = _parse_date(q.get("end"), "end") or today
        start = _parse_date(q.get("start"), "start") or end - timedelta(days=89)
        if end < start:
            raise BadRequest(_("The end comes before the start."), code="end_before_start")
        if (end - start).days > 366 * 3:
            raise BadRequest(_("Choose a period of up to three years."), code="period_too_long")
        group_by = q.get("group_by", "week")
        if group_by not in reports.GROUPS:
            raise BadRequest(_("group_by is week or month."), code="invalid_group_by")
        therapist = None
        if q.get("therapist"):
            therapist = selectors.therapist_for_staff(request.user, q["therapist"])
            if clinic_mismatch(
                service_clinic_id=clinic.pk, therapist_clinic_id=therapist.clinic_id
            ):
                raise BadRequest(
                    _("That therapist works at another clinic."), code="therapist_not_in_clinic"
                )
        report = reports.attendance_report(
            clinic=clinic, start=start, end=end, group_by=group_by, therapist=therapist
        )
        return Response(report.as_dict())
