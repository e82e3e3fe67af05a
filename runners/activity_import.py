"""Read trainings from the files watches and apps export, for a preview before they are
saved: .fit (Garmin, Coros, Suunto, Wahoo; fitdecode), .gpx (Strava; gpxpy) and .tcx
(Strava, Garmin; defusedxml), one file or a zip of many.

Each activity becomes a candidate with its start in the activity's own zone (a FIT file
says its local offset; a GPX or TCX file gives UTC, shown in the runner's zone), its
moving time (pauses left out), distance, heart rate and pace when present. A file that
cannot be read becomes a candidate with the problem said in words, so one damaged file
in a zip does not lose the others; an upload that is no activity at all, too big or too
many is refused as a whole (runners.uploads holds the limits).
"""

from __future__ import annotations

import io
import re
import zipfile
import zoneinfo
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from statistics import fmean
from typing import Any

import fitdecode
import gpxpy
import gpxpy.gpx
from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException
from django.utils import timezone
from django.utils.translation import gettext as _

from clinic import text
from runners import uploads
from runners.ics_import import IcsError, guess_distance, parse_ics

SUFFIXES = (".fit", ".gpx", ".tcx")
TCX_NS = "{http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2}"

_KINDS = (
    ("intervals", re.compile(r"interval|tempo|series|fartlek|threshold|umbral|track", re.I)),
    ("race_pace", re.compile(r"race[\s-]?pace|ritmo (de )?carrera|marathon pace", re.I)),
    ("hills", re.compile(r"hill|cuesta|subida", re.I)),
    ("long", re.compile(r"long|tirada|larga", re.I)),
    ("strength", re.compile(r"strength|fuerza|gym|weights", re.I)),
)


@dataclass
class Activity:
    name: str
    start: datetime  # in the activity's zone
    finish: datetime
    minutes: int  # moving
    distance_km: Decimal | None
    avg_hr: int | None
    max_hr: int | None
    timezone: str
    source: str
    kind: str = "easy"
    file: str = ""
    problem: str = ""  # why it will not be imported; empty when it will
    laps: int = 0
    planned: bool = False  # from a training plan's .ics

    @property
    def pace_seconds_per_km(self) -> int | None:
        if not self.distance_km:
            return None
        return round(self.minutes * 60 / float(self.distance_km))

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["start"], data["finish"] = self.start.isoformat(), self.finish.isoformat()
        data["distance_km"] = str(self.distance_km) if self.distance_km is not None else None
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Activity:
        data = dict(data)
        data["start"] = datetime.fromisoformat(data["start"])
        data["finish"] = datetime.fromisoformat(data["finish"])
        data["distance_km"] = Decimal(data["distance_km"]) if data["distance_km"] else None
        return cls(**data)

    def training_fields(self) -> dict[str, Any]:
        """What runners.services.trainings_import takes (a done training)."""
        return {
            "name": self.name,
            "start": self.start,
            "finish": self.finish,
            "minutes": self.minutes,
            "distance_km": self.distance_km,
            "kind": self.kind,
            "avg_hr": self.avg_hr,
            "max_hr": self.max_hr,
            "timezone": self.timezone,
            "source": self.source,
            "planned": self.planned,
        }


class _Unreadable(Exception):
    """One file cannot be read (said on its row)."""


def guess_kind(name: str) -> str:
    for kind, pattern in _KINDS:
        if pattern.search(name):
            return kind
    return "easy"


def zone_for_offset(offset: timedelta | None, at: datetime, runner_tz: zoneinfo.ZoneInfo) -> str:
    """The IANA name for a local offset a file gives: the runner's zone when it has that
    offset then, else a fixed Etc/GMT zone (whole hours; POSIX signs are reversed), else
    the runner's."""
    if offset is None or at.astimezone(runner_tz).utcoffset() == offset:
        return runner_tz.key
    hours, rest = divmod(offset, timedelta(hours=1))
    if rest or not -12 <= hours <= 14:
        return runner_tz.key
    return "Etc/GMT" if hours == 0 else f"Etc/GMT{-hours:+d}"


def _km(metres: float | None) -> Decimal | None:
    if not metres or metres <= 0:
        return None
    return (Decimal(str(metres)) / 1000).quantize(Decimal("0.001"))


