"""Time zones a runner picks from: a short list of the common ones (the browser's own
zone is preselected by static/js/forms.js), and any other real "Area/City" zone the
browser reports. Never the aliases a menu of 600 raw names showed ("Factory",
"localtime", "posixrules", "Etc/GMT+3")."""

import zoneinfo

from django import forms
from django.http import HttpRequest, JsonResponse
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

COMMON_ZONES = (
    "Europe/Madrid",
    "Atlantic/Canary",
    "Europe/Lisbon",
    "Europe/London",
    "Europe/Dublin",
    "Europe/Paris",
    "Europe/Brussels",
    "Europe/Amsterdam",
    "Europe/Berlin",
    "Europe/Zurich",
    "Europe/Rome",
    "Europe/Athens",
    "Europe/Helsinki",
    "Africa/Casablanca",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Mexico_City",
    "America/Bogota",
    "America/Lima",
    "America/Caracas",
    "America/Santiago",
    "America/Argentina/Buenos_Aires",
    "America/Sao_Paulo",
    "Asia/Dubai",
    "Asia/Kolkata",
    "Asia/Shanghai",
    "Asia/Tokyo",
    "Australia/Sydney",
    "UTC",
)
_AREAS = ("Africa", "America", "Antarctica", "Asia", "Atlantic", "Australia", "Europe")
_AREAS += ("Indian", "Pacific")
REAL_ZONES = frozenset(
    z for z in zoneinfo.available_timezones() if z.split("/", 1)[0] in _AREAS and "/" in z
) | {"UTC"}


def label(zone: str) -> str:
    return zone.rsplit("/", 1)[-1].replace("_", " ") + f" ({zone})" if "/" in zone else zone


def zone_choices(current: str | None = None) -> list[tuple[str, str]]:
    zones = list(COMMON_ZONES)
    if current and current in REAL_ZONES and current not in zones:
        zones.insert(0, current)
    return [(z, label(z)) for z in zones]


class ZoneField(forms.ChoiceField):
    """The short list, plus any real zone (the browser's own may not be on it)."""

    def __init__(self, *, detect: bool = False, **kwargs):
        kwargs.setdefault("label", _("Time zone"))
        if detect:
            kwargs.setdefault(
                "help_text", _("Your device's zone is chosen for you; change it if it is wrong.")
            )
        super().__init__(choices=zone_choices(), **kwargs)
        if detect:
            self.widget.attrs["data-detect-zone"] = "1"
        # static/js/forms.js adds a search over every real zone (fetched only on use);
        # without JavaScript the short list stays.
        self.widget.attrs["data-zones"] = reverse_lazy("runners:time_zones")
        self.widget.attrs["data-search-label"] = _("Not in the list? Search all time zones")

    def valid_value(self, value) -> bool:
        return value in REAL_ZONES

    def set_current(self, current: str | None) -> None:
        self.choices = zone_choices(current)


@require_GET
@cache_control(max_age=60 * 60 * 24, public=True)
def zone_list(request: HttpRequest) -> JsonResponse:
    """Every zone ZoneField accepts, for the search the forms offer: [[zone, label], ...]."""
    return JsonResponse([[z, label(z)] for z in sorted(REAL_ZONES)], safe=False)
