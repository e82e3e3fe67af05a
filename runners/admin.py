from django.contrib import admin

from clinic.admin import ClinicScopedAdmin

from .models import Race, Runner


class RaceInline(admin.TabularInline):
    model = Race
    extra = 0


@admin.register(Runner)
class RunnerAdmin(ClinicScopedAdmin):
    list_display = ["__str__", "user", "clinic", "cadence", "reminders_opt_in"]
    list_filter = ["clinic", "cadence", "reminders_opt_in"]
    search_fields = ["user__email", "user__first_name", "user__last_name", "phone"]
    list_select_related = ["user", "clinic"]
    raw_id_fields = ["user", "preferred_therapist"]
    inlines = [RaceInline]


@admin.register(Race)
class RaceAdmin(ClinicScopedAdmin):
    clinic_lookup = "runner__clinic"
    list_display = ["name", "runner", "start", "distance_km", "priority"]
    list_filter = ["priority"]
    search_fields = ["name", "runner__user__email"]
    date_hierarchy = "start"
    list_select_related = ["runner__user"]
    raw_id_fields = ["runner"]
