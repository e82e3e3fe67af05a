from django.urls import path

from runners import views, zones

app_name = "runners"

urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("races/", views.race_list, name="races"),
    path("races/add/", views.race_add, name="race_add"),
    path("races/<int:pk>/edit/", views.race_edit, name="race_edit"),
    path("races/<int:pk>/delete/", views.race_delete, name="race_delete"),
    path("races/import/", views.race_import, name="race_import"),
    path("races/import/preview/", views.race_import_preview, name="race_import_preview"),
    path("races/import/cancel/", views.race_import_cancel, name="race_import_cancel"),
    path("time-zones.json", zones.zone_list, name="time_zones"),
    path("self-care/", views.selfcare, name="selfcare"),
]