def _clean_name(name: str, fallback: str) -> str:
    if text.has_control_characters(name):
        raise _Unreadable(
            _("Its name has invisible control characters (such as NUL): it was left out.")
        )
    return name.strip()[:200] or fallback


def _finish(
    name: str,
    start: datetime,
    end: datetime,
    moving: float,
    metres: float | None,
    hrs: list[int],
    *,
    tz: str,
    source: str,
    laps: int = 0,
    avg_hr: int | None = None,
    max_hr: int | None = None,
) -> Activity:
    zone = zoneinfo.ZoneInfo(tz)
    minutes = max(1, round(moving / 60)) if moving > 0 else max(1, round((end - start) / 60))
    end = max(end, start + timedelta(minutes=minutes))
    return Activity(
        name=name,
        start=start.astimezone(zone),
        finish=end.astimezone(zone),
        minutes=minutes,
        distance_km=_km(metres),
        avg_hr=avg_hr or (round(fmean(hrs)) if hrs else None),
        max_hr=max_hr or (max(hrs) if hrs else None),
        timezone=tz,
        source=source,
        kind=guess_kind(name),
        laps=laps,
    )


def parse_fit(data: bytes, runner_tz: zoneinfo.ZoneInfo, fallback: str) -> Activity:
    session: dict[str, Any] = {}
    laps: list[dict[str, Any]] = []
    records: list[tuple[datetime, int | None]] = []
    local_offset = None
    try:
        with fitdecode.FitReader(io.BytesIO(data), check_crc=fitdecode.CrcCheck.RAISE) as fit:
            for frame in fit:
                if not isinstance(frame, fitdecode.FitDataMessage):
                    continue
                values = {f.name: f.value for f in frame.fields}
                if frame.name == "session":
                    session = values
                elif frame.name == "lap":
                    laps.append(values)
                elif frame.name == "record" and isinstance(values.get("timestamp"), datetime):
                    records.append((values["timestamp"], values.get("heart_rate")))
                elif frame.name == "activity":
                    stamp, local = values.get("timestamp"), values.get("local_timestamp")
                    if isinstance(stamp, datetime) and isinstance(local, int | datetime):
                        local_dt = (
                            local
                            if isinstance(local, datetime)
                            else datetime(1989, 12, 31, tzinfo=UTC) + timedelta(seconds=local)
                        )
                        local_offset = local_dt.replace(tzinfo=UTC) - stamp
    except (fitdecode.FitError, ValueError, TypeError, OverflowError, EOFError) as exc:
        raise _Unreadable(_("The file is damaged and cannot be read.")) from exc
    start = session.get("start_time") or (laps[0].get("start_time") if laps else None)
    if not isinstance(start, datetime) and records:
        start = records[0][0]
    if not isinstance(start, datetime):
        raise _Unreadable(_("No activity with a start time in this file."))
    elapsed = session.get("total_elapsed_time") or sum(
        lap.get("total_elapsed_time") or 0 for lap in laps
    )
    moving = session.get("total_timer_time") or sum(
        lap.get("total_timer_time") or 0 for lap in laps
    )
    metres = session.get("total_distance") or sum(lap.get("total_distance") or 0 for lap in laps)
    end = start + timedelta(seconds=float(elapsed or moving or 0))
    if records:
        end = max(end, records[-1][0])
    hrs = [hr for _t, hr in records if isinstance(hr, int) and 20 < hr < 250]
    tz = zone_for_offset(local_offset, start, runner_tz)
    sport = str(session.get("sub_sport") or session.get("sport") or "")
    name = fallback if not sport or sport in ("generic", "running", "road") else sport
    return _finish(
        _clean_name(name, fallback),
        start,
        end,
        float(moving or 0),
        metres,
        hrs,
        tz=tz,
        source="fit",
        laps=len(laps),
        avg_hr=session.get("avg_heart_rate"),
        max_hr=session.get("max_heart_rate"),
    )


def _safe_xml(data: bytes):
    """Parsed without DTDs or entities (billion laughs, external entities)."""
    try:
        return SafeET.fromstring(data, forbid_dtd=True)
    except (DefusedXmlException, SafeET.ParseError, ValueError) as exc:
        raise _Unreadable(_("The file is damaged and cannot be read.")) from exc


