from django.urls import path

from runners import training_views, views, zones

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
    path("trainings/", training_views.training_list, name="trainings"),
    path("trainings/<int:pk>/edit/", training_views.training_edit, name="training_edit"),
    path("trainings/<int:pk>/delete/", training_views.training_delete, name="training_delete"),
    path("trainings/import/", training_views.training_import, name="training_import"),
    path(
        "trainings/import/preview/",
        training_views.training_import_preview,
        name="training_import_preview",
    ),
    path(
        "trainings/import/cancel/",
        training_views.training_import_cancel,
        name="training_import_cancel",
    ),
    path("self-care/", views.selfcare, name="selfcare"),
]
