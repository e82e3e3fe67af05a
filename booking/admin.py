from django.contrib import admin
from django.utils.translation import gettext as _

from clinic.admin import ClinicScopedAdmin

from .models import Reminder, Session, SessionEvent


class SessionEventInline(admin.TabularInline):
    model = SessionEvent
    extra = 0
    can_delete = False
    readonly_fields = ["kind", "at", "by", "from_status", "to_status", "old_start", "new_start"]
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Session)
class SessionAdmin(ClinicScopedAdmin):
    list_display = ["start", "end", "runner", "therapist", "service", "status", "clinic"]
    list_filter = ["status", "clinic", "therapist", "service"]
    search_fields = ["runner__user__email", "runner__user__last_name", "therapist__display_name"]
    date_hierarchy = "start"
    list_select_related = ["runner__user", "therapist", "service", "clinic"]
    raw_id_fields = ["runner", "therapist", "service", "rescheduled_from", "race_override_by"]
    readonly_fields = ["created_at", "updated_at", "cancelled_at", "attended_at", "no_show_at"]
    inlines = [SessionEventInline]


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
