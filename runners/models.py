"""Runners, their race log and the cadence they want to be reminded at."""

from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from clinic.models import RacePriority, validate_body_areas, validate_timezone

# The one figure for each cadence (domain.md): labels, e-mails and the rules use these.
FORTNIGHTLY_DAYS = 14
MONTHLY_DAYS = 30


def _every_n_days(days: int) -> str:
    return ngettext("Every %(days)d day", "Every %(days)d days", days) % {"days": days}


# "Every 14 days" from the figure itself, translated when shown.
every_n_days = lazy(_every_n_days, str)


class Cadence(models.TextChoices):
    FORTNIGHTLY = "fortnightly", every_n_days(FORTNIGHTLY_DAYS)
    MONTHLY = "monthly", _("Monthly")
    OFF = "off", _("Off")


CADENCE_DAYS: dict[str, int] = {
    Cadence.FORTNIGHTLY: FORTNIGHTLY_DAYS,
    Cadence.MONTHLY: MONTHLY_DAYS,
}


class Runner(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="runner",
        verbose_name=_("user"),
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    timezone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Madrid", validators=[validate_timezone]
    )
    cadence = models.CharField(
        _("reminder cadence"), max_length=12, choices=Cadence, default=Cadence.FORTNIGHTLY
    )
    reminders_opt_in = models.BooleanField(_("send me reminders"), default=True)
    clinic = models.ForeignKey(
        "clinic.Clinic",
        verbose_name=_("home clinic"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="runners",
    )
    preferred_therapist = models.ForeignKey(
        "clinic.Therapist",
        verbose_name=_("preferred therapist"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="preferred_by",
    )
    # Personal health data: shown to the runner and to their clinic's therapists only,
    # never in e-mails, logs or error reports.
    health_notes = models.TextField(_("health notes (injuries, discomfort)"), blank=True)
    discomfort_areas = models.JSONField(
        _("usual areas of discomfort"), default=list, blank=True, validators=[validate_body_areas]
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # A runner the staff added at the desk agreed, there and then, to the clinic keeping
    # their details: when, and who recorded it (not editable: a record, not a setting).
    consent_at = models.DateTimeField(_("consent recorded at"), null=True, editable=False)
    consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("consent recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        editable=False,
        related_name="+",
    )

    class Meta:
        verbose_name = _("runner")
        verbose_name_plural = _("runners")
        indexes = [models.Index(fields=["cadence", "reminders_opt_in"])]

    def __str__(self) -> str:
        return self.user.get_full_name()

    @property
    def cadence_days(self) -> int | None:
        return CADENCE_DAYS.get(self.cadence)


def estimate_duration(distance_km: Decimal | float | None) -> timedelta:
    """A generous finish estimate for a recreational runner (about 6:30 min/km), rounded
    up to the quarter hour, with at least an hour for short races and trails."""
    if not distance_km:
        return timedelta(hours=2)
    minutes = float(distance_km) * 6.5
    minutes = max(60, int(-(-minutes // 15) * 15))
    return timedelta(minutes=minutes)


class Race(models.Model):
    Priority = RacePriority

    runner = models.ForeignKey(
        Runner, on_delete=models.CASCADE, related_name="races", verbose_name=_("runner")
    )
    name = models.CharField(_("name"), max_length=200)
    start = models.DateTimeField(_("start"))
    finish = models.DateTimeField(_("expected finish"))
    # To the metre: 42.195 km, 21.0975 km rounds to 21.098.
    distance_km = models.DecimalField(
        _("distance (km)"), max_digits=7, decimal_places=3, null=True, blank=True
    )
    priority = models.CharField(_("priority"), max_length=1, choices=Priority, default=Priority.B)
    location = models.CharField(_("location"), max_length=200, blank=True)
    # The race's own zone (a race abroad): its start is read and its days counted there.
    timezone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Madrid", validators=[validate_timezone]
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("race")
        verbose_name_plural = _("races")
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(finish__gt=F("start")), name="race_finish_after_start"
            )
        ]
        indexes = [models.Index(fields=["runner", "start"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.start:%Y-%m-%d})"

    @staticmethod
    def finish_for(start: datetime, distance_km) -> datetime:
        return start + estimate_duration(distance_km)


class TrainingKind(models.TextChoices):
    EASY = "easy", _("Easy run")
    LONG = "long", _("Long run")
    INTERVALS = "intervals", _("Intervals or tempo")
    RACE_PACE = "race_pace", _("Race pace")
    HILLS = "hills", _("Hills")
    STRENGTH = "strength", _("Strength")


class TrainingSource(models.TextChoices):
    MANUAL = "manual", _("Entered by hand")
    FIT = "fit", "FIT"
    GPX = "gpx", "GPX"
    TCX = "tcx", "TCX"
    ICS = "ics", _("Training plan (.ics)")


class Training(models.Model):
    """One training in the runner's log, done or planned. Whether it is demanding is not
    stored: clinic.policy.DemandingThresholds decides it against the runner's recent
    training and the clinic's figures, whenever it is asked. Heart rate is health data:
    the runner and their clinic's therapists only."""

    Kind = TrainingKind

    runner = models.ForeignKey(
        Runner, on_delete=models.CASCADE, related_name="trainings", verbose_name=_("runner")
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    start = models.DateTimeField(_("start"))
    # The end of the session as it happened (pauses included): the rule counts from it.
    finish = models.DateTimeField(_("end"))
    # Time moving (pauses left out): what "how long" and the pace mean.
    minutes = models.PositiveIntegerField(_("duration (minutes)"))
    distance_km = models.DecimalField(
        _("distance (km)"), max_digits=7, decimal_places=3, null=True, blank=True
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind, default=Kind.EASY)
    rpe = models.PositiveSmallIntegerField(_("how hard it felt (RPE 1-10)"), null=True, blank=True)
    hard = models.BooleanField(_("I found it demanding"), default=False)
    planned = models.BooleanField(_("planned (not done yet)"), default=False)
    avg_hr = models.PositiveSmallIntegerField(_("average heart rate"), null=True, blank=True)
    max_hr = models.PositiveSmallIntegerField(_("maximum heart rate"), null=True, blank=True)
    timezone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Madrid", validators=[validate_timezone]
    )
    source = models.CharField(
        _("source"), max_length=8, choices=TrainingSource, default=TrainingSource.MANUAL
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("training")
        verbose_name_plural = _("trainings")
        ordering = ["-start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(finish__gt=F("start")), name="training_finish_after_start"
            ),
            models.CheckConstraint(
                condition=Q(rpe__isnull=True) | Q(rpe__gte=1, rpe__lte=10),
                name="training_rpe_1_10",
            ),
        ]
        indexes = [models.Index(fields=["runner", "start"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.start:%Y-%m-%d})"

    @property
    def pace_seconds_per_km(self) -> int | None:
        """Seconds per km while moving, when the distance is known."""
        if not self.distance_km:
            return None
        return round(self.minutes * 60 / float(self.distance_km))
