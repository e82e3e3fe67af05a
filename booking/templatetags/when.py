"""Dates for the runner's pages in the active language's word order.

`{{ session.start|when:"day" }}` gives "Wednesday 4 March" in English and
"miércoles 4 de marzo" in Spanish; the formats are translatable strings, so each
language sets its own order. Values are converted to the current time zone first
(use it inside `{% timezone clinic.timezone %}`).
"""

from django import template
from django.template.defaultfilters import date as date_filter
from django.utils.translation import gettext_lazy as _

register = template.Library()

FORMATS = {
    # Translators: Django date format for a day, e.g. "Thursday 27 November".
    "day": _("l j F"),
    # Translators: Django date format, e.g. "Thursday 27 November 2026".
    "day_year": _("l j F Y"),
    # Translators: Django date format for an appointment, e.g. "Thursday 27 November, 09:00".
    "day_time": _("l j F, H:i"),
    # Translators: Django date format, e.g. "Thursday 27 November 2026, 09:00".
    "day_year_time": _("l j F Y, H:i"),
    # Translators: short Django date format, e.g. "Thu 27 Nov".
    "short": _("D j M"),
    # Translators: short Django date format, e.g. "Thu 27 Nov, 09:00".
    "short_time": _("D j M, H:i"),
    # Translators: short Django date format, e.g. "Thu 27 Nov 2026, 09:00".
    "short_year_time": _("D j M Y, H:i"),
    # Translators: short Django date format, e.g. "27 Nov 2026".
    "short_year": _("j M Y"),
}


@register.filter(expects_localtime=True)
def when(value, kind: str = "day") -> str:
    if value in (None, ""):
        return ""
    return date_filter(value, str(FORMATS.get(kind, FORMATS["day"])))
