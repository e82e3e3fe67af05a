"""Real-shaped activity files, as watches and apps export them, for the import tests and
bench_training: a FIT file with laps and heart rate (written by fit-tool, an encoder of
the FIT protocol), a GPX track whose times carry no zone (Strava's UTC "Z" or none at
all), a TCX file with pauses, and a zip of many."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

FIT_EPOCH_OFFSET = 631065600  # 1989-12-31T00:00:00Z as a Unix time


@dataclass(frozen=True)
class Lap:
    minutes: float
    metres: float
    heart_rate: int = 150


def _ms(moment: datetime) -> int:
    return round(moment.timestamp() * 1000)


def fit_bytes(
    start: datetime,
    laps: list[Lap],
    *,
    local_offset: timedelta = timedelta(0),
    every: int = 10,
) -> bytes:
    """A FIT activity: file id, a record every `every` seconds (time, distance, heart
    rate), one lap message per lap, the session and the activity (with the watch's local
    time, so the file says its own offset)."""
    from fit_tool.fit_file_builder import FitFileBuilder
    from fit_tool.profile.messages.activity_message import ActivityMessage
    from fit_tool.profile.messages.file_id_message import FileIdMessage
    from fit_tool.profile.messages.lap_message import LapMessage
    from fit_tool.profile.messages.record_message import RecordMessage
    from fit_tool.profile.messages.session_message import SessionMessage
    from fit_tool.profile.profile_type import FileType, Manufacturer, Sport

    builder = FitFileBuilder(auto_define=True, min_string_size=50)
    file_id = FileIdMessage()
    file_id.type = FileType.ACTIVITY
    file_id.manufacturer = Manufacturer.DEVELOPMENT.value
    file_id.product = 0
    file_id.time_created = _ms(start)
    file_id.serial_number = 0x12345678
    builder.add(file_id)
    moment, metres = start, 0.0
    lap_messages = []
    hrs: list[int] = []
    for lap in laps:
        lap_start, lap_metres = moment, metres
        seconds = int(lap.minutes * 60)
        for second in range(0, seconds, every):
            record = RecordMessage()
            record.timestamp = _ms(lap_start + timedelta(seconds=second))
            record.distance = lap_metres + lap.metres * second / seconds
            record.heart_rate = lap.heart_rate
            hrs.append(lap.heart_rate)
            builder.add(record)
        moment, metres = lap_start + timedelta(seconds=seconds), lap_metres + lap.metres
        message = LapMessage()
        message.timestamp = _ms(moment)
        message.start_time = _ms(lap_start)
        message.total_elapsed_time = seconds
        message.total_timer_time = seconds
        message.total_distance = lap.metres
        message.avg_heart_rate = lap.heart_rate
        message.max_heart_rate = lap.heart_rate + 8
        lap_messages.append(message)
    for message in lap_messages:
        builder.add(message)
    session = SessionMessage()
    session.timestamp = _ms(moment)
    session.start_time = _ms(start)
    session.total_elapsed_time = (moment - start).total_seconds()
    session.total_timer_time = (moment - start).total_seconds()
    session.total_distance = metres
    session.sport = Sport.RUNNING
    session.avg_heart_rate = round(sum(hrs) / len(hrs)) if hrs else None
    session.max_heart_rate = max(lap.heart_rate for lap in laps) + 8
    session.num_laps = len(laps)
    builder.add(session)
    activity = ActivityMessage()
    activity.timestamp = _ms(moment)
    activity.total_timer_time = (moment - start).total_seconds()
    activity.num_sessions = 1
    activity.local_timestamp = int((moment + local_offset).timestamp()) - FIT_EPOCH_OFFSET
    builder.add(activity)
    return builder.build().to_bytes()


def gpx_bytes(
    start: datetime,
    minutes: int,
    km: float,
    *,
    heart_rate: int | None = 145,
    name: str = "Morning Run",
    zone_suffix: str = "Z",
    every: int = 10,
) -> bytes:
    """A GPX track as Strava exports it: times in UTC with "Z" (or, with zone_suffix="",
    no zone at all), a point every `every` seconds heading north, heart rate in the
    Garmin TrackPointExtension."""
    start = start.astimezone(UTC)
    points = []
    steps = minutes * 60 // every
    for i in range(steps + 1):
        moment = start + timedelta(seconds=i * every)
        lat = 40.4 + (km / 111.2) * i / steps
        hr = (
            f"<extensions><gpxtpx:TrackPointExtension><gpxtpx:hr>{heart_rate}</gpxtpx:hr>"
            "</gpxtpx:TrackPointExtension></extensions>"
            if heart_rate
            else ""
        )
        points.append(
            f'<trkpt lat="{lat:.6f}" lon="-3.700000"><ele>650</ele>'
            f"<time>{moment:%Y-%m-%dT%H:%M:%S}{zone_suffix}</time>{hr}</trkpt>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<gpx version="1.1" creator="StravaGPX" xmlns="http://www.topografix.com/GPX/1/1" '
        'xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">'
        f"<metadata><time>{start:%Y-%m-%dT%H:%M:%S}Z</time></metadata>"
        f"<trk><name>{name}</name><type>running</type><trkseg>{''.join(points)}</trkseg></trk>"
        "</gpx>"
    ).encode()


def tcx_bytes(
    start: datetime,
    stretches: list[tuple[int, float, int]],
    *,
    pause_minutes: int = 0,
    every: int = 10,
) -> bytes:
    """A TCX activity of one lap per (minutes, metres, heart rate) stretch, with a pause
    of `pause_minutes` between stretches: the clock runs on, TotalTimeSeconds does not."""
    start = start.astimezone(UTC)
    laps = []
    moment = start
    for minutes, metres, hr in stretches:
        points = []
        for second in range(0, minutes * 60 + 1, every):
            at = moment + timedelta(seconds=second)
            points.append(
                f"<Trackpoint><Time>{at:%Y-%m-%dT%H:%M:%S}Z</Time>"
                f"<DistanceMeters>{metres * second / (minutes * 60):.1f}</DistanceMeters>"
                f"<HeartRateBpm><Value>{hr}</Value></HeartRateBpm></Trackpoint>"
            )
        laps.append(
            f'<Lap StartTime="{moment:%Y-%m-%dT%H:%M:%S}Z">'
            f"<TotalTimeSeconds>{minutes * 60}</TotalTimeSeconds>"
            f"<DistanceMeters>{metres}</DistanceMeters>"
            f"<AverageHeartRateBpm><Value>{hr}</Value></AverageHeartRateBpm>"
            f"<MaximumHeartRateBpm><Value>{hr + 10}</Value></MaximumHeartRateBpm>"
            f"<Intensity>Active</Intensity><TriggerMethod>Manual</TriggerMethod>"
            f"<Track>{''.join(points)}</Track></Lap>"
        )
        moment += timedelta(minutes=minutes + pause_minutes)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/'
        'TrainingCenterDatabase/v2"><Activities><Activity Sport="Running">'
        f"<Id>{start:%Y-%m-%dT%H:%M:%S}Z</Id>{''.join(laps)}</Activity></Activities>"
        "</TrainingCenterDatabase>"
    ).encode()


def zip_bytes(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in files.items():
            archive.writestr(name, body)
    return buffer.getvalue()
