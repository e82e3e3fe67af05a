"""Forms for the runner's profile and race log. Times are entered in the runner's zone."""

import re
import zoneinfo
from datetime import timedelta
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from clinic.forms import Form, body_areas_field
from clinic.models import RacePriority, Therapist
from clinic.policy import MAX_RACE_LENGTH
from runners import uploads
from runners.models import Cadence
from runners.zones import ZoneField

MAX_ICS_BYTES = uploads.ICS.max_bytes


class ProfileForm(Form):
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    phone = forms.CharField(
        label=_("Phone"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    language = forms.ChoiceField(
        label=_("Language for e-mails"), choices=[("en", "English"), ("es", "Español")]
    )
    timezone = ZoneField(initial="Europe/Madrid")
    cadence = forms.ChoiceField(
        label=_("How often do you want a massage?"),
        choices=Cadence.choices,
        widget=forms.RadioSelect,
    )
    reminders_opt_in = forms.BooleanField(label=_("Send me reminders by e-mail"), required=False)
    preferred_therapist = forms.ModelChoiceField(
        label=_("Preferred physiotherapist"),
        queryset=Therapist.objects.none(),
        required=False,
        empty_label=_("Any physiotherapist"),
    )
    discomfort_areas = body_areas_field(_("Usual areas of discomfort"))
    health_notes = forms.CharField(
        label=_("Health notes (injuries, discomfort)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Only you and your clinic's physiotherapists can read this."),
    )

    def __init__(self, *args, clinic=None, **kwargs):
        super().__init__(*args, **kwargs)
        qs = Therapist.objects.filter(active=True)
        if clinic is not None:
            qs = qs.filter(clinic=clinic)
        self.fields["preferred_therapist"].queryset = qs.order_by("display_name")
        self.fields["timezone"].set_current(self.initial.get("timezone"))


# Quick choices for the distance box (a datalist: any other distance may be typed).
QUICK_DISTANCES = (
    (Decimal("5"), _("5K")),
    (Decimal("10"), _("10K")),
    (Decimal("21.0975"), _("Half marathon")),
    (Decimal("42.195"), _("Marathon")),
)


def race_zone(name: str | None, default: zoneinfo.ZoneInfo) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name) if name else default
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return default


def format_duration(duration: timedelta) -> str:
    """What parse_duration reads back: '1:45', or '3d 4:00' for a multi-day race."""
    days, rest = divmod(int(duration.total_seconds()) // 60, 24 * 60)
    hours, minutes = divmod(rest, 60)
    clock = f"{hours}:{minutes:02d}"
    return f"{days}d {clock}" if days else clock


def parse_duration(value: str) -> timedelta | None:
    """'1:45', '1h45', '3:30:00', '90' (minutes), or days for multi-day races: '3d',
    '3 días', '2d 4:30', '72:00'."""
    value = (value or "").strip().lower()
    if not value:
        return None
    m = re.fullmatch(r"(\d{1,2})\s*(?:d|day|days|día|días|dia|dias)\b\s*(.*)", value)
    if m:
        rest = parse_duration(m[2]) if m[2].strip() else timedelta(0)
        return None if rest is None else timedelta(days=int(m[1])) + rest
    m = re.fullmatch(r"(\d{1,3})\s*[:h]\s*(\d{1,2})(?:\s*[:m]\s*(\d{1,2}))?\s*(?:min|m|s)?", value)
    if m:
        h, mins, secs = int(m[1]), int(m[2]), int(m[3] or 0)
        if mins >= 60 or secs >= 60:
            return None
        return timedelta(hours=h, minutes=mins, seconds=secs)
    m = re.fullmatch(r"(\d{1,4})\s*(?:min|m)?", value)
    if m:
        return timedelta(minutes=int(m[1]))
    return None


class RaceForm(Form):
    name = forms.CharField(label=_("Race name"), max_length=200)
    start = forms.DateTimeField(
        label=_("Date and start time"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"],
    )
    timezone = ZoneField(
        label=_("Time zone of the race"),
        required=False,
        help_text=_("Where the race is run: its start time is read in that zone."),
    )
    distance_km = forms.DecimalField(
        label=_("Distance (km)"),
        required=False,
        min_value=Decimal("0.1"),
        max_value=Decimal("1000"),
        decimal_places=4,
        widget=forms.NumberInput(
            attrs={"step": "0.001", "inputmode": "decimal", "list": "quick-distances"}
        ),
        help_text=_("5, 10, 21.0975 (half marathon), 42.195 (marathon) or any other."),
    )
    duration = forms.CharField(
        label=_("Expected duration"),
        required=False,
        help_text=_(
            "For example 1:45 or 50 (minutes); for a race of several days, 3d or 2d 4:00 "
            "(up to 14 days). Leave it empty and we estimate it."
        ),
    )
    priority = forms.ChoiceField(
        label=_("Priority"), choices=RacePriority.choices, initial=RacePriority.B
    )
    location = forms.CharField(label=_("Location"), max_length=200, required=False)

    quick_distances = QUICK_DISTANCES

    def __init__(self, *args, tz: zoneinfo.ZoneInfo, **kwargs):
        self.tz = tz
        super().__init__(*args, **kwargs)
        self.fields["timezone"].initial = tz.key
        zone = self.data.get("timezone") if self.is_bound else self.initial.get("timezone")
        self.fields["timezone"].set_current(zone or tz.key)

    def clean_distance_km(self) -> Decimal | None:
        # To the metre: 21.0975 (a half marathon) is kept as 21.098 km.
        value = self.cleaned_data.get("distance_km")
        return None if value is None else value.quantize(Decimal("0.001"))

    def clean(self) -> dict:
        data = super().clean()
        start = data.get("start")
        if start is not None:
            # The widget gives a wall-clock time: the race's local time, in its own zone.
            zone = race_zone(data.get("timezone"), self.tz)
            data["start"] = start.replace(tzinfo=None).replace(tzinfo=zone)
        return data

    def clean_duration(self) -> timedelta | None:
        raw = self.cleaned_data.get("duration", "")
        if not raw:
            return None
        duration = parse_duration(raw)
        if duration is None:
            raise forms.ValidationError(_("Write the duration as hours:minutes, e.g. 1:45."))
        if duration <= timedelta(0) or duration > MAX_RACE_LENGTH:
            raise forms.ValidationError(_("The duration must be between 1 minute and 14 days."))
        return duration

    def race_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "start": data["start"],
            "finish": data["start"] + data["duration"] if data.get("duration") else None,
            "distance_km": data.get("distance_km"),
            "priority": data["priority"],
            "location": data.get("location", ""),
            "timezone": data.get("timezone") or self.tz.key,
        }


class IcsUploadForm(Form):
    file = forms.FileField(
        label=_("Calendar file (.ics)"),
        help_text=_("Export it from your calendar or race platform. Up to 512 KB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".ics,text/calendar"}),
    )

    def clean_file(self):
        f = self.cleaned_data["file"]
        if f.size > MAX_ICS_BYTES:
            raise forms.ValidationError(
                _("That file is too big (%(size)s KB). The limit is 512 KB."),
                params={"size": f.size // 1024},
            )
        return f
