"""Staff forms. Parsing only; the rules live in the services."""

import re
from datetime import date, datetime, time, timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

from booking.models import DISCOMFORT_MAX, Side, TreatedArea
from clinic.forms import Form
from clinic.models import WorkingHours
from clinic.services import Interval

_INTERVAL = re.compile(r"^\s*(\d{1,2})(?:[:.h](\d{2}))?\s*[-–]\s*(\d{1,2})(?:[:.h](\d{2}))?\s*$")
END_OF_DAY = time.max.replace(microsecond=0)
MAX_ROWS = 8  # intervals a day


def parse_intervals(weekday: int, text: str) -> list[Interval]:
    """ "09:00-14:00, 15:00-20:00" or "9-14, 15-20" -> intervals; ValidationError with the
    piece that is wrong."""
    result = []
    for piece in filter(None, (p.strip() for p in re.split(r"[,;\n]", text or ""))):
        m = _INTERVAL.match(piece)
        try:
            if not m:
                raise ValueError
            h1, m1, h2, m2 = (int(g or 0) for g in m.groups())
            end = END_OF_DAY if (h2, m2) == (24, 0) else time(h2, m2)
            result.append(Interval(weekday, time(h1, m1), end))
        except ValueError:
            raise forms.ValidationError(
                _("“%(piece)s” is not a time range like 09:00-14:00."),
                params={"piece": piece},
                code="bad_interval",
            ) from None
    return result


def format_intervals(rows) -> str:
    return ", ".join(f"{r.start_time:%H:%M}-{r.end_time:%H:%M}" for r in rows)


