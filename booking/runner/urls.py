from django.urls import path

from . import views

app_name = "booking"

urlpatterns = [
    path("book/", views.book_start, name="book"),
    path("book/<int:service_id>/", views.book_slots, name="book_slots"),
    path("book/<int:service_id>/confirm/", views.book_confirm, name="book_confirm"),
    path("sessions/", views.my_sessions, name="my_sessions"),
    path("sessions/<int:pk>/", views.session_detail, name="session_detail"),
    path("sessions/<int:pk>/calendar.ics", views.session_calendar, name="session_ics"),
    path("sessions/<int:pk>/cancel/", views.session_cancel, name="session_cancel"),
    path("sessions/<int:pk>/reschedule/", views.session_reschedule, name="session_reschedule"),
    path(
        "sessions/<int:pk>/reschedule/confirm/",
        views.session_reschedule_confirm,
        name="session_reschedule_confirm",
    ),
]
