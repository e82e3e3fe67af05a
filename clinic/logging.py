"""Keep personal data (health notes above all) out of logs and error reports.

Three ways a note could leak, and what stops each:
- a log message or traceback text that quotes a field (`health_notes='…'`, a form body,
  a serializer's dict) or a PostgreSQL error that quotes the row (`Failing row contains
  (…)`, `Key (…)=(…)`): `PersonalDataFilter`, attached to every handler, rewrites the
  message and the formatted traceback;
- the variables of each frame and the POST data in an error report (the e-mail to ADMINS,
  the debug page): `PersonalDataReporterFilter` hides any name that looks personal;
- the exception's own text in that report: `PersonalDataExceptionReporter` scrubs it.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from django.template.defaultfilters import pprint
from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

REDACTED = "[redacted]"

# Field and variable names that carry personal or health data in this product.
PERSONAL_NAMES = (
    "health_notes",
    "health_note",
    "runner_note",
    "therapist_note",
    "discomfort_areas",
    "areas_treated",
    "discomfort_before",
    "discomfort_after",
    "race_override_reason",
    "phone",
    "notes",
    "note",
)
_names = "|".join(sorted(PERSONAL_NAMES, key=len, reverse=True))

_TEXT_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    # PostgreSQL quotes the whole row on NOT NULL / CHECK violations, and key values on
    # unique / exclusion violations.
    (re.compile(r"(Failing row contains ).*?(?=\n\n|\Z)", re.S), r"\1(" + REDACTED + ")."),
    (
        re.compile(r"(Key \([^=]*?\)=)\(.*?\)(?= already exists| conflicts with)", re.S),
        r"\1(" + REDACTED + ")",
    ),
    # name='value' / "name": "value" / name=value (form bodies, reprs, kwargs, JSON).
    (
        re.compile(
            r"""(?P<k>['"]?\b(?:""" + _names + r""")\b['"]?\s*[:=]\s*)"""
            r"""(?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|\[[^\]]*\]|[^,;&\s)}\]]*)""",
            re.I,
        ),
        r"\g<k>'" + REDACTED + "'",
    ),
]


def scrub(text: str) -> str:
    """The text with personal field values replaced by [redacted]."""
    for pattern, replacement in _TEXT_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class PersonalDataFilter(logging.Filter):
    """A handler filter: the message and the traceback leave with personal values scrubbed.

    It formats the record once (message with its arguments, exception text) and stores the
    scrubbed result, so no formatter later re-renders the raw values.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is not ours to fix here
            message = str(record.msg)
        record.msg = scrub(message)
        record.args = None
        if record.exc_info and record.exc_info[0] is not None and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        return True


class PersonalDataReporterFilter(SafeExceptionReporterFilter):
    """Django's filter, plus every variable, POST field or dict key with a personal name."""

    hidden_settings = re.compile(
        r"API|AUTH|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE|" + _names, flags=re.I
    )

    def is_active(self, request) -> bool:
        # Also with DEBUG on: a developer's screenshot of the debug page is a leak too.
        return True

    def cleanse_setting(self, key, value):
        cleansed = super().cleanse_setting(key, value)
        if isinstance(cleansed, str) and cleansed != self.cleansed_substitute:
            cleansed = scrub(cleansed)
        return cleansed

    def get_post_parameters(self, request):
        if request is None:
            return {}
        cleansed = super().get_post_parameters(request).copy()
        for key in list(cleansed):
            if self.hidden_settings.search(key):
                cleansed[key] = self.cleansed_substitute
        return cleansed

    def get_cleansed_multivaluedict(self, request, multivaluedict):
        multivaluedict = super().get_cleansed_multivaluedict(request, multivaluedict).copy()
        for key in list(multivaluedict):
            if self.hidden_settings.search(key):
                multivaluedict[key] = self.cleansed_substitute
        return multivaluedict

    def get_traceback_frame_variables(self, request, tb_frame):
        variables = super().get_traceback_frame_variables(request, tb_frame)
        return [(name, self._cleanse_variable(name, value)) for name, value in variables]

    def _cleanse_variable(self, name: str, value: Any) -> Any:
        value = self.cleanse_setting(name, value)
        if value is None or isinstance(value, bool | int | float | _Shown):
            return value
        try:
            shown = pprint(value)
        except Exception:
            return value
        scrubbed = scrub(shown)
        return value if scrubbed == shown else _Shown(scrubbed)


class _Shown(str):
    """A variable's scrubbed representation, shown as is (not quoted again)."""

    def __repr__(self) -> str:
        return str(self)


class PersonalDataExceptionReporter(ExceptionReporter):
    """Django's error report with the exception's own text scrubbed."""

    def get_traceback_data(self) -> dict[str, Any]:
        data = super().get_traceback_data()
        if self.request is not None and data.get("request_GET_items") is not None:
            data["request_GET_items"] = [
                (k, self.filter.cleansed_substitute if self.filter.hidden_settings.search(k) else v)
                for k, v in self.request.GET.items()
            ]
        for key in ("request_full_path", "request_insecure_uri"):
            if isinstance(data.get(key), str):
                data[key] = scrub(data[key])
        if data.get("exception_value"):
            data["exception_value"] = scrub(str(data["exception_value"]))
        for frame in data.get("frames", []):
            if frame.get("exc_cause") is not None:
                frame["exc_cause"] = scrub(str(frame["exc_cause"]))
        return data
