"""Staff pages under /staff/."""

from django.urls import path

from booking.staff.pages import (
    agenda,
    billing,
    calendar,
    profile,
    reports,
    schedule,
    sessions,
    waitlist,
)

app_name = "staff"

urlpatterns = [
    path("", agenda.home, name="home"),
    path("agenda/", agenda.agenda_day, name="agenda"),
    path("agenda/week/", agenda.agenda_week, name="agenda-week"),
    path("calendar/", calendar.calendar_day, name="calendar"),
    path("calendar/week/", calendar.calendar_week, name="calendar-week"),
    path("sessions/new/", sessions.session_book, name="book"),
    path("sessions/<int:pk>/", agenda.session_detail, name="session"),
    path("sessions/<int:pk>/attendance/", agenda.session_attendance, name="attendance"),
    path("sessions/<int:pk>/move/", sessions.session_move, name="session-move"),
    path("sessions/<int:pk>/cancel/", sessions.session_cancel, name="session-cancel"),
    path("waitlist/", waitlist.waitlist_day, name="waitlist"),
    path("waitlist/<int:pk>/offer/", waitlist.waitlist_offer, name="waitlist-offer"),
    path("profile/", profile.profile, name="profile"),
    path("schedule/", schedule.working_hours, name="hours"),
    path("schedule/time-off/", schedule.time_off, name="time-off"),
    path("schedule/time-off/<int:pk>/", schedule.time_off_edit, name="time-off-edit"),
    path("schedule/time-off/<int:pk>/delete/", schedule.time_off_delete, name="time-off-delete"),
    path("schedule/in-the-way/", schedule.in_the_way, name="in-the-way"),
    path("reports/", reports.dashboard, name="dashboard"),
    path("reports/adherence/", reports.adherence, name="adherence"),
    path("reports/adherence/<int:runner_id>/remind/", reports.remind_now, name="remind"),
    path("reports/attendance.csv", reports.export_report, name="export-report"),
    path("reports/sessions.csv", reports.export_sessions, name="export-sessions"),
    path("packs/", billing.offers, name="billing"),
    path("packs/new/", billing.offer_edit, name="billing-offer-new"),
    path("packs/<int:pk>/", billing.offer_edit, name="billing-offer"),
    path("packs/runners/<int:runner_id>/", billing.runner_credits, name="billing-runner"),
    path("packs/runners/<int:runner_id>/adjust/", billing.runner_adjust, name="billing-adjust"),
    path("packs/memberships/<int:pk>/", billing.membership_status, name="billing-membership"),
    path("packs/sales/<int:pk>/payment/", billing.sale_payment, name="billing-payment"),
    path("reports/packs/", billing.billing_report, name="billing-report"),
    path("reports/packs.csv", billing.billing_report_csv, name="billing-report-csv"),
]
