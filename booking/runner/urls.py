from django.urls import path

from booking.runner import booking, feeds, plan, sessions, waitlist

app_name = "booking"

urlpatterns = [
    path("book/", booking.book_start, name="book"),
    path("book/<int:service_id>/", booking.book_slots, name="book_slots"),
    path("book/<int:service_id>/month/", booking.book_month, name="book_month"),
    path("book/<int:service_id>/confirm/", booking.book_confirm, name="book_confirm"),
    path("plan/", plan.plan_page, name="plan"),
    path("sessions/", sessions.my_sessions, name="my_sessions"),
    path("sessions/<int:pk>/", sessions.session_detail, name="session_detail"),
    path("sessions/<int:pk>/calendar.ics", sessions.session_calendar, name="session_ics"),
    path("sessions/<int:pk>/cancel/", sessions.session_cancel, name="session_cancel"),
    path("sessions/<int:pk>/reschedule/", sessions.session_reschedule, name="session_reschedule"),
    path("waitlist/", waitlist.waitlist_page, name="waitlist"),
    path("waitlist/<int:pk>/leave/", waitlist.waitlist_leave, name="waitlist_leave"),
    path("calendar/feed/", feeds.calendar_feed_settings, name="calendar_feed_settings"),
    path("calendar/feed/<str:token>.ics", feeds.calendar_feed, name="calendar_feed"),
    path(
        "sessions/<int:pk>/reschedule/month/",
        sessions.session_reschedule_month,
        name="session_reschedule_month",
    ),
    path(
        "sessions/<int:pk>/reschedule/confirm/",
        sessions.session_reschedule_confirm,
        name="session_reschedule_confirm",
    ),
]
