from django.contrib import admin

from clinic.admin import ClinicScopedAdmin, ReadOnlyInline
from runners import services
from runners.models import Race, Runner

RACE_FIELDS = ["runner", "name", "start", "finish", "distance_km", "priority", "location"]


class RaceInline(ReadOnlyInline):
    """The runner's race log, to read; a race is changed in its own page (the service)."""

    model = Race
    fields = RACE_FIELDS[1:]
    readonly_fields = fields


@admin.register(Runner)
class RunnerAdmin(ClinicScopedAdmin):
    list_display = ["__str__", "user", "clinic", "cadence", "reminders_opt_in"]
    list_filter = ["clinic", "cadence", "reminders_opt_in"]
    search_fields = ["user__email", "user__first_name", "user__last_name", "phone"]
    list_select_related = ["user", "clinic"]
    ordering = ["user__last_name", "user__first_name", "pk"]
    raw_id_fields = ["user", "preferred_therapist"]
    inlines = [RaceInline]

    def get_readonly_fields(self, request, obj=None):
        # A profile belongs to one account for good.
        return ["user"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        profile = {f: form.cleaned_data[f] for f in services.PROFILE_FIELDS if f in form.fields}
        runner = obj if change else services.runner_create(user=obj.user, clinic=obj.clinic)
        services.runner_update_profile(runner=runner, **profile)
        obj.pk = runner.pk


@admin.register(Race)
class RaceAdmin(ClinicScopedAdmin):
    list_display = ["name", "runner", "start", "distance_km", "priority"]
    list_filter = ["priority"]
    search_fields = ["name", "runner__user__email"]
    date_hierarchy = "start"
    list_select_related = ["runner__user"]
    raw_id_fields = ["runner"]
    fields = RACE_FIELDS

    def get_readonly_fields(self, request, obj=None):
        return ["runner"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        data = {f: form.cleaned_data[f] for f in RACE_FIELDS[1:] if f in form.cleaned_data}
        if change:
            services.race_update(race=obj, **data)
        else:
            obj.pk = services.race_create(runner=obj.runner, **data).pk

    def delete_model(self, request, obj):
        services.race_delete(race=obj)