def _aware(moment: datetime) -> tuple[datetime, timedelta | None]:
    """A file's time, and its own offset when it gives one other than UTC."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC), None
    offset = moment.utcoffset()
    return moment, (offset if offset else None)


def parse_gpx(data: bytes, runner_tz: zoneinfo.ZoneInfo, fallback: str) -> Activity:
    _safe_xml(data)
    try:
        gpx = gpxpy.parse(data.decode("utf-8", errors="replace"))
    except (gpxpy.gpx.GPXException, ValueError) as exc:
        raise _Unreadable(_("The file is damaged and cannot be read.")) from exc
    points = [p for track in gpx.tracks for seg in track.segments for p in seg.points if p.time]
    if not points:
        raise _Unreadable(_("No activity with a start time in this file."))
    start, offset = _aware(points[0].time)
    end, _ignored = _aware(points[-1].time)
    moving_data = gpx.get_moving_data()
    moving = moving_data.moving_time if moving_data else 0
    hrs = []
    for point in points:
        for ext in point.extensions:
            for element in ext.iter():
                if element.tag.rsplit("}", 1)[-1] == "hr" and (element.text or "").isdigit():
                    hrs.append(int(element.text))
    name = (gpx.tracks[0].name if gpx.tracks else None) or gpx.name or ""
    return _finish(
        _clean_name(name, fallback),
        start,
        end,
        float(moving or 0),
        gpx.length_2d(),
        hrs,
        tz=zone_for_offset(offset, start, runner_tz),
        source="gpx",
    )


def _tcx_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None


def parse_tcx(data: bytes, runner_tz: zoneinfo.ZoneInfo, fallback: str) -> Activity:
    root = _safe_xml(data)
    activity = root.find(f"{TCX_NS}Activities/{TCX_NS}Activity")
    if activity is None:
        raise _Unreadable(_("No activity with a start time in this file."))
    laps = activity.findall(f"{TCX_NS}Lap")
    times: list[datetime] = []
    hrs: list[int] = []
    moving = metres = 0.0
    max_hr = 0
    for lap in laps:
        moving += float(lap.findtext(f"{TCX_NS}TotalTimeSeconds") or 0)
        metres += float(lap.findtext(f"{TCX_NS}DistanceMeters") or 0)
        max_hr = max(
            max_hr, int(float(lap.findtext(f"{TCX_NS}MaximumHeartRateBpm/{TCX_NS}Value") or 0))
        )
        for point in lap.iter(f"{TCX_NS}Trackpoint"):
            moment = _tcx_time(point.findtext(f"{TCX_NS}Time"))
            if moment is not None:
                times.append(moment)
            hr = point.findtext(f"{TCX_NS}HeartRateBpm/{TCX_NS}Value")
            if hr and hr.strip().isdigit():
                hrs.append(int(hr))
    first = _tcx_time(activity.findtext(f"{TCX_NS}Id")) or (times[0] if times else None)
    if first is None:
        raise _Unreadable(_("No activity with a start time in this file."))
    start, offset = _aware(first)
    end = _aware(times[-1])[0] if times else start + timedelta(seconds=moving)
    sport = activity.get("Sport", "")
    name = fallback if sport in ("", "Running") else sport
    return _finish(
        _clean_name(name, fallback),
        start,
        end,
        moving,
        metres,
        hrs,
        tz=zone_for_offset(offset, start, runner_tz),
        source="tcx",
        laps=len(laps),
        max_hr=max_hr or None,
    )


_PARSERS = {".fit": parse_fit, ".gpx": parse_gpx, ".tcx": parse_tcx}


def _one(name: str, data: bytes, runner_tz: zoneinfo.ZoneInfo) -> Activity:
    suffix = name[name.rfind(".") :].lower() if "." in name else ""
    stem = name.rsplit("/", 1)[-1]
    try:
        activity = _PARSERS[suffix](data, runner_tz, stem[: -len(suffix)] or _("Run"))
    except _Unreadable as exc:
        now = timezone.now()
        return Activity(
            name=stem,
            start=now,
            finish=now,
            minutes=0,
            distance_km=None,
            avg_hr=None,
            max_hr=None,
            timezone=runner_tz.key,
            source=suffix.lstrip("."),
            file=stem,
            problem=str(exc),
        )
    activity.file = stem
    return activity


def _members(data: bytes) -> list[tuple[str, bytes]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = [
            i
            for i in archive.infolist()
            if not i.is_dir() and i.filename.lower().endswith(SUFFIXES)
        ]
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise uploads.UploadError(_("The zip file is damaged and cannot be read.")) from exc
    uploads.check_count(len(infos), uploads.ACTIVITIES)
    # Checked before anything is unpacked: sizes as the archive declares them...
    if sum(i.file_size for i in infos) > uploads.MAX_UNPACKED_BYTES or any(
        i.file_size > uploads.MAX_ZIP_RATIO * max(i.compress_size, 1024) for i in infos
    ):
        raise uploads.UploadError(
            _("The zip unpacks to far more than it holds, so it was not opened."),
            code="zip_bomb",
        )
    out = []
    for info in infos:
        # ...and as read: never more than declared (a forged header).
        try:
            with archive.open(info) as member:
                body = member.read(info.file_size + 1)
        except (zipfile.BadZipFile, ValueError, OSError, NotImplementedError):
            body = b""
        if len(body) > info.file_size:
            raise uploads.UploadError(
                _("The zip unpacks to far more than it holds, so it was not opened."),
                code="zip_bomb",
            )
        out.append((info.filename, body))
    return out


PLAN_DEFAULT_MINUTES = 60


def plan_from_ics(data: bytes, *, runner_tz: zoneinfo.ZoneInfo, now: datetime) -> list[Activity]:
    """Planned trainings from a training plan's calendar: the race import's parser (its
    limits, its hostile-file checks), each event's kind read from its title ("Intervals
    6x800", "Tirada larga 25 km"); without an end, an hour."""
    uploads.check_size(len(data), uploads.ICS)
    try:
        events = parse_ics(data, tz=runner_tz, now=now)
    except IcsError as exc:
        raise uploads.UploadError(str(exc), code=exc.code) from exc
    out = []
    for event in events:
        finish = event.finish or event.start + timedelta(minutes=PLAN_DEFAULT_MINUTES)
        minutes = max(1, round((finish - event.start) / timedelta(minutes=1)))
        too_long = minutes > 24 * 60
        out.append(
            Activity(
                name=event.name,
                start=event.start,
                finish=finish,
                minutes=min(minutes, 24 * 60),
                distance_km=guess_distance(event.name),
                avg_hr=None,
                max_hr=None,
                timezone=event.timezone or runner_tz.key,
                source="ics",
                kind=guess_kind(event.name),
                file=event.name,
                problem=_("Longer than a day") if too_long else event.problem,
                planned=True,
            )
        )
    return out


