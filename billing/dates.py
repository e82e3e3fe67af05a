"""Calendar months for packs and memberships (pure)."""

import calendar
from datetime import date, timedelta


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day (31 Jan + 1 → 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def last_valid_day(start: date, months: int) -> date:
    """A validity of `months` from `start` ends the day before the same date that many
    months later: sold on 13 March for a month, valid until 12 April."""
    return add_months(start, months) - timedelta(days=1)
