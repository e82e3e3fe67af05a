from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from clinic.admin import ClinicScopedAdmin
from clinic.forms import ModelForm

from .models import Reminder, Session, SessionEvent


class SessionEventInline(admin.TabularInline):
    model = SessionEvent
    extra = 0
    can_delete = False
    readonly_fields = ["kind", "at", "by", "from_status", "to_status", "old_start", "new_start"]
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):
        return False


class SessionAdminForm(ModelForm):
    """The admin refuses a booked session the way the API and the pages do: the same
    validator (booking.rules through booking.services.session_violations). A race rule
    may be overridden by writing the reason."""

    class Meta:
        model = Session
        fields = [
            "runner",
            "therapist",
            "service",
            "clinic",
            "start",
            "end",
            "status",
            "price",
            "discomfort_areas",
            "runner_note",
            "areas_treated",
            "mobilisation_done",
            "therapist_note",
            "race_override_reason",
            "race_override_by",
            "idempotency_key",
            "rescheduled_from",
        ]

    def clean(self):
        from .services import session_violations, violation_error

        cleaned = super().clean()
        keys = ("runner", "therapist", "service", "start", "end")
        runner, therapist, service, start, end = (cleaned.get(k) for k in keys)
        watched = {"runner", "therapist", "service", "start", "end", "status"}
        moved = self.instance.pk is None or bool(watched & set(self.changed_data))
        if not (all((runner, therapist, service, start, end)) and moved):
            return cleaned
        if cleaned.get("status") != Session.Status.BOOKED:
            return cleaned
        if service.clinic_id != therapist.clinic_id:
            raise ValidationError(violation_error_text_invalid())
        violations = session_violations(
            runner=runner,
            service=service,
            therapist=therapist,
            start=start,
            end=end,
            exclude_session_id=self.instance.pk,
        )
        if (cleaned.get("race_override_reason") or "").strip():
            violations = [v for v in violations if not v.is_race_rule]
        if violations:
            raise ValidationError(
                [ValidationError(violation_error(v).detail, code=v.code) for v in violations]
            )
        return cleaned


def violation_error_text_invalid() -> str:
    from django.utils.translation import gettext

    return gettext("That service is not offered at that therapist's clinic.")


@admin.register(Session)
class SessionAdmin(ClinicScopedAdmin):
    form = SessionAdminForm
    list_display = ["start", "end", "runner", "therapist", "service", "status", "clinic"]
    list_filter = ["status", "clinic", "therapist", "service"]
    search_fields = ["runner__user__email", "runner__user__last_name", "therapist__display_name"]
    date_hierarchy = "start"
    list_select_related = ["runner__user", "therapist", "service", "clinic"]
    raw_id_fields = ["runner", "therapist", "service", "rescheduled_from", "race_override_by"]
    readonly_fields = ["created_at", "updated_at", "cancelled_at", "attended_at", "no_show_at"]
    inlines = [SessionEventInline]

    def save_model(self, request, obj, form, change):
        obj.clinic_id = obj.therapist.clinic_id
        if obj.race_override_reason and obj.race_override_by_id is None:
            obj.race_override_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(SessionEvent)
class SessionEventAdmin(ClinicScopedAdmin):
    clinic_lookup = "session__clinic"
    list_display = ["session", "kind", "at", "by"]
    list_filter = ["kind"]
    list_select_related = ["session", "by"]
    raw_id_fields = ["session", "by"]


@admin.register(Reminder)
class ReminderAdmin(ClinicScopedAdmin):
    clinic_lookup = "runner__clinic"
    list_display = ["runner", "kind", "key", "state", "attempts", "created_at", "sent_at"]
    list_filter = ["kind", "state"]
    search_fields = ["runner__user__email", "key"]
    list_select_related = ["runner__user"]
    raw_id_fields = ["runner", "session"]
    actions = ["send_again"]

    @admin.action(description=_("Send the selected failed reminders again"))
    def send_again(self, request, queryset):
        from .tasks import deliver_reminders

        ids = list(
            queryset.filter(state__in=[Reminder.State.FAILED, Reminder.State.PENDING]).values_list(
                "pk", flat=True
            )
        )
        # A fresh budget of attempts; `deliver` still sends each at most once.
        Reminder.objects.filter(pk__in=ids).update(attempts=0)
        for start in range(0, len(ids), 500):
            deliver_reminders.delay(ids[start : start + 500])
        self.message_user(
            request, _("%(count)s reminders will be sent again.") % {"count": len(ids)}
        )
