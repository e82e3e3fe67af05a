"""Text people send us: control characters are refused, with one code and one sentence.

Refused: the C0 controls except tab, line feed and carriage return (NUL, bell, escape...),
DEL, and the C1 controls (U+0080-U+009F). None of them belongs in a name, a note or a
query; NUL makes PostgreSQL refuse the write (a 500), and the others hide in exports,
e-mails and terminals (an escape sequence in a runner's name). Tab, LF and CR stay: notes
have lines. Everything else in Unicode passes (lone surrogates are refused by DRF and
cannot arrive through a form).

Enforced in four places, all calling this module: the API's parsers (every request body,
clinic.api.parsers), every form of the project and of allauth (clinic.forms), the query
string and path of every request (clinic.middleware.ControlCharactersMiddleware) and the
.ics race import (runners.ics_import).
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

CODE = "control_characters"
MESSAGE = _(
    "This text contains invisible control characters (such as NUL). Remove them and try again."
)

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def has_control_characters(value: str) -> bool:
    return _CONTROL.search(value) is not None


def validate_no_control_characters(value) -> None:
    """A Django validator (forms and models): ValidationError with code `control_characters`."""
    if isinstance(value, str) and has_control_characters(value):
        raise ValidationError(MESSAGE, code=CODE)


def first_with_control_characters(data) -> str | None:
    """Where in a parsed request body (dicts, lists, strings) a control character hides:
    the top-level field's name, "" for the body itself, None when it is clean."""

    def found(value) -> bool:
        if isinstance(value, str):
            return has_control_characters(value)
        if isinstance(value, dict):
            return any(found(k) or found(v) for k, v in value.items())
        if isinstance(value, list | tuple):
            return any(found(v) for v in value)
        return False

    if hasattr(data, "lists"):  # a QueryDict: every value of every key
        data = dict(data.lists())
    if isinstance(data, dict):
        for key, value in data.items():
            if found(key):
                return ""
            if found(value):
                return str(key)
        return None
    return "" if found(data) else None