def _time_input():
    return forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class WorkingHoursForm(Form):
    """A week of hours from a date: for each weekday, intervals as pairs of time fields
    (d<day>_<i>_start / _end, with _remove), one empty pair to add another, and an
    "add an interval" button that brings one more without JavaScript. A day typed as text
    (day_<day>: "09:00-14:00, 15:00-20:00", as the page had before) is still understood."""

    valid_from = forms.DateField(
        label=_("Apply from"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args, today: date, rows: dict[int, int] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.rows = {}
        for value, _label in WorkingHours.Weekday.choices:
            count = (rows or {}).get(value)
            if count is None and self.is_bound:
                try:
                    count = int(self.data.get(f"d{value}_rows", 1))
                except (TypeError, ValueError):
                    count = 1
            self.rows[value] = max(1, min(MAX_ROWS, count or 1))
            # The day typed as text (not shown; a form field so it is cleaned like any).
            self.fields[f"day_{value}"] = forms.CharField(required=False, max_length=500)
            for i in range(self.rows[value]):
                self.fields[f"d{value}_{i}_start"] = forms.TimeField(
                    label=_("From"), required=False, widget=_time_input()
                )
                self.fields[f"d{value}_{i}_end"] = forms.TimeField(
                    label=_("Until"), required=False, widget=_time_input()
                )
                self.fields[f"d{value}_{i}_remove"] = forms.BooleanField(
                    label=_("Remove"), required=False
                )

    def days(self):
        """For the template: (weekday, label, row count, [(start, end, remove), ...], the
        errors of the day typed as text)."""
        return [
            (
                value,
                label,
                self.rows[value],
                [
                    (
                        self[f"d{value}_{i}_start"],
                        self[f"d{value}_{i}_end"],
                        self[f"d{value}_{i}_remove"],
                    )
                    for i in range(self.rows[value])
                ],
                self[f"day_{value}"].errors,
            )
            for value, label in WorkingHours.Weekday.choices
        ]

    def clean_valid_from(self):
        value = self.cleaned_data["valid_from"]
        if value < self.today:
            raise forms.ValidationError(_("New hours apply from today or a later date."))
        return value

    def clean(self):
        data = super().clean()
        intervals = []
        for value, label in WorkingHours.Weekday.choices:
            typed = data.get(f"day_{value}")
            if f"day_{value}" in self.data and typed is not None:
                try:
                    intervals += parse_intervals(value, typed)
                except forms.ValidationError as err:
                    self.add_error(None, err)
                continue
            for i in range(self.rows[value]):
                start, end = data.get(f"d{value}_{i}_start"), data.get(f"d{value}_{i}_end")
                if data.get(f"d{value}_{i}_remove") or (start is None and end is None):
                    continue
                if start is None or end is None:
                    self.add_error(
                        f"d{value}_{i}_start",
                        _("%(day)s: give both the start and the end.") % {"day": label},
                    )
                    continue
                if end == time.min:  # until 00:00: the end of the day
                    end = END_OF_DAY
                intervals.append(Interval(value, start, end))
        data["intervals"] = intervals
        return data


class TimeOffForm(Form):
    start_date = forms.DateField(
        label=_("From (day)"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    start_time = forms.TimeField(
        label=_("From (time)"),
        required=False,
        help_text=_("Leave empty for the whole day."),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    end_date = forms.DateField(
        label=_("Until (day)"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    end_time = forms.TimeField(
        label=_("Until (time)"),
        required=False,
        help_text=_("Leave empty to include the whole last day."),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    reason = forms.CharField(label=_("Reason"), required=False, max_length=200)

    def __init__(self, *args, tz, **kwargs):
        super().__init__(*args, **kwargs)
        self.tz = tz

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        start = datetime.combine(
            data["start_date"], data.get("start_time") or time.min, tzinfo=self.tz
        )
        if data.get("end_time"):
            end = datetime.combine(data["end_date"], data["end_time"], tzinfo=self.tz)
        else:
            end = datetime.combine(data["end_date"] + timedelta(days=1), time.min, tzinfo=self.tz)
        if end <= start:
            raise forms.ValidationError(_("The time off ends before it starts."))
        data["start"], data["end"] = start, end
        return data


class AttendanceForm(Form):
    """The mark and the treatment record: a side (or not treated) for each area, the
    discomfort before and after, mobilisation and stretching, a note. The service ignores
    the treatment for a no-show or a late cancellation."""

    status = forms.ChoiceField(
        label=_("Attendance"),
        choices=[
            ("attended", _("Attended")),
            ("no_show", _("No-show")),
            ("late_cancelled", _("Cancelled late")),
        ],
        widget=forms.RadioSelect,
    )
    mobilisation_done = forms.BooleanField(
        label=_("Closed with joint mobilisation and stretching"), required=False
    )
    discomfort_before = forms.IntegerField(
        label=_("Discomfort before (0–10)"),
        required=False,
        min_value=0,
        max_value=DISCOMFORT_MAX,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    discomfort_after = forms.IntegerField(
        label=_("Discomfort after (0–10)"),
        required=False,
        min_value=0,
        max_value=DISCOMFORT_MAX,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for area, label in TreatedArea.choices:
            self.fields[f"side_{area}"] = forms.ChoiceField(
                label=label,
                required=False,
                choices=[("", _("Not treated")), *Side.choices],
            )

    def areas(self):
        return [self[f"side_{area}"] for area in TreatedArea.values]

    @staticmethod
    def initial_areas(areas_treated: dict[str, str]) -> dict[str, str]:
        return {f"side_{area}": side for area, side in areas_treated.items()}

    def clean(self):
        data = super().clean()
        data["areas_treated"] = {
            area: data[f"side_{area}"] for area in TreatedArea.values if data.get(f"side_{area}")
        }
        return data


class MoveForm(Form):
    start = forms.DateTimeField(
        label=_("New start"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    therapist = forms.ModelChoiceField(
        label=_("With"), queryset=None, required=False, empty_label=_("Same therapist")
    )

    def __init__(self, *args, tz, therapists=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.tz = tz
        self.fields["therapist"].queryset = therapists
        if therapists is None:
            del self.fields["therapist"]

    def clean_start(self):
        value = self.cleaned_data["start"]
        # The browser sends clinic-local wall time; Django made it aware in UTC (TIME_ZONE).
        return value.replace(tzinfo=None).replace(tzinfo=self.tz)


class ReportFilterForm(Form):
    clinic = forms.ModelChoiceField(
        label=_("Clinic"), queryset=None, required=False, empty_label=None
    )
    therapist = forms.ModelChoiceField(
        label=_("Therapist"), queryset=None, required=False, empty_label=_("All therapists")
    )
    start = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end = forms.DateField(
        label=_("Until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    group_by = forms.ChoiceField(
        label=_("Group by"), choices=[("week", _("Week")), ("month", _("Month"))], required=False
    )

    def __init__(self, *args, clinics, therapists, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["clinic"].queryset = clinics
        self.fields["therapist"].queryset = therapists

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise forms.ValidationError(_("The end comes before the start."))
        if data.get("start") and data.get("end") and (data["end"] - data["start"]).days > 366 * 3:
            raise forms.ValidationError(_("Choose a period of up to three years."))
        return data


class BookForm(Form):
    """Staff book for a runner at a free time of a therapist."""

    runner = forms.ModelChoiceField(label=_("Runner"), queryset=None, widget=forms.RadioSelect)
    service = forms.ModelChoiceField(label=_("Service"), queryset=None, empty_label=None)
    start = forms.DateTimeField(
        label=_("Start"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    override_reason = forms.CharField(
        label=_("Book despite a race rule, because"),
        required=False,
        max_length=500,
        help_text=_(
            "Only if the runner's race rules refuse this time and you know why it is fine."
        ),
    )

    def __init__(self, *args, tz, runners, services, **kwargs):
        super().__init__(*args, **kwargs)
        self.tz = tz
        self.fields["runner"].queryset = runners
        self.fields["runner"].label_from_instance = lambda r: (
            f"{r.user.get_full_name()} · {r.user.email}{f' · {r.phone}' if r.phone else ''}"
        )
        self.fields["service"].queryset = services

    def clean_start(self):
        value = self.cleaned_data["start"]
        return value.replace(tzinfo=None).replace(tzinfo=self.tz)


class StaffProfileForm(Form):
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    language = forms.ChoiceField(
        label=_("Language"),
        choices=[("en", "English"), ("es", "Español")],
        help_text=_("The staff pages and your e-mails come in this language, on every device."),
    )


class NewRunnerForm(Form):
    """A walk-in's account, made by the staff at the desk (runners.services.runner_invite)."""

    first_name = forms.CharField(
        label=_("First name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(label=_("E-mail"))
    phone = forms.CharField(
        label=_("Phone"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel"}),
    )
    language = forms.ChoiceField(
        label=_("Language"),
        choices=[("es", "Español"), ("en", "English")],
        help_text=_("Their e-mails and pages come in this language."),
    )
    consent = forms.BooleanField(
        label=_(
            "The runner agrees that the clinic keeps these details and the notes of their "
            "sessions, and sends them e-mails about their bookings."
        ),
        error_messages={"required": _("Ask the runner first: without their consent, no account.")},
    )
