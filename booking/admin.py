"""The Django admin for sessions, their history and the reminder log.

Every session write goes through the services the API and the pages use: adding a session
books it (booking.engine.services.session_book: lock, validator, history, confirmation e-mail);
changing its time or therapist reschedules it; a status change cancels it
(session_cancel) or marks attendance with the treatment record
(booking.staff.services.session_mark_attendance). What was booked (runner, service, the
runner's note, the idempotency key...) is read-only.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.html import format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from booking.engine.services import (
    session_book,
    session_cancel,
    session_reschedule,
    session_violations,
    violation_error,
)
from booking.models import Reminder, Session, SessionEvent
from booking.reminders import delivery
from booking.staff.services import session_mark_attendance
from clinic.admin import ClinicScopedAdmin
from clinic.admin_forms import ServiceWriteForm

Status = Session.Status

# What a session's status may become in the admin, and through which service.
NEXT_STATUSES = {
    Status.BOOKED: (Status.BOOKED, Status.CANCELLED, Status.ATTENDED, Status.NO_SHOW),
    Status.ATTENDED: (Status.ATTENDED, Status.NO_SHOW),
    Status.NO_SHOW: (Status.NO_SHOW, Status.ATTENDED),
}


def check_rules(*, runner, service, therapist, start, override_reason="", exclude_session_id=None):
    """Every rule the booking would break, at once (the service stops at the first): the
    validator alone, for the form. A written override reason lets race rules pass."""
    violations = session_violations(
        runner=runner,
        service=service,
        therapist=therapist,
        start=start,
        exclude_session_id=exclude_session_id,
    )
    if (override_reason or "").strip():
        violations = [v for v in violations if not v.is_overridable]
    if violations:
        raise ValidationError(
            [ValidationError(violation_error(v).detail, code=v.code) for v in violations]
        )


class SessionBookForm(ServiceWriteForm):
    """Adding a session in the admin is booking it for a runner."""

    class Meta:
        model = Session
        fields = [
            "runner",
            "therapist",
            "service",
            "start",
            "discomfort_areas",
            "runner_note",
            "race_override_reason",
        ]

    def clean(self):
        cleaned = super().clean()
        runner, therapist, service, start = (
            cleaned.get(k) for k in ("runner", "therapist", "service", "start")
        )
        if all((runner, therapist, service, start)):
            check_rules(
                runner=runner,
                service=service,
                therapist=therapist,
                start=start,
                override_reason=cleaned.get("race_override_reason", ""),
            )
        return cleaned

    def write(self) -> Session:
        data = self.cleaned_data
        return session_book(
            runner=data["runner"],
            service=data["service"],
            therapist=data["therapist"],
            start=data["start"],
            by=self.by,
            discomfort_areas=data.get("discomfort_areas") or [],
            runner_note=data.get("runner_note", ""),
            override_reason=data.get("race_override_reason", ""),
            with_suggestions=False,
        )


class SessionChangeForm(ServiceWriteForm):
    """Changing a session: move it (time, therapist), or change its status and record."""

    MOVE = {"therapist", "start"}
    RECORD = {
        "status",
        "areas_treated",
        "mobilisation_done",
        "discomfort_before",
        "discomfort_after",
        "therapist_note",
    }

    override_reason = forms.CharField(
        label=_("Race rule override reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only when moving the session: lets a race rule pass; kept in its history."),
    )

    class Meta:
        model = Session
        fields = ["therapist", "start", "status", "areas_treated", "mobilisation_done"]
        fields += ["discomfort_before", "discomfort_after", "therapist_note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        status = self.fields.get("status")
        if status is not None:
            current = self.instance.status
            allowed = NEXT_STATUSES.get(current, (current,))
            status.choices = [(v, label) for v, label in Status.choices if v in allowed]

    def clean(self):
        cleaned = super().clean()
        changed = set(self.changed_data)
        if changed & self.MOVE and changed & self.RECORD:
            raise ValidationError(
                gettext("Move the session, or change its status and record: one at a time."),
                code="one_change_at_a_time",
            )
        if "override_reason" in changed and not changed & self.MOVE:
            self.add_error("override_reason", gettext("An override reason applies only to a move."))
        if changed & self.MOVE and cleaned.get("therapist") and cleaned.get("start"):
            check_rules(
                runner=self.instance.runner,
                service=self.instance.service,
                therapist=cleaned["therapist"],
                start=cleaned["start"],
                override_reason=cleaned.get("override_reason", ""),
                exclude_session_id=self.instance.pk,
            )
        return cleaned

    def write(self) -> Session | None:
        changed = set(self.changed_data)
        data = self.cleaned_data
        session = Session.objects.get(pk=self.instance.pk)
        if changed & self.MOVE:
            return session_reschedule(
                session=session,
                start=data["start"],
                therapist=data["therapist"],
                by=self.by,
                override_reason=data.get("override_reason", ""),
            )
        status = data.get("status", session.status)
        if status != session.status and status in (Status.CANCELLED, Status.LATE_CANCELLED):
            return session_cancel(session=session, by=self.by)
        if changed & self.RECORD:

            def given(name):
                return data[name] if name in changed else None

            return session_mark_attendance(
                session=session,
                status=status,
                by=self.by,
                areas_treated=given("areas_treated"),
                mobilisation_done=given("mobilisation_done"),
                discomfort_before=given("discomfort_before"),
                discomfort_after=given("discomfort_after"),
                note=given("therapist_note"),
            )
        return None


def author_label(by) -> str:
    """Who made a change, as the clinic needs to read it: a superuser's account is not
    shown to a clinic's admin."""
    if by is None:
        return "—"
    if by.is_superuser:
        return gettext("Site administrator")
    return by.get_full_name()


