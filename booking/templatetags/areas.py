"""Labels of body areas (the runner's discomfort, the areas treated) and sides, from the
models' choices: one list of words, translated, on every page."""

from django import template

from booking.models import Side, TreatedArea
from clinic.models import BodyArea

register = template.Library()

_AREAS = {**dict(BodyArea.choices), **dict(TreatedArea.choices)}
_SIDES = dict(Side.choices)


@register.filter
def area_label(code: str) -> str:
    return str(_AREAS.get(code, code))


@register.filter
def side_label(code: str) -> str:
    return str(_SIDES.get(code, code))
