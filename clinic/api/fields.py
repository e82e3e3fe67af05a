"""Serializer fields shared by the API areas."""

from datetime import datetime

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


class AwareDateTimeField(serializers.DateTimeField):
    """An ISO 8601 date-time that must carry its UTC offset: a naive time is ambiguous
    (which zone? which side of a DST change?), so it is refused rather than guessed."""

    default_error_messages = {
        "naive": _("Give the time with its UTC offset, e.g. 2026-12-01T10:00:00+01:00."),
        "out_of_range": _("Give a time between the years 1970 and 2100."),
    }

    def to_internal_value(self, value):
        if isinstance(value, str):
            try:
                parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
            except ValueError:
                parsed = None
            if parsed is not None and parsed.tzinfo is None:
                self.fail("naive")
        elif isinstance(value, datetime) and value.tzinfo is None:
            self.fail("naive")
        parsed = super().to_internal_value(value)
        # Far-off years overflow date arithmetic (a finish estimate, a slot's end).
        if not 1970 <= parsed.year <= 2100:
            self.fail("out_of_range")
        return parsed


class ZonedDateTimeField(AwareDateTimeField):
    """Rendered in a zone taken from the object (the clinic's, the runner's), with its
    offset, so a client shows local time without knowing the zone rules."""

    def __init__(self, *, tz_from, **kwargs):
        self.tz_from = tz_from
        super().__init__(**kwargs)

    def get_attribute(self, instance):
        value = super().get_attribute(instance)
        if value is None:
            return None
        return value.astimezone(self.tz_from(instance))

    def to_representation(self, value):
        if value is None:
            return None
        return value.isoformat()
