"""Dates for the runner's pages in the active language's word order.

`{{ session.start|when:"day" }}` gives "Wednesday 4 March" in English and
"miércoles, 4 de marzo" in Spanish; the formats are translatable strings, so each
language sets its own order. "day", "day_year" and "day_year_time" stand alone (a
heading, a list, a definition); "day_time" sits inside a sentence ("until Wednesday 4
March, 10:00"), where Spanish drops the comma after the weekday. Values are converted to the current time zone first
(use it inside `{% timezone clinic.timezone %}`).
"""

from django import template
from django.template.defaultfilters import date as date_filter
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

register = template.Library()

FORMATS = {
    # Translators: Django date format for a day standing alone (a heading, a list), e.g.
    # "Thursday 27 November"; Spanish: "l, j \d\e F" ("jueves, 27 de noviembre").
    "day": pgettext_lazy("standalone date", "l j F"),
    # Translators: Django date format standing alone, e.g. "Thursday 27 November 2026".
    "day_year": pgettext_lazy("standalone date", "l j F Y"),
    # Translators: Django date format inside a sentence ("until Thursday 27 November, 09:00").
    "day_time": _("l j F, H:i"),
    # Translators: Django date format standing alone, e.g. "Thursday 27 November 2026, 09:00".
    "day_year_time": pgettext_lazy("standalone date", "l j F Y, H:i"),
    # Translators: short Django date format, e.g. "Thu 27 Nov".
    "short": _("D j M"),
    # Translators: short Django date format, e.g. "Thu 27 Nov, 09:00".
    "short_time": _("D j M, H:i"),
    # Translators: short Django date format, e.g. "Thu 27 Nov 2026, 09:00".
    "short_year_time": _("D j M Y, H:i"),
    # Translators: Django date format for a month heading, e.g. "March 2026"; Spanish:
    # "F \d\e Y" ("marzo de 2026").
    "month": pgettext_lazy("standalone date", "F Y"),
    # Translators: short Django date format, e.g. "27 Nov 2026".
    "short_year": _("j M Y"),
    # Translators: Django date format inside a sentence, e.g. "valid until 12 March";
    # Spanish: "j \d\e F" ("hasta el 12 de marzo").
    "day_month": _("j F"),
}


@register.filter(expects_localtime=True)
def when(value, kind: str = "day") -> str:
    if value in (None, ""):
        return ""
    return date_filter(value, str(FORMATS.get(kind, FORMATS["day"])))


@register.filter
def pace(seconds_per_km) -> str:
    """A running pace, e.g. "5:30 /km", from seconds per km."""
    if not seconds_per_km:
        return ""
    minutes, seconds = divmod(int(seconds_per_km), 60)
    return _("%(min)d:%(sec)02d /km") % {"min": minutes, "sec": seconds}
