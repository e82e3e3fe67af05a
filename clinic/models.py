"""Users, clinics, therapists, their schedules and the services they offer."""

import zoneinfo
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from clinic import colours

# The accounts live in clinic.accounts; imported here, where the app's models are found.
from clinic.accounts import ApiToken as ApiToken
from clinic.accounts import User as User
from clinic.accounts import UserManager as UserManager
from clinic.policy import ServiceKind


class BodyArea(models.TextChoices):
    LEGS = "legs", _("Legs")
    GLUTES = "glutes", _("Glutes")
    LUMBAR = "lumbar", _("Lumbar")
    DORSAL = "dorsal", _("Dorsal")
    CERVICAL = "cervical", _("Cervical")


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(value)s is not a known time zone."), params={"value": value})


def validate_body_areas(value) -> None:
    if not isinstance(value, list) or any(v not in BodyArea.values for v in value):
        raise ValidationError(
            _("Choose body areas from: %(areas)s."), params={"areas": ", ".join(BodyArea.values)}
        )


class Clinic(models.Model):
    """A clinic and its booking policy. Every rule the validator applies is set here."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), unique=True)
    timezone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Madrid", validators=[validate_timezone]
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    # Branding: the header shows the name and the logo, buttons and links the accent.
    accent_colour = models.CharField(
        _("accent colour"),
        max_length=7,
        default=colours.DEFAULT_ACCENT,
        validators=[colours.validate_accent_colour],
        help_text=_("Buttons and links; white text must stay readable on it (WCAG AA)."),
    )
    logo = models.FileField(
        _("logo"),
        upload_to="clinic-logos/",
        blank=True,
        validators=[FileExtensionValidator(["png", "jpg", "jpeg", "webp"]), colours.validate_logo],
        help_text=_("PNG, JPEG or WebP, square, at most 200 KB."),
    )

    min_notice_minutes = models.PositiveIntegerField(
        _("minimum notice (minutes)"), default=120, validators=[MaxValueValidator(60 * 24 * 14)]
    )
    max_days_ahead = models.PositiveIntegerField(
        _("maximum days ahead"), default=90, validators=[MinValueValidator(1)]
    )
    cancellation_window_hours = models.PositiveIntegerField(
        _("cancellation window (hours)"), default=24
    )
    # Packs and memberships (billing.ledger): whether these use the session's credit.
    late_cancel_uses_credit = models.BooleanField(
        _("a late cancellation uses a pack credit"), default=True
    )
    no_show_uses_credit = models.BooleanField(_("a no-show uses a pack credit"), default=True)
    buffer_minutes = models.PositiveIntegerField(
        _("buffer between sessions (minutes)"), default=0, validators=[MaxValueValidator(120)]
    )
    slot_step_minutes = models.PositiveIntegerField(
        _("slot step (minutes)"),
        default=15,
        validators=[MinValueValidator(5), MaxValueValidator(120)],
    )
    # Race windows (clinic.policy; docs/race-rules.md): in the race's local calendar.
    rest_days_before_race = models.PositiveSmallIntegerField(
        _("rest days between a massage and race day"),
        default=1,
        validators=[MaxValueValidator(14)],
        help_text=_("1: a massage on Friday is fine for a Sunday race, Saturday is not."),
    )
    after_race_hours = models.PositiveIntegerField(
        _("hours after a race's finish before a massage"),
        default=6,
        validators=[MaxValueValidator(24 * 14)],
    )
    days_after_race = models.PositiveSmallIntegerField(
        _("days after the finish day before a massage"),
        default=0,
        validators=[MaxValueValidator(14)],
        help_text=_("0: the same day once the hours have passed; 1: from the next day."),
    )
    # Demanding trainings (clinic.policy.DemandingThresholds; docs/training.md).
    after_training_hours = models.PositiveIntegerField(
        _("hours after a demanding training before a massage"),
        default=6,
        validators=[MaxValueValidator(24 * 7)],
    )
    demanding_rpe = models.PositiveSmallIntegerField(
        _("demanding from this RPE (1-10)"),
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
    )
    demanding_ratio_percent = models.PositiveSmallIntegerField(
        _("demanding from this share of the runner's usual length (%)"),
        default=150,
        validators=[MinValueValidator(100), MaxValueValidator(500)],
        help_text=_("150: half as long again, or as far, as the runner's last 4 weeks."),
    )
    demanding_minutes = models.PositiveSmallIntegerField(
        _("demanding from (minutes), without recent training"),
        default=90,
        validators=[MinValueValidator(10), MaxValueValidator(24 * 60)],
    )
    demanding_km = models.PositiveSmallIntegerField(
        _("demanding from (km), without recent training"),
        default=18,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
    )
    min_days_between_sessions = models.PositiveSmallIntegerField(
        _("days between unloading massages"),
        default=7,
        validators=[MaxValueValidator(60)],
        help_text=_("A session closer than this to another is booked with a warning."),
    )
    reminder_hour = models.PositiveSmallIntegerField(
        _("local hour for cadence reminders"), default=9, validators=[MaxValueValidator(23)]
    )

    class Meta:
        verbose_name = _("clinic")
        verbose_name_plural = _("clinics")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @cached_property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    @property
    def min_notice(self) -> timedelta:
        return timedelta(minutes=self.min_notice_minutes)

    @property
    def buffer(self) -> timedelta:
        return timedelta(minutes=self.buffer_minutes)

    @property
    def slot_step(self) -> timedelta:
        return timedelta(minutes=self.slot_step_minutes)

    @property
    def cancellation_window(self) -> timedelta:
        return timedelta(hours=self.cancellation_window_hours)

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.tz)


class RacePriority(models.TextChoices):
    A = "A", _("A (main goal)")
    B = "B", _("B")
    C = "C", _("C (training race)")


class RaceWindow(models.Model):
    """Other race window figures for some races: e.g. 4 rest days before a marathon, or
    lighter ones for C races.

    A race gets the figures of its most specific matching rule (more conditions first,
    then the longer distance), which may widen or narrow the clinic default.
    """

    clinic = models.ForeignKey(
        Clinic, on_delete=models.CASCADE, related_name="race_windows", verbose_name=_("clinic")
    )
    min_distance_km = models.DecimalField(
        _("from distance (km)"), max_digits=7, decimal_places=3, null=True, blank=True
    )
    priority = models.CharField(_("priority"), max_length=1, choices=RacePriority, blank=True)
    rest_days_before = models.PositiveSmallIntegerField(
        _("rest days before race day"), default=1, validators=[MaxValueValidator(14)]
    )
    after_race_hours = models.PositiveIntegerField(
        _("hours after the finish"), default=6, validators=[MaxValueValidator(24 * 14)]
    )
    days_after = models.PositiveSmallIntegerField(
        _("days after the finish day"), default=0, validators=[MaxValueValidator(14)]
    )

    class Meta:
        verbose_name = _("race window rule")
        verbose_name_plural = _("race window rules")
        ordering = ["clinic", "min_distance_km"]

    def __str__(self) -> str:
        parts = []
        if self.min_distance_km is not None:
            parts.append(f"≥ {self.min_distance_km} km")
        if self.priority:
            parts.append(f"priority {self.priority}")
        return f"{self.clinic}: {' & '.join(parts) or 'all races'}"


class Therapist(models.Model):
    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="therapist", verbose_name=_("user")
    )
    clinic = models.ForeignKey(
        Clinic, on_delete=models.PROTECT, related_name="therapists", verbose_name=_("clinic")
    )
    display_name = models.CharField(_("display name"), max_length=200)
    qualifications = models.TextField(_("qualifications"), blank=True)
    specialties = models.TextField(_("specialties"), blank=True)
    bio = models.TextField(_("about"), blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("therapist")
        verbose_name_plural = _("therapists")
        ordering = ["clinic", "display_name"]

    def __str__(self) -> str:
        return self.display_name


class Service(models.Model):
    clinic = models.ForeignKey(
        Clinic, on_delete=models.PROTECT, related_name="services", verbose_name=_("clinic")
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    duration_minutes = models.PositiveIntegerField(
        _("duration (minutes)"), validators=[MinValueValidator(10), MaxValueValidator(240)]
    )
    price = models.DecimalField(_("price"), max_digits=8, decimal_places=2)
    body_areas = models.JSONField(
        _("body areas"), default=list, blank=True, validators=[validate_body_areas]
    )
    active = models.BooleanField(_("active"), default=True)
    # Its own race rules (clinic.policy.Policy.for_service; docs/race-rules.md).
    kind = models.CharField(
        _("kind"),
        max_length=12,
        choices=[
            (ServiceKind.UNLOADING, _("Unloading massage")),
            (ServiceKind.RECOVERY, _("Light post-race recovery massage")),
            (ServiceKind.ACTIVATION, _("Short pre-race activation")),
        ],
        default=ServiceKind.UNLOADING,
    )

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["clinic", "duration_minutes"]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gt=0), name="service_duration_positive"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.duration_minutes} min)"

    @property
    def duration(self) -> timedelta:
        return timedelta(minutes=self.duration_minutes)

    def get_body_areas_display(self) -> list[str]:
        labels = dict(BodyArea.choices)
        return [str(labels.get(a, a)) for a in self.body_areas]


class WorkingHours(models.Model):
    """One interval of a weekday, in the clinic's local time. Breaks are the gaps.

    Valid from a date (inclusive) until another (exclusive, open-ended when empty), so a
    change of hours applies from a chosen date and the old hours still explain the past.
    """

    # A label of its own (capitalised in Spanish, "Lunes"); the bare "Monday" msgid is
    # Django's, used inside dates ("lunes, 7 de diciembre"), and ours would override it.
    class Weekday(models.IntegerChoices):
        MONDAY = 0, pgettext_lazy("weekday label", "Monday")
        TUESDAY = 1, pgettext_lazy("weekday label", "Tuesday")
        WEDNESDAY = 2, pgettext_lazy("weekday label", "Wednesday")
        THURSDAY = 3, pgettext_lazy("weekday label", "Thursday")
        FRIDAY = 4, pgettext_lazy("weekday label", "Friday")
        SATURDAY = 5, pgettext_lazy("weekday label", "Saturday")
        SUNDAY = 6, pgettext_lazy("weekday label", "Sunday")

    therapist = models.ForeignKey(
        Therapist, on_delete=models.CASCADE, related_name="hours", verbose_name=_("therapist")
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday)
    start_time = models.TimeField(_("from"))
    end_time = models.TimeField(_("until"))
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)

    class Meta:
        verbose_name = _("working hours")
        verbose_name_plural = _("working hours")
        ordering = ["therapist", "weekday", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__gt=F("start_time")), name="hours_end_after_start"
            ),
            models.CheckConstraint(
                condition=Q(weekday__gte=0) & Q(weekday__lte=6), name="hours_weekday_range"
            ),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_until__isnull=True)
                | Q(valid_until__gt=F("valid_from")),
                name="hours_valid_range",
            ),
        ]
        indexes = [models.Index(fields=["therapist", "weekday"])]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start_time:%H:%M}–{self.end_time:%H:%M}"


class TimeOff(models.Model):
    therapist = models.ForeignKey(
        Therapist, on_delete=models.CASCADE, related_name="time_off", verbose_name=_("therapist")
    )
    start = models.DateTimeField(_("from"))
    end = models.DateTimeField(_("until"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("time off")
        verbose_name_plural = _("time off")
        ordering = ["therapist", "start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="timeoff_end_after_start")
        ]
        indexes = [models.Index(fields=["therapist", "start", "end"])]

    def __str__(self) -> str:
        return f"{self.therapist}: {self.start:%Y-%m-%d %H:%M} – {self.end:%Y-%m-%d %H:%M}"


class ScheduleChange(models.Model):
    """Who changed a therapist's schedule, when, and what it was before and after
    (clinic.services writes one with every change, in the same transaction).

    before/after: {"hours": {"0": ["09:00-14:00", ...], ...}, "from": "2026-12-01"} for
    weekly hours; {"start": ..., "end": ..., "reason": ...} (clinic-local) for time off."""

    class Kind(models.TextChoices):
        HOURS = "hours", _("Working hours")
        TIME_OFF = "time_off", _("Time off")

    therapist = models.ForeignKey(
        Therapist, on_delete=models.CASCADE, related_name="schedule_changes"
    )
    by = models.ForeignKey(
        "clinic.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=16, choices=Kind)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)

    class Meta:
        verbose_name = _("schedule change")
        verbose_name_plural = _("schedule changes")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["therapist", "-at"])]

    def __str__(self) -> str:
        return f"{self.therapist}: {self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"
