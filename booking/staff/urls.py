"""Staff pages under /staff/."""

from django.urls import path

from .staff import views

app_name = "staff"

urlpatterns = [
    path("", views.home, name="home"),
    path("agenda/", views.agenda_day, name="agenda"),
    path("agenda/week/", views.agenda_week, name="agenda-week"),
    path("sessions/<int:pk>/", views.session_detail, name="session"),
    path("sessions/<int:pk>/attendance/", views.session_attendance, name="attendance"),
    path("sessions/<int:pk>/move/", views.session_move, name="session-move"),
    path("sessions/<int:pk>/cancel/", views.session_cancel, name="session-cancel"),
    path("schedule/", views.working_hours, name="hours"),
    path("schedule/time-off/", views.time_off, name="time-off"),
    path("schedule/time-off/<int:pk>/delete/", views.time_off_delete, name="time-off-delete"),
    path("schedule/in-the-way/", views.in_the_way, name="in-the-way"),
    path("reports/", views.dashboard, name="dashboard"),
    path("reports/adherence/", views.adherence, name="adherence"),
    path("reports/attendance.csv", views.export_report, name="export-report"),
    path("reports/sessions.csv", views.export_sessions, name="export-sessions"),
]
