from django.contrib import admin
from django.contrib.admin.utils import get_fields_from_path
from django.contrib.admin.widgets import ForeignKeyRawIdWidget
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet, BaseModelFormSet
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from clinic import permissions, services
from clinic.admin_forms import ServiceWriteAdminMixin, ServiceWriteForm
from clinic.models import Clinic, RaceWindow, Service, Therapist, TimeOff, User, WorkingHours


class ScopedRawIdWidget(ForeignKeyRawIdWidget):
    """A raw id box that names only a row the requester may see: Django's own widget
    prints the name of whatever row an id typed in (or posted) points to."""

    def __init__(self, rel, admin_site, *, user, **kwargs):
        super().__init__(rel, admin_site, **kwargs)
        self.user = user

    def label_and_url_for_value(self, value):
        key = self.rel.get_related_field().name
        visible = permissions.scope(self.rel.model._default_manager.using(self.db), self.user)
        try:
            if not visible.filter(**{key: value}).exists():
                return "", ""
        except (ValueError, ValidationError):
            return "", ""
        return super().label_and_url_for_value(value)


def _scoped_field(field, user):
    if field is not None and hasattr(field, "queryset"):
        field.queryset = permissions.scope(field.queryset, user)
    return field


class ScopedFormSetMixin:
    """Each row's hidden id is checked against the requester's rows as well: Django's
    formsets accept the id of any row of the table there."""

    requester = None

    def add_fields(self, form, index):
        super().add_fields(form, index)
        _scoped_field(form.fields.get(self._pk_field.name), self.requester)


class ScopedModelFormSet(ScopedFormSetMixin, BaseModelFormSet):
    pass


class ScopedInlineFormSet(ScopedFormSetMixin, BaseInlineFormSet):
    pass