# What the booking recorded: shown on a session's page, never edited there.
BOOKING_RECORD_FIELDS = (
    "discomfort_areas",
    "runner_note",
    "race_override_reason",
    "override_author",
    "idempotency_key",
    "rescheduled_from",
    "created_at",
    "updated_at",
    "cancelled_at",
    "attended_at",
    "no_show_at",
    "history",
)


@admin.register(Session)
class SessionAdmin(ClinicScopedAdmin):
    list_display = ["start", "end", "runner", "therapist", "service", "status", "clinic"]
    list_filter = ["status", "clinic", "therapist", "service"]
    search_fields = ["runner__user__email", "runner__user__last_name", "therapist__display_name"]
    date_hierarchy = "start"
    list_select_related = ["runner__user", "therapist", "service", "clinic"]
    raw_id_fields = ["runner"]
    add_fieldsets = ((None, {"fields": SessionBookForm.Meta.fields}),)
    change_fieldsets = (
        (None, {"fields": ("runner", "service", "clinic", "therapist", "start", "end", "price")}),
        (
            _("Attendance and record"),
            {
                "fields": (
                    "status",
                    "areas_treated",
                    "mobilisation_done",
                    "discomfort_before",
                    "discomfort_after",
                    "therapist_note",
                )
            },
        ),
        (_("Moving the session"), {"fields": ("override_reason",)}),
        (
            _("Booking"),
            {"fields": BOOKING_RECORD_FIELDS},
        ),
    )
    change_readonly_fields = ["runner", "service", "clinic", "end", "price", *BOOKING_RECORD_FIELDS]

    def get_fieldsets(self, request, obj=None):
        return self.add_fieldsets if obj is None else self.change_fieldsets

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.change_readonly_fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = SessionBookForm if obj is None else SessionChangeForm
        form = super().get_form(request, obj, change=change, **kwargs)
        form.by = request.user  # a class made for this request by modelform_factory
        return form

    def save_model(self, request, obj, form, change):
        """Nothing left to save: the form wrote through the booking services."""

    def has_delete_permission(self, request, obj=None):
        # A session is cancelled, never deleted (its history and the runner's record stay).
        return False

    @admin.display(description=_("race rule overridden by"))
    def override_author(self, obj):
        return author_label(obj.race_override_by)

    @admin.display(description=_("History"))
    def history(self, obj):
        events = obj.events.select_related("by").order_by("at", "id")
        return format_html_join(
            "\n",
            "<div>{} · {} · {}</div>",
            (
                (f"{e.at:%Y-%m-%d %H:%M} UTC", e.get_kind_display(), author_label(e.by))
                for e in events
            ),
        )


@admin.register(SessionEvent)
class SessionEventAdmin(ClinicScopedAdmin):
    """The history is written by the services only: read-only here."""

    list_display = ["session", "kind", "at", "author"]
    list_filter = ["kind"]
    list_select_related = ["session__runner__user", "session__therapist", "by"]
    fields = ["session", "kind", "at", "author", "from_status", "to_status"]
    fields += ["old_start", "new_start", "data"]
    readonly_fields = fields

    @admin.display(description=_("by"))
    def author(self, obj):
        return author_label(obj.by)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Reminder)
class ReminderAdmin(ClinicScopedAdmin):
    list_display = ["runner", "kind", "key", "state", "attempts", "created_at", "sent_at"]
    list_filter = ["kind", "state"]
    search_fields = ["runner__user__email", "key"]
    list_select_related = ["runner__user"]
    raw_id_fields = ["runner", "session"]
    actions = ["send_again"]

    @admin.action(description=_("Send the selected failed reminders again"))
    def send_again(self, request, queryset):
        count = delivery.resend(list(queryset.values_list("pk", flat=True)))
        self.message_user(
            request, gettext("%(count)s reminders will be sent again.") % {"count": count}
        )
