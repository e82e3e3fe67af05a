"""What a clinic may brand its pages with: WCAG contrast, the accent and logo checks.

The accent is the background of every button (white text on it) and the colour of every
link (on white), so one ratio against white decides both."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
AA_NORMAL_TEXT = 4.5
WHITE = "#ffffff"


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4


def luminance(colour: str) -> float:
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast(a: str, b: str) -> float:
    """The WCAG 2 contrast ratio of two #rrggbb colours, 1.0 to 21.0."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def accent_problem(colour: str) -> tuple[str, float] | None:
    """None when `colour` is a usable accent; else ("format", 0) or ("contrast", ratio)."""
    if not HEX.match(colour or ""):
        return ("format", 0.0)
    ratio = contrast(colour, WHITE)
    if ratio < AA_NORMAL_TEXT:
        return ("contrast", ratio)
    return None


def validate_accent_colour(value: str) -> None:
    problem = accent_problem(value)
    if problem is None:
        return
    kind, ratio = problem
    if kind == "format":
        raise ValidationError(_("Write the colour as #rrggbb, e.g. #0b5cad."), code="colour")
    raise ValidationError(
        _(
            "This colour is too light: white text on it has a contrast of %(ratio)s:1 and "
            "needs at least 4.5:1. Pick a darker shade."
        ),
        code="contrast",
        params={"ratio": f"{ratio:.1f}"},
    )


def validate_logo(upload) -> None:
    if upload and upload.size > LOGO_MAX_BYTES:
        raise ValidationError(_("The logo may be at most 200 KB."), code="logo_size")


LOGO_MAX_BYTES = 200 * 1024
DEFAULT_ACCENT = "#0b5cad"