class ClinicScopedMixin:
    """What clinic.permissions allows, on every door of a ModelAdmin or inline: its rows
    (list, object pages, history, delete, the raw-id popup, autocomplete), every relation
    choice (raw ids too: the posted id is checked against the scoped choices) and every
    relation filter. Only superusers and clinic admins use the admin at all.

    The admin site makes any ModelAdmin without `clinic_scoped` superuser-only.
    """

    clinic_scoped = True

    def _may_use(self, request) -> bool:
        return permissions.may_use_admin(request.user)

    def has_module_permission(self, request):
        return self._may_use(request) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return self._may_use(request) and super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args, **kwargs):
        return self._may_use(request) and super().has_add_permission(request, *args, **kwargs)

    def has_change_permission(self, request, obj=None):
        return self._may_use(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._may_use(request) and super().has_delete_permission(request, obj)

    def get_queryset(self, request):
        return permissions.scope(super().get_queryset(request), request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.raw_id_fields and "widget" not in kwargs:
            kwargs["widget"] = ScopedRawIdWidget(
                db_field.remote_field, self.admin_site, user=request.user, using=kwargs.get("using")
            )
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        return _scoped_field(field, request.user)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        return _scoped_field(field, request.user)

    def get_changelist_formset(self, request, **kwargs):
        formset = super().get_changelist_formset(request, formset=ScopedModelFormSet, **kwargs)
        formset.requester = request.user  # a class made for this request
        return formset

    def get_list_filter(self, request):
        return [self._scoped_filter(spec) for spec in super().get_list_filter(request)]

    def _scoped_filter(self, spec):
        """A filter on a relation offers only the related rows among the (scoped) rows
        listed: Django's default offers every row of the related table."""
        if isinstance(spec, str):
            path, filter_class = spec, None
        elif isinstance(spec, list | tuple):
            path, filter_class = spec
        else:
            return spec
        if filter_class is not None and (
            issubclass(filter_class, admin.RelatedOnlyFieldListFilter)
            or not issubclass(filter_class, admin.RelatedFieldListFilter)
        ):
            return spec
        if get_fields_from_path(self.model, path)[-1].is_relation:
            return (path, admin.RelatedOnlyFieldListFilter)
        return spec


class ClinicScopedInline(ClinicScopedMixin, admin.TabularInline):
    formset = ScopedInlineFormSet

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.requester = request.user  # a class made for this request
        return formset


class ClinicScopedAdmin(ClinicScopedMixin, admin.ModelAdmin):
    """Saves and deletes go through the owning app's service (`write`, `delete_model`), so
    validation, locks and cache invalidation happen as on the API and the pages."""

    def save_model(self, request, obj, form, change):
        # A clinic admin's new rows belong to their clinic, whatever was posted.
        clinic_id = permissions.single_clinic_id(request.user)
        field = next((f for f in self.model._meta.concrete_fields if f.name == "clinic"), None)
        if clinic_id is not None and field is not None and field.related_model is Clinic:
            obj.clinic_id = clinic_id
        self.write(request, obj)

    def write(self, request, obj) -> None:
        obj.save()

    def delete_queryset(self, request, queryset):
        # The bulk action deletes row by row, each through delete_model (the service).
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(User)
class UserAdmin(ClinicScopedMixin, BaseUserAdmin):
    """A clinic admin sees the people of their clinic (clinic.permissions.users_visible_to)
    and changes only those it lets them manage; never a superuser, never another clinic's
    staff, never anyone's staff or superuser flag, groups or permissions."""

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
    SUPER_ONLY = ("is_staff", "is_superuser", "groups", "user_permissions")

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if permissions.is_superuser(request.user):
            return fieldsets
        return [
            (name, {**opts, "fields": [f for f in opts["fields"] if f not in self.SUPER_ONLY]})
            for name, opts in fieldsets
        ]

    def get_list_display(self, request):
        fields = super().get_list_display(request)
        if permissions.is_superuser(request.user):
            return fields
        return [f for f in fields if f not in self.SUPER_ONLY]

    def get_list_filter(self, request):
        if permissions.is_superuser(request.user):
            return super().get_list_filter(request)
        return ["role", "is_active"]

    def has_change_permission(self, request, obj=None):
        # Also guards the password form (UserAdmin.user_change_password asks this).
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or permissions.may_manage_user(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or permissions.may_manage_user(request.user, obj))

    def save_model(self, request, obj, form, change):
        clinic_id = permissions.single_clinic_id(request.user)
        if not change and clinic_id is not None:
            # Someone a clinic admin adds belongs to that clinic (and stays in its list).
            obj.clinic_id = clinic_id
        super().save_model(request, obj, form, change)


class RaceWindowInline(ClinicScopedInline):
    model = RaceWindow
    extra = 0


class ReadOnlyInline(ClinicScopedInline):
    """Rows to read on their parent's page; each is changed on its own page, whose form
    is the service's (overlaps are refused there, the availability refreshed)."""

    extra = 0
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Clinic)
class ClinicAdmin(ClinicScopedAdmin):
    list_display = [
        "name",
        "slug",
        "timezone",
        "min_notice_minutes",
        "cancellation_window_hours",
        "rest_days_before_race",
        "after_race_hours",
        "days_after_race",
    ]
    list_filter = ["timezone"]
    search_fields = ["name", "slug", "address", "email", "phone"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [RaceWindowInline]

    def write(self, request, obj) -> None:
        services.clinic_save(clinic=obj, by=request.user)

    def delete_model(self, request, obj):
        services.clinic_delete(clinic=obj, by=request.user)

    def save_formset(self, request, form, formset, change):
        # The race windows, through the service too.
        formset.save(commit=False)
        for window in formset.deleted_objects:
            services.race_window_delete(window=window, by=request.user)
        for window in [*formset.new_objects, *(obj for obj, _fields in formset.changed_objects)]:
            services.race_window_save(window=window, by=request.user)

    fieldsets = (
        (None, {"fields": ("name", "slug", "timezone", "address", "phone", "email", "currency")}),
        (_("Branding"), {"fields": ("accent_colour", "logo")}),
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
        (
            _("Race windows (defaults)"),
            {"fields": ("rest_days_before_race", "after_race_hours", "days_after_race")},
        ),
        (
            _("Demanding trainings"),
            {
                "fields": (
                    "after_training_hours",
                    "demanding_rpe",
                    "demanding_ratio_percent",
                    "demanding_minutes",
                    "demanding_km",
                )
            },
        ),
    )


class WorkingHoursInline(ReadOnlyInline):
    model = WorkingHours
    fields = ["weekday", "start_time", "end_time", "valid_from", "valid_until"]
    ordering = ["-valid_from", "weekday", "start_time"]


class TimeOffInline(ReadOnlyInline):
    model = TimeOff
    fields = ["start", "end", "reason"]
    ordering = ["-start"]


@admin.register(Therapist)
class TherapistAdmin(TranslationAdmin, ClinicScopedAdmin):
    """Qualifications, specialties and bio in English and Spanish (clinic/translation.py)."""

    list_display = ["display_name", "user_email", "clinic", "specialties", "active"]
    list_filter = ["clinic", "active"]
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

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "user":
            # Whose account becomes a therapist's: someone the requester may manage (never
            # a superuser or another clinic's staff, who would then show in their lists).
            field.queryset = permissions.users_manageable_by(request.user, field.queryset)
        return field

    @admin.display(description=_("e-mail"), ordering="user__email")
    def user_email(self, obj):
        return obj.user.email

    def write(self, request, obj) -> None:
        services.therapist_save(therapist=obj, by=request.user)

    def delete_model(self, request, obj):
        services.therapist_delete(therapist=obj, by=request.user)


@admin.register(Service)
class ServiceAdmin(TranslationAdmin, ClinicScopedAdmin):
    """Name and description in English and Spanish (clinic/translation.py)."""

    list_display = ["name", "clinic", "kind", "duration_minutes", "price", "active"]
    list_filter = ["clinic", "active", "duration_minutes"]
    list_editable = ["active"]
    search_fields = ["name", "description"]
    list_select_related = ["clinic"]

    def write(self, request, obj) -> None:
        services.service_save(service=obj, by=request.user)

    def delete_model(self, request, obj):
        services.service_delete(service=obj, by=request.user)


class WorkingHoursForm(ServiceWriteForm):
    def write(self) -> WorkingHours:
        return services.working_hours_save(row=self.instance, by=self.by)


class TimeOffForm(ServiceWriteForm):
    def write(self) -> TimeOff:
        return services.time_off_save(time_off=self.instance, by=self.by)


@admin.register(WorkingHours)
class WorkingHoursAdmin(ServiceWriteAdminMixin, ClinicScopedAdmin):
    form = WorkingHoursForm
    list_display = ["therapist", "weekday", "start_time", "end_time", "valid_from", "valid_until"]
    list_filter = [
        "therapist__clinic",
        "therapist",
        "weekday",
        ("valid_from", admin.EmptyFieldListFilter),
        ("valid_until", admin.EmptyFieldListFilter),
    ]
    search_fields = ["therapist__display_name"]
    list_select_related = ["therapist"]

    def delete_model(self, request, obj):
        services.working_hours_delete(row=obj, by=request.user)


@admin.register(TimeOff)
class TimeOffAdmin(ServiceWriteAdminMixin, ClinicScopedAdmin):
    form = TimeOffForm
    list_display = ["therapist", "start", "end", "reason"]
    list_filter = ["therapist__clinic", "therapist"]
    search_fields = ["therapist__display_name", "reason"]
    date_hierarchy = "start"
    list_select_related = ["therapist"]

    def delete_model(self, request, obj):
        services.time_off_remove(time_off=obj, by=request.user)
