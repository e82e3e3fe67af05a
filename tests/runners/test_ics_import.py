"""The .ics reader and the duration field, without the database."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from runners.forms import parse_duration
from runners.ics_import import IcsError, guess_distance, parse_ics

MADRID = ZoneInfo("Europe/Madrid")
NOW = datetime(2026, 3, 1, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _english():
    # A page test before may leave another language active in this thread.
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("1:45", timedelta(hours=1, minutes=45)),
        ("3:30:15", timedelta(hours=3, minutes=30, seconds=15)),
        ("1h05", timedelta(hours=1, minutes=5)),
        ("50", timedelta(minutes=50)),
        ("50 min", timedelta(minutes=50)),
        ("", None),
        ("1:75", None),
        ("soon", None),
    ],
)
def test_parse_duration(raw, expected):
    assert parse_duration(raw) == expected


@pytest.mark.parametrize(
    "name,km",
    [
        ("Valencia Marathon", Decimal("42.2")),
        ("Media Maratón de Madrid", Decimal("21.1")),
        ("Half-Marathon Lisboa", Decimal("21.1")),
        ("San Silvestre 10K", Decimal("10")),
        ("Trail 25 km", Decimal("25")),
        ("Cross popular", None),
    ],
)
def test_guess_distance(name, km):
    assert guess_distance(name) == km


def test_events_with_a_tzid_keep_their_wall_time_across_dst():
    data = b"""BEGIN:VCALENDAR
VERSION:2.0
BEGIN:VEVENT
UID:a
SUMMARY:Maraton de Madrid
DTSTART;TZID=Europe/Madrid:20260426T090000
DTEND;TZID=Europe/Madrid:20260426T130000
END:VEVENT
END:VCALENDAR
"""
    [race] = parse_ics(data, tz=MADRID, now=NOW)
    assert race.start.astimezone(UTC) == datetime(2026, 4, 26, 7, 0, tzinfo=UTC)  # CEST
    assert race.finish - race.start == timedelta(hours=4)


def test_floating_times_are_read_in_the_runners_zone():
    data = b"BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:10K\nDTSTART:20260315T093000\nEND:VEVENT\nEND:VCALENDAR\n"
    [race] = parse_ics(data, tz=MADRID, now=NOW)
    assert race.start == datetime(2026, 3, 15, 9, 30, tzinfo=MADRID)
    assert race.finish is None and race.distance_km == Decimal("10")


def test_an_end_before_the_start_is_ignored_and_estimated_later():
    data = b"BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:R\nDTSTART:20260315T093000Z\nDTEND:20260315T080000Z\nEND:VEVENT\nEND:VCALENDAR\n"
    [race] = parse_ics(data, tz=MADRID, now=NOW)
    assert race.finish is None


def test_candidates_survive_the_session_round_trip():
    data = b"BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:Half marathon\nDTSTART:20260315T093000Z\nLOCATION:Sevilla\nEND:VEVENT\nEND:VCALENDAR\n"
    [race] = parse_ics(data, tz=MADRID, now=NOW)
    from runners.ics_import import Candidate

    assert Candidate.from_json(race.as_json()) == race


def test_a_png_renamed_to_ics_is_refused():
    with pytest.raises(IcsError, match="not an iCalendar file"):
        parse_ics(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, tz=MADRID, now=NOW)
