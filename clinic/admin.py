from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Clinic, RaceWindow, Service, Therapist, TimeOff, User, WorkingHours


class ClinicScopedAdmin(admin.ModelAdmin):
    """A clinic admin sees and edits only their own clinic's rows; a superuser sees all.

    `clinic_lookup` is the path from the model to its clinic.
    """

    clinic_lookup = "clinic"

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        user = request.user
        if user.is_superuser:
            return qs
        if user.clinic_id:
            return qs.filter(**{self.clinic_lookup: user.clinic_id})
        therapist = getattr(user, "therapist", None)
        if therapist is not None:
            return qs.filter(**{self.clinic_lookup: therapist.clinic_id})
        return qs.none()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        user = request.user
        if not user.is_superuser and user.clinic_id:
            model = db_field.related_model
            if model is Clinic:
                kwargs["queryset"] = Clinic.objects.filter(pk=user.clinic_id)
            elif model in (Therapist, Service):
                kwargs["queryset"] = model.objects.filter(clinic_id=user.clinic_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        # A clinic admin's new rows belong to their clinic, whatever was posted.
        user = request.user
        if not user.is_superuser and user.clinic_id and self.clinic_lookup == "clinic":
            obj.clinic_id = user.clinic_id
        super().save_model(request, obj, form, change)


class ScopedRelatedFilter(admin.RelatedOnlyFieldListFilter):
    """Offers only the related rows that appear in the admin's (clinic-scoped) rows, so a
    clinic admin never sees another clinic's names in a filter."""


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "role", "clinic", "is_active", "is_staff"]
    list_filter = ["role", "clinic", "is_active", "is_staff", "is_superuser"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "language")}),
        (_("Role"), {"fields": ("role", "clinic")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "role", "password1", "password2")}),
    )
    readonly_fields = ["last_login", "date_joined"]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser or obj is None:
            return fieldsets
        # A clinic admin manages people of their clinic; granting permissions or
        # superuser status is for superusers only.
        return [
            (name, {**opts, "fields": [f for f in opts["fields"] if f not in self.SUPER_ONLY]})
            for name, opts in fieldsets
        ]

    SUPER_ONLY = ("is_superuser", "groups", "user_permissions")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "clinic" and not request.user.is_superuser:
            kwargs["queryset"] = Clinic.objects.filter(pk=request.user.clinic_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_list_filter(self, request):
        if request.user.is_superuser:
            return self.list_filter
        return ["role", "is_active", "is_staff"]

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        if request.user.clinic_id:
            cid = request.user.clinic_id
            from django.db.models import Q

            return qs.filter(
                Q(clinic_id=cid) | Q(therapist__clinic_id=cid) | Q(runner__clinic_id=cid)
            ).distinct()
        return qs.filter(pk=request.user.pk)


class RaceWindowInline(admin.TabularInline):
    model = RaceWindow
    extra = 0


@admin.register(Clinic)
class ClinicAdmin(ClinicScopedAdmin):
    clinic_lookup = "pk"
    list_display = [
        "name",
        "slug",
        "timezone",
        "min_notice_minutes",
        "cancellation_window_hours",
        "after_race_hours",
        "before_race_hours",
    ]
    list_filter = ["timezone"]
    search_fields = ["name", "slug", "address", "email", "phone"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [RaceWindowInline]
    fieldsets = (
        (None, {"fields": ("name", "slug", "timezone", "address", "phone", "email", "currency")}),
        (
            _("Booking policy"),
            {
                "fields": (
                    "min_notice_minutes",
                    "max_days_ahead",
                    "cancellation_window_hours",
                    "buffer_minutes",
                    "slot_step_minutes",
                    "reminder_hour",
                )
            },
        ),
        (_("Race windows (defaults)"), {"fields": ("after_race_hours", "before_race_hours")}),
    )


class WorkingHoursInline(admin.TabularInline):
    model = WorkingHours
    extra = 0
    ordering = ["-valid_from", "weekday", "start_time"]


class TimeOffInline(admin.TabularInline):
    model = TimeOff
    extra = 0
    ordering = ["-start"]


@admin.register(Therapist)
class TherapistAdmin(ClinicScopedAdmin):
    list_display = ["display_name", "user_email", "clinic", "specialties", "active"]
    list_filter = [("clinic", ScopedRelatedFilter), "active"]
    list_editable = ["active"]
    search_fields = [
        "display_name",
        "user__email",
        "user__first_name",
        "user__last_name",
        "specialties",
        "qualifications",
    ]
    list_select_related = ["clinic", "user"]
    raw_id_fields = ["user"]
    inlines = [WorkingHoursInline, TimeOffInline]

    @admin.display(description=_("e-mail"), ordering="user__email")
    def user_email(self, obj):
        return obj.user.email


@admin.register(Service)
class ServiceAdmin(ClinicScopedAdmin):
    list_display = ["name", "clinic", "duration_minutes", "price", "active"]
    list_filter = [("clinic", ScopedRelatedFilter), "active", "duration_minutes"]
    list_editable = ["active"]
    search_fields = ["name", "description"]
    list_select_related = ["clinic"]


@admin.register(WorkingHours)
class WorkingHoursAdmin(ClinicScopedAdmin):
    clinic_lookup = "therapist__clinic"
    list_display = ["therapist", "weekday", "start_time", "end_time", "valid_from", "valid_until"]
    list_filter = [
        ("therapist__clinic", ScopedRelatedFilter),
        ("therapist", ScopedRelatedFilter),
        "weekday",
        ("valid_from", admin.EmptyFieldListFilter),
        ("valid_until", admin.EmptyFieldListFilter),
    ]
    search_fields = ["therapist__display_name"]
    list_select_related = ["therapist"]


@admin.register(TimeOff)
class TimeOffAdmin(ClinicScopedAdmin):
    clinic_lookup = "therapist__clinic"
    list_display = ["therapist", "start", "end", "reason"]
    list_filter = [("therapist__clinic", ScopedRelatedFilter), ("therapist", ScopedRelatedFilter)]
    search_fields = ["therapist__display_name", "reason"]
    date_hierarchy = "start"
    list_select_related = ["therapist"]
