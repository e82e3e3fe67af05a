"""Sessions (booked massages), their history, the reminder log, and the waitlist."""

from django.conf import settings
from django.contrib.postgres.fields import DateTimeRangeField, RangeOperators
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import connections, models
from django.db.models import F, Func, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clinic.db import PostgresOnlyExclusionConstraint
from clinic.models import BodyArea, validate_body_areas


class TsTzRange(Func):
    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


class SessionStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    CANCELLED = "cancelled", _("Cancelled")
    LATE_CANCELLED = "late_cancelled", _("Cancelled late")
    ATTENDED = "attended", _("Attended")
    NO_SHOW = "no_show", _("No-show")


class TreatedArea(models.TextChoices):
    """What the therapist records as treated: the runner's coarse areas of discomfort
    (clinic.models.BodyArea), with the legs split into the muscle groups a runner's
    unloading massage works on."""

    QUADRICEPS = "quadriceps", _("Quadriceps")
    HAMSTRINGS = "hamstrings", _("Hamstrings")
    CALVES = "calves", _("Calves")
    PLANTAR_FASCIA = "plantar_fascia", _("Plantar fascia")
    IT_BAND = "it_band", _("IT band")
    GLUTES = "glutes", _("Glutes")
    LUMBAR = "lumbar", _("Lumbar")
    DORSAL = "dorsal", _("Dorsal")
    CERVICAL = "cervical", _("Cervical")


class Side(models.TextChoices):
    BOTH = "both", _("Both sides")
    LEFT = "left", _("Left")
    RIGHT = "right", _("Right")


# A runner's area of discomfort -> the areas treated when the session went as booked
# (and what the records kept before the finer areas became, migration 0007).
TREATED_FOR_DISCOMFORT: dict[str, tuple[str, ...]] = {
    BodyArea.LEGS: (TreatedArea.QUADRICEPS, TreatedArea.HAMSTRINGS, TreatedArea.CALVES),
    BodyArea.GLUTES: (TreatedArea.GLUTES,),
    BodyArea.LUMBAR: (TreatedArea.LUMBAR,),
    BodyArea.DORSAL: (TreatedArea.DORSAL,),
    BodyArea.CERVICAL: (TreatedArea.CERVICAL,),
}
DISCOMFORT_MAX = 10


def validate_treated_areas(value) -> None:
    """{area: side} with areas and sides from TreatedArea and Side."""
    if not isinstance(value, dict) or any(
        a not in TreatedArea.values or s not in Side.values for a, s in value.items()
    ):
        raise ValidationError(
            _("Give each area treated (%(areas)s) a side (%(sides)s)."),
            params={"areas": ", ".join(TreatedArea.values), "sides": ", ".join(Side.values)},
        )


# Statuses that hold the therapist's (and the runner's) time. A cancelled session frees
# it; an attended or missed one stays in the agenda as it happened. The exclusion
# constraints below are built from this tuple, so the database and the code agree.
ACTIVE_STATUSES = (SessionStatus.BOOKED, SessionStatus.ATTENDED, SessionStatus.NO_SHOW)


