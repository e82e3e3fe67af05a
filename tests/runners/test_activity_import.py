"""The activity parsers on real-shaped files made here (devtools.activity_files): a FIT
file with laps and heart rate written by a FIT encoder, a GPX without a zone, a TCX with
a pause, corrupt and hostile files, the size and count limits, a zip of 1,000."""

import io
import zipfile
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from devtools import activity_files as af
from runners import uploads
from runners.activity_import import parse_upload

MADRID = ZoneInfo("Europe/Madrid")
# Sunday 29 November 2026, 07:30 UTC = 08:30 in Madrid.
START = datetime(2026, 11, 29, 7, 30, tzinfo=UTC)


def _one(name, data, tz=MADRID):
    (activity,) = parse_upload(name, data, runner_tz=tz)
    return activity


def test_fit_with_laps_and_heart_rate():
    laps = [af.Lap(10, 1800, 130), af.Lap(30, 6500, 160), af.Lap(10, 1700, 140)]
    a = _one("Garmin-1234.fit", af.fit_bytes(START, laps, local_offset=timedelta(hours=1)))
    assert a.problem == "" and a.source == "fit" and a.laps == 3
    assert a.start == START and a.start.utcoffset() == timedelta(hours=1)
    assert a.timezone == "Europe/Madrid"  # the watch's offset is the runner's zone's
    assert a.minutes == 50 and a.distance_km == Decimal("10.000")
    assert a.avg_hr == 150 and a.max_hr == 168  # weighted by time; the highest lap max
    assert a.pace_seconds_per_km == 300  # 5:00 /km


def test_fit_run_abroad_keeps_its_own_offset():
    """A race-pace run in New York: the file says local time is UTC-5."""
    a = _one("ny.fit", af.fit_bytes(START, [af.Lap(30, 6000)], local_offset=timedelta(hours=-5)))
    assert a.timezone == "Etc/GMT+5" and a.start.hour == 2  # 07:30 UTC, 02:30 there


@pytest.mark.parametrize("suffix", ["Z", ""])
def test_gpx_without_zone_is_utc_shown_in_the_runners_zone(suffix):
    a = _one("Morning_Run.gpx", af.gpx_bytes(START, 45, 8.5, zone_suffix=suffix))
    assert a.source == "gpx" and a.name == "Morning Run"
    assert a.start == START and a.timezone == "Europe/Madrid" and a.start.hour == 8
    assert a.minutes == 45 and abs(a.distance_km - Decimal("8.5")) < Decimal("0.05")
    assert a.avg_hr == 145


def test_tcx_with_a_pause_counts_the_time_moving():
    """Two 20-minute stretches with a 7-minute pause: 40 minutes moving, ended 47 in."""
    data = af.tcx_bytes(START, [(20, 4000, 150), (20, 4100, 160)], pause_minutes=7)
    a = _one("activity.tcx", data)
    assert a.source == "tcx" and a.laps == 2
    assert a.minutes == 40 and a.finish - a.start == timedelta(minutes=47)
    assert a.distance_km == Decimal("8.100") and a.avg_hr == 155 and a.max_hr == 170


def test_a_corrupt_file_is_one_row_with_its_reason_the_others_import():
    good = af.gpx_bytes(START, 45, 8.5)
    fit = bytearray(af.fit_bytes(START, [af.Lap(10, 2000)]))
    fit[40] ^= 0xFF  # a flipped byte: the CRC no longer matches
    found = parse_upload(
        "export.zip",
        af.zip_bytes({"a.gpx": good, "b.fit": bytes(fit), "c.tcx": b"<TrainingCenter"}),
        runner_tz=MADRID,
    )
    assert [a.problem for a in found][0] == ""
    assert {a.file for a in found if a.problem} == {"b.fit", "c.tcx"}
    assert all("damaged" in a.problem for a in found if a.problem)


def test_xml_entities_are_refused_not_expanded():
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        b"<gpx><trk><name>&lol2;</name></trk></gpx>"
    )
    assert "damaged" in _one("bomb.gpx", bomb).problem


def test_control_characters_in_a_name_are_refused():
    """A C1 control (CSI, U+009B) is valid XML 1.0 text, so the parser lets it through:
    the import refuses it, as the .ics import does (clinic.text)."""
    assert (
        "control characters"
        in _one("x.gpx", af.gpx_bytes(START, 30, 5, name="Run\u009b2J")).problem
    )


def test_a_50_mb_file_is_refused_before_it_is_read():
    with pytest.raises(uploads.UploadError) as caught:
        parse_upload("huge.gpx", b"<" * (50 * 1024 * 1024), runner_tz=MADRID)
    assert caught.value.code == "file_too_big" and "20 MB" in str(caught.value)


def test_a_zip_bomb_is_refused_unopened():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("big.gpx", b"\x00" * (30 * 1024 * 1024))
    with pytest.raises(uploads.UploadError) as caught:
        parse_upload("bomb.zip", buffer.getvalue(), runner_tz=MADRID)
    assert caught.value.code == "zip_bomb"


def test_a_zip_with_1000_activities_imports_and_1001_is_refused():
    files = {
        f"runs/{i}.gpx": af.gpx_bytes(START - timedelta(days=i), 30, 5, every=60)
        for i in range(1000)
    }
    found = parse_upload("export.zip", af.zip_bytes(files), runner_tz=MADRID)
    assert len(found) == 1000 and not any(a.problem for a in found)
    assert found[0].start < found[-1].start  # in start order
    files["one-more.gpx"] = files["runs/0.gpx"]
    with pytest.raises(uploads.UploadError) as caught:
        parse_upload("export.zip", af.zip_bytes(files), runner_tz=MADRID)
    assert caught.value.code == "too_many_items" and "1000" in str(caught.value)


def test_already_logged_and_twice_in_the_upload_are_said():
    gpx = af.gpx_bytes(START, 30, 5)
    found = parse_upload(
        "e.zip",
        af.zip_bytes({"a.gpx": gpx, "b.gpx": gpx}),
        runner_tz=MADRID,
    )
    assert [a.problem for a in found] == ["", "Already in your log"]
    (again,) = parse_upload("a.gpx", gpx, runner_tz=MADRID, existing={START})
    assert again.problem == "Already in your log"


@pytest.mark.django_db
@pytest.mark.usefixtures("clock")
def test_a_training_plans_ics_gives_planned_trainings():
    plan = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//plan//EN\r\n"
        b"BEGIN:VEVENT\r\nUID:1\r\nSUMMARY:Intervals 6x800\r\n"
        b"DTSTART;TZID=Europe/Madrid:20261208T190000\r\nDURATION:PT1H10M\r\nEND:VEVENT\r\n"
        b"BEGIN:VEVENT\r\nUID:2\r\nSUMMARY:Tirada larga 25 km\r\n"
        b"DTSTART;TZID=Europe/Madrid:20261213T080000\r\nDTEND;TZID=Europe/Madrid:20261213T101500\r\n"
        b"END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    intervals, long_run = parse_upload("plan.ics", plan, runner_tz=MADRID)
    assert intervals.planned and intervals.kind == "intervals" and intervals.minutes == 70
    assert long_run.kind == "long" and long_run.distance_km == Decimal("25.000")
    assert long_run.minutes == 135 and long_run.timezone == "Europe/Madrid"
