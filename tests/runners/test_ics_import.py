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
        # Multi-day races (stage races, ultras): days, with or without hours.
        ("3d", timedelta(days=3)),
        ("3 días", timedelta(days=3)),
        ("2d 4:30", timedelta(days=2, hours=4, minutes=30)),
        ("72:00", timedelta(hours=72)),
    ],
)
def test_parse_duration(raw, expected):
    assert parse_duration(raw) == expected


@pytest.mark.parametrize(
    "name,km",
    [
        ("Valencia Marathon", Decimal("42.195")),
        ("Media Maratón de Madrid", Decimal("21.098")),
        ("Half-Marathon Lisboa", Decimal("21.098")),
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


def _event(lines: str) -> bytes:
    return ("BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\nSUMMARY:Stage race\n" + lines).encode() + (
        b"END:VEVENT\nEND:VCALENDAR\n"
    )


def test_an_all_day_event_over_three_days_covers_every_day():
    # Friday to Sunday (DTEND is exclusive): it ends at midnight after Sunday, so Sunday
    # and Monday morning are inside the race and its window, never bookable.
    [race] = parse_ics(
        _event("DTSTART;VALUE=DATE:20260410\nDTEND;VALUE=DATE:20260413\n"), tz=MADRID, now=NOW
    )
    assert race.start == datetime(2026, 4, 10, 9, 0, tzinfo=MADRID)
    assert race.finish == datetime(2026, 4, 13, 0, 0, tzinfo=MADRID)
    assert race.problem == ""


def test_a_one_day_all_day_event_lasts_the_whole_day():
    [race] = parse_ics(_event("DTSTART;VALUE=DATE:20260410\n"), tz=MADRID, now=NOW)
    assert race.finish == datetime(2026, 4, 11, 0, 0, tzinfo=MADRID)


def test_a_multi_day_end_and_a_duration_are_kept_up_to_14_days():
    [by_end] = parse_ics(
        _event("DTSTART:20260410T070000Z\nDTEND:20260413T150000Z\n"), tz=MADRID, now=NOW
    )
    assert by_end.finish - by_end.start == timedelta(days=3, hours=8)
    [by_duration] = parse_ics(
        _event("DTSTART:20260410T070000Z\nDURATION:P6D\n"), tz=MADRID, now=NOW
    )
    assert by_duration.finish - by_duration.start == timedelta(days=6)


def test_an_event_over_14_days_is_not_imported_and_says_why():
    [race] = parse_ics(
        _event("DTSTART:20260410T070000Z\nDTEND:20260430T070000Z\n"), tz=MADRID, now=NOW
    )
    assert race.problem == "Longer than 14 days"


def test_an_event_abroad_keeps_its_own_zone():
    [race] = parse_ics(
        _event("DTSTART;TZID=America/New_York:20261101T091000\n"), tz=MADRID, now=NOW
    )
    assert race.timezone == "America/New_York"
    assert race.start.astimezone(UTC) == datetime(2026, 11, 1, 14, 10, tzinfo=UTC)
    from runners.ics_import import Candidate

    assert Candidate.from_json(race.as_json()).timezone == "America/New_York"