def parse_upload(
    name: str,
    data: bytes,
    *,
    runner_tz: zoneinfo.ZoneInfo,
    existing: set[datetime] = frozenset(),  # type: ignore[assignment]
) -> list[Activity]:
    """Candidates in start order (unreadable files last, with their problem); a .ics
    gives planned trainings (plan_from_ics). Raises UploadError when the upload cannot be
    used at all."""
    uploads.check_size(len(data), uploads.ACTIVITIES)
    if not data.strip():
        raise uploads.UploadError(_("The file is empty."))
    lower = name.lower()
    if lower.endswith(".ics"):
        found = plan_from_ics(data, runner_tz=runner_tz, now=timezone.now())
        return _mark_known(found, existing)
    if lower.endswith(".zip") or data[:4] == b"PK\x03\x04":
        files = _members(data)
    elif lower.endswith(SUFFIXES):
        files = [(name, data)]
    else:
        raise uploads.UploadError(
            _("Upload a .fit, .gpx or .tcx file, a .zip of them, or a training plan (.ics)."),
            code="invalid_file",
        )
    if not files:
        raise uploads.UploadError(_("The zip has no .fit, .gpx or .tcx files."))
    return _mark_known([_one(file_name, body, runner_tz) for file_name, body in files], existing)


def _mark_known(found: list[Activity], existing: set[datetime]) -> list[Activity]:
    """Those already in the log (the same start, to the minute) or twice in the upload
    are said, not imported again; in start order, the unusable ones last."""
    seen = set(existing)
    for activity in found:
        if activity.problem:
            continue
        key = activity.start.astimezone(UTC).replace(second=0, microsecond=0)
        if key in seen:
            activity.problem = _("Already in your log")
        seen.add(key)
    found.sort(key=lambda a: (bool(a.problem), a.start))
    return found