class Session(models.Model):
    Status = SessionStatus
    ACTIVE_STATUSES = ACTIVE_STATUSES

    runner = models.ForeignKey(
        "runners.Runner",
        on_delete=models.PROTECT,
        related_name="sessions",
        verbose_name=_("runner"),
    )
    therapist = models.ForeignKey(
        "clinic.Therapist",
        on_delete=models.PROTECT,
        related_name="sessions",
        verbose_name=_("therapist"),
    )
    service = models.ForeignKey(
        "clinic.Service",
        on_delete=models.PROTECT,
        related_name="sessions",
        verbose_name=_("service"),
    )
    # Denormalised from the therapist so reports filter and group by clinic on one index.
    clinic = models.ForeignKey(
        "clinic.Clinic", on_delete=models.PROTECT, related_name="sessions", verbose_name=_("clinic")
    )
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.BOOKED)
    price = models.DecimalField(_("price"), max_digits=8, decimal_places=2, null=True, blank=True)

    discomfort_areas = models.JSONField(
        _("areas of discomfort"), default=list, blank=True, validators=[validate_body_areas]
    )
    runner_note = models.TextField(_("note from the runner"), blank=True)
    # {area: side}: the treatment record's areas (TreatedArea) and sides (Side). Health
    # data, like the discomfort scores and the note: staff of the session's clinic only.
    areas_treated = models.JSONField(
        _("areas treated"), default=dict, blank=True, validators=[validate_treated_areas]
    )
    discomfort_before = models.PositiveSmallIntegerField(
        _("discomfort before (0-10)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(DISCOMFORT_MAX)],
    )
    discomfort_after = models.PositiveSmallIntegerField(
        _("discomfort after (0-10)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(DISCOMFORT_MAX)],
    )
    mobilisation_done = models.BooleanField(
        _("closed with mobilisation and stretching"), null=True, blank=True
    )
    therapist_note = models.TextField(_("therapist's note"), blank=True)

    race_override_reason = models.TextField(_("race rule override reason"), blank=True)
    race_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("race rule overridden by"),
    )
    idempotency_key = models.CharField(_("idempotency key"), max_length=100, null=True, blank=True)
    # SHA-256 of the request that first sent the key (booking.engine.idempotency): the same key with
    # any other request is refused, never answered with this session.
    idempotency_fingerprint = models.CharField(
        _("idempotency fingerprint"), max_length=64, blank=True, default=""
    )
    rescheduled_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("moved from"),
    )

    # iCalendar SEQUENCE of the session's event (booking.engine.calendar): 0 when booked,
    # +1 on each move or cancellation (booking.engine.services), so a calendar that holds
    # the event updates it in place.
    calendar_sequence = models.PositiveIntegerField(default=0)

    created_at = models.DateTimeField(_("booked at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    attended_at = models.DateTimeField(_("marked attended at"), null=True, blank=True)
    no_show_at = models.DateTimeField(_("marked no-show at"), null=True, blank=True)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="session_end_after_start"),
            models.CheckConstraint(
                condition=(
                    Q(discomfort_before__isnull=True) | Q(discomfort_before__lte=DISCOMFORT_MAX)
                )
                & (Q(discomfort_after__isnull=True) | Q(discomfort_after__lte=DISCOMFORT_MAX)),
                name="session_discomfort_0_to_10",
            ),
            models.UniqueConstraint(
                fields=["runner", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="session_unique_idempotency_key",
            ),
            # PostgreSQL only (the migration skips them elsewhere): the last word on
            # double booking, whatever the application checks did.
            PostgresOnlyExclusionConstraint(
                name="session_therapist_no_overlap",
                expressions=[
                    (F("therapist"), RangeOperators.EQUAL),
                    (TsTzRange("start", "end"), RangeOperators.OVERLAPS),
                ],
                condition=Q(status__in=[str(s) for s in ACTIVE_STATUSES]),
            ),
            PostgresOnlyExclusionConstraint(
                name="session_runner_no_overlap",
                expressions=[
                    (F("runner"), RangeOperators.EQUAL),
                    (TsTzRange("start", "end"), RangeOperators.OVERLAPS),
                ],
                condition=Q(status__in=[str(s) for s in ACTIVE_STATUSES]),
            ),
        ]
        indexes = [
            models.Index(fields=["therapist", "start"], name="session_therapist_start"),
            models.Index(fields=["runner", "start"], name="session_runner_start"),
            models.Index(fields=["status", "start"], name="session_status_start"),
            models.Index(fields=["clinic", "start"], name="session_clinic_start"),
        ]

    # True on the session booking.engine.services.session_book returns for a retried request
    # (the same Idempotency-Key and input): nothing was booked this time.
    replayed = False
    # What session_book said without refusing (spacing): [{"code", "detail"}].
    warnings: tuple[dict[str, str], ...] | list[dict[str, str]] = ()

    def __str__(self) -> str:
        return f"{self.runner} with {self.therapist} at {self.start:%Y-%m-%d %H:%M} UTC"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE_STATUSES

    def validate_constraints(self, exclude=None):
        # Exclusion constraints need PostgreSQL's range types; elsewhere the booking
        # service's locked re-check is what holds the rule.
        if connections["default"].vendor != "postgresql":
            exclude = set(exclude or ()) | {"start", "end", "therapist", "runner"}
        super().validate_constraints(exclude=exclude)


class SessionEvent(models.Model):
    """The history of a session: every change, who made it and when."""

    class Kind(models.TextChoices):
        BOOKED = "booked", _("Booked")
        CANCELLED = "cancelled", _("Cancelled")
        LATE_CANCELLED = "late_cancelled", _("Cancelled late")
        RESCHEDULED = "rescheduled", _("Rescheduled")
        ATTENDED = "attended", _("Marked attended")
        NO_SHOW = "no_show", _("Marked no-show")
        RECORD = "record", _("Treatment record updated")
        OVERRIDE = "override", _("Race rule overridden")

    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="events", verbose_name=_("session")
    )
    kind = models.CharField(_("what happened"), max_length=20, choices=Kind)
    at = models.DateTimeField(_("when"), auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    # The choices give the status's translated label (get_from_status_display) to the
    # staff history and the admin; the column keeps the code.
    from_status = models.CharField(
        _("status before"), max_length=16, blank=True, choices=SessionStatus
    )
    to_status = models.CharField(
        _("status after"), max_length=16, blank=True, choices=SessionStatus
    )
    old_start = models.DateTimeField(_("previous start"), null=True, blank=True)
    new_start = models.DateTimeField(_("new start"), null=True, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("session event")
        verbose_name_plural = _("session events")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["session", "at"])]

    def __str__(self) -> str:
        return f"{self.session_id}: {self.kind} at {self.at:%Y-%m-%d %H:%M}"


