"""Staff API routes (working hours, time off, attendance, reports)."""

from django.urls import path

from booking.staff.api import views

urlpatterns = [
    path(
        "therapists/<int:therapist_id>/working-hours/",
        views.WorkingHoursView.as_view(),
        name="api-working-hours",
    ),
    path(
        "therapists/<int:therapist_id>/time-off/",
        views.TimeOffView.as_view(),
        name="api-time-off",
    ),
    path(
        "therapists/<int:therapist_id>/time-off/<int:pk>/",
        views.TimeOffDetailView.as_view(),
        name="api-time-off-detail",
    ),
    path(
        "sessions/<int:session_id>/attendance/",
        views.AttendanceView.as_view(),
        name="api-session-attendance",
    ),
    path("reports/attendance/", views.AttendanceReportView.as_view(), name="api-report-attendance"),
]
