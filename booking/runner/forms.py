"""Forms for the booking pages: parse what the runner picked; the engine decides."""

from datetime import date, datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from booking.engine.series import DEFAULT_PLAN_COUNT, MAX_SERIES, MIN_PLAN_ON_PAGE
from clinic.forms import Form, body_areas_field


def parse_day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def parse_start(value: str | None) -> datetime | None:
    """An aware instant from the query string; naive or malformed input is refused."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace(" ", "+"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


class ConfirmForm(Form):
    REPEAT_ONCE = "once"
    REPEAT_PLAN = "plan"

    discomfort_areas = body_areas_field(_("Any areas of discomfort? (optional)"))
    runner_note = forms.CharField(
        label=_("Anything your physiotherapist should know? (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    repeat = forms.ChoiceField(
        label=_("How many sessions?"),
        choices=[(REPEAT_ONCE, _("Just this one")), (REPEAT_PLAN, _("Book my plan"))],
        initial=REPEAT_ONCE,
        widget=forms.RadioSelect,
        required=False,
    )
    count = forms.TypedChoiceField(
        label=_("Sessions in the plan"),
        choices=[(n, str(n)) for n in range(MIN_PLAN_ON_PAGE, MAX_SERIES + 1)],
        coerce=int,
        initial=DEFAULT_PLAN_COUNT,
        required=False,
    )
    token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)