class Reminder(models.Model):
    """One row per reminder that is (to be) sent. The unique key is written before the
    e-mail leaves, so a retry, a second beat or a second worker cannot send it twice."""

    class Kind(models.TextChoices):
        CADENCE = "cadence", _("Time to book")
        APPOINTMENT = "appointment", _("Appointment tomorrow")
        CONFIRMATION = "confirmation", _("Booking confirmed")
        CANCELLATION = "cancellation", _("Booking cancelled")
        RESCHEDULE = "reschedule", _("Booking moved")
        RACE_CONFLICT = "race_conflict", _("A race clashes with a session")
        WAITLIST_OFFER = "waitlist_offer", _("A time you waited for is free")

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    runner = models.ForeignKey(
        "runners.Runner",
        on_delete=models.CASCADE,
        related_name="reminders",
        verbose_name=_("runner"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind)
    # The due period (e.g. "2026-11-23" for a cadence reminder) or the session id and
    # its version (e.g. "s42@2026-11-24T09:00") for session e-mails.
    key = models.CharField(_("key"), max_length=100)
    session = models.ForeignKey(
        Session,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reminders",
        verbose_name=_("session"),
    )
    state = models.CharField(_("state"), max_length=8, choices=State, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [
            models.UniqueConstraint(fields=["runner", "kind", "key"], name="reminder_unique_key")
        ]
        indexes = [models.Index(fields=["state", "created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.key} for runner {self.runner_id} ({self.state})"


class CalendarFeed(models.Model):
    """A private, subscribable iCalendar feed (booking.engine.feeds): a runner's own
    sessions or a therapist's agenda, at a URL with this secret token. Regenerating it
    ends the old URL; deleting it ends the feed."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return f"calendar feed of user {self.user_id}"


class WaitlistEntry(models.Model):
    """A runner waiting for a time: a service, a range of clinic-local days, a time of day
    (the session lies within it) and maybe a therapist. Kept (with `left_at`) after the
    runner leaves, so the join order and the history stay."""

    class Left(models.TextChoices):
        BOOKED = "booked", _("Booked")
        REMOVED = "removed", _("Removed")

    runner = models.ForeignKey(
        "runners.Runner",
        on_delete=models.CASCADE,
        related_name="waitlist_entries",
        verbose_name=_("runner"),
    )
    # Denormalised from the service: the staff list and the offer query filter on it.
    clinic = models.ForeignKey(
        "clinic.Clinic", on_delete=models.CASCADE, related_name="+", verbose_name=_("clinic")
    )
    service = models.ForeignKey(
        "clinic.Service", on_delete=models.CASCADE, related_name="+", verbose_name=_("service")
    )
    therapist = models.ForeignKey(
        "clinic.Therapist",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("therapist"),
    )
    first_day = models.DateField(_("from day"))
    last_day = models.DateField(_("until day"))
    earliest = models.TimeField(_("not before"))
    latest = models.TimeField(_("ending by"))
    joined_at = models.DateTimeField(_("joined at"), default=timezone.now)
    left_at = models.DateTimeField(_("left at"), null=True, blank=True)
    left_reason = models.CharField(_("left because"), max_length=8, choices=Left, blank=True)

    class Meta:
        verbose_name = _("waitlist entry")
        verbose_name_plural = _("waitlist entries")
        ordering = ["joined_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(last_day__gte=F("first_day")), name="waitlist_days_in_order"
            ),
            models.CheckConstraint(
                condition=Q(latest__gt=F("earliest")), name="waitlist_times_in_order"
            ),
        ]
        indexes = [
            models.Index(
                fields=["clinic", "last_day", "joined_at"],
                condition=Q(left_at__isnull=True),
                name="waitlist_waiting",
            ),
            models.Index(fields=["runner", "left_at"], name="waitlist_runner"),
        ]

    def __str__(self) -> str:
        return f"runner {self.runner_id} waiting for service {self.service_id} {self.first_day}..{self.last_day}"


class FreedTime(models.Model):
    """A therapist's time that became bookable, recorded inside the write that freed it
    (the waitlist's outbox): a worker offers it to the waiting runners once committed,
    and a sweep picks up any whose message was lost."""

    class Reason(models.TextChoices):
        CANCELLED = "cancelled", _("Session cancelled")
        MOVED = "moved", _("Session moved")
        TIME_OFF = "time_off", _("Time off removed")
        HOURS = "hours", _("Working hours added")
        BY_HAND = "by_hand", _("Offered by the clinic")

    therapist = models.ForeignKey(
        "clinic.Therapist", on_delete=models.CASCADE, related_name="+", verbose_name=_("therapist")
    )
    start = models.DateTimeField(_("from"))
    end = models.DateTimeField(_("until"))
    reason = models.CharField(_("reason"), max_length=10, choices=Reason)
    # By hand: the one waiting entry the clinic offers it to.
    entry = models.ForeignKey(
        WaitlistEntry, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("freed at"), default=timezone.now)
    offered_at = models.DateTimeField(_("offers made at"), null=True, blank=True)

    class Meta:
        verbose_name = _("freed time")
        verbose_name_plural = _("freed times")
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="freed_end_after_start")
        ]
        indexes = [
            models.Index(
                fields=["created_at"], condition=Q(offered_at__isnull=True), name="freed_pending"
            )
        ]

    def __str__(self) -> str:
        return f"therapist {self.therapist_id} free {self.start:%Y-%m-%d %H:%M} UTC ({self.reason})"


class WaitlistOffer(models.Model):
    """One freed time offered to one waiting runner: at most once (unique freed, runner),
    e-mailed through a Reminder row (kind waitlist_offer, key "w<freed id>")."""

    class State(models.TextChoices):
        OFFERED = "offered", _("Offered")
        CLAIMED = "claimed", _("Claimed")
        TAKEN = "taken", _("Taken by someone else")

    freed = models.ForeignKey(
        FreedTime, on_delete=models.CASCADE, related_name="offers", verbose_name=_("freed time")
    )
    entry = models.ForeignKey(
        WaitlistEntry, on_delete=models.CASCADE, related_name="offers", verbose_name=_("entry")
    )
    runner = models.ForeignKey(
        "runners.Runner", on_delete=models.CASCADE, related_name="+", verbose_name=_("runner")
    )
    therapist = models.ForeignKey(
        "clinic.Therapist", on_delete=models.CASCADE, related_name="+", verbose_name=_("therapist")
    )
    service = models.ForeignKey(
        "clinic.Service", on_delete=models.CASCADE, related_name="+", verbose_name=_("service")
    )
    start = models.DateTimeField(_("start"))
    expires_at = models.DateTimeField(_("expires at"))
    state = models.CharField(_("state"), max_length=8, choices=State, default=State.OFFERED)
    session = models.ForeignKey(
        Session, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("offered at"), default=timezone.now)

    class Meta:
        verbose_name = _("waitlist offer")
        verbose_name_plural = _("waitlist offers")
        constraints = [
            models.UniqueConstraint(fields=["freed", "runner"], name="offer_once_per_runner")
        ]

    def __str__(self) -> str:
        return f"offer of freed time {self.freed_id} to runner {self.runner_id} ({self.state})"
