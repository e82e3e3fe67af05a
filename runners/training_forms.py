"""Forms for the training log: a few taps on a phone (kind as buttons, minutes, how hard
it felt), and the import's upload. Times are entered in the runner's zone."""

import zoneinfo
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from clinic.forms import Form
from runners import uploads
from runners.models import TrainingKind

RPE_CHOICES = [("", _("Not said"))] + [(str(n), str(n)) for n in range(1, 11)]


class TrainingForm(Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=TrainingKind.choices,
        initial=TrainingKind.EASY,
        widget=forms.RadioSelect(attrs={"class": "chips"}),
    )
    start = forms.DateTimeField(
        label=_("Date and start time"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"],
    )
    minutes = forms.IntegerField(
        label=_("Duration (minutes)"),
        min_value=1,
        max_value=24 * 60,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    distance_km = forms.DecimalField(
        label=_("Distance (km)"),
        required=False,
        min_value=Decimal("0.01"),
        max_value=Decimal("1000"),
        decimal_places=3,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )
    rpe = forms.TypedChoiceField(
        label=_("How hard it felt (RPE 1-10)"),
        choices=RPE_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("1 very easy, 5 steady, 7 hard, 10 all out."),
    )
    hard = forms.BooleanField(label=_("I found it demanding"), required=False)
    planned = forms.BooleanField(
        label=_("Planned: I have not done it yet"),
        required=False,
        help_text=_("Plan your hard sessions: we warn you if one falls the day after a massage."),
    )
    name = forms.CharField(label=_("Note (optional)"), max_length=200, required=False)

    def __init__(self, *args, tz: zoneinfo.ZoneInfo, **kwargs):
        self.tz = tz
        super().__init__(*args, **kwargs)

    def clean(self) -> dict:
        data = super().clean()
        start = data.get("start")
        if start is not None:
            # The widget gives a wall-clock time: the runner's local time.
            data["start"] = start.replace(tzinfo=None).replace(tzinfo=self.tz)
        return data

    def training_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "start": data["start"],
            "minutes": data["minutes"],
            "distance_km": data.get("distance_km"),
            "rpe": data.get("rpe"),
            "hard": data.get("hard", False),
            "planned": data.get("planned", False),
            "name": data.get("name", ""),
            "timezone": self.tz.key,
        }


class ActivityUploadForm(Form):
    file = forms.FileField(
        label=_("Activity file (.fit, .gpx, .tcx, a .zip of them, or a plan in .ics)"),
        help_text=_(
            "Export it from your watch or app (Garmin, Coros, Suunto, Wahoo, Strava). Up to "
            "20 MB and 1,000 activities."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".fit,.gpx,.tcx,.zip,.ics"}),
    )

    def clean_file(self):
        f = self.cleaned_data["file"]
        try:
            uploads.check_size(f.size, uploads.ACTIVITIES)
        except uploads.UploadError as exc:
            raise forms.ValidationError(str(exc), code=exc.code) from None
        return f
