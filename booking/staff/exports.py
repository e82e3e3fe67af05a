"""CSV exports, streamed: rows are read with a server-side cursor in chunks and written
as they come, so a million sessions never sit in memory."""

import csv
from collections.abc import Iterable, Iterator
from datetime import date

from django.http import StreamingHttpResponse

from clinic.models import Clinic, Therapist

from ..reports import AttendanceReport, sessions_in_period

SESSION_COLUMNS = [
    "id",
    "clinic",
    "therapist",
    "runner_id",
    "runner",
    "service",
    "start_local",
    "end_local",
    "status",
    "price",
    "discomfort_areas",
    "areas_treated",
    "mobilisation_done",
    "race_override_reason",
    "booked_at",
]
REPORT_COLUMNS = [
    "period",
    "booked",
    "attended",
    "no_show",
    "cancelled",
    "late_cancelled",
    "pending",
    "attendance_rate",
]
CHUNK = 2000


class _Echo:
    def write(self, value):
        return value


def _iso(moment, tz) -> str:
    return moment.astimezone(tz).isoformat(timespec="minutes") if moment else ""


def session_rows(
    *, clinic: Clinic, start: date, end: date, therapist: Therapist | None = None
) -> Iterator[list]:
    tz = clinic.tz
    qs = (
        sessions_in_period(clinic=clinic, start=start, end=end, therapist=therapist)
        .order_by("start", "id")
        .values_list(
            "id",
            "therapist__display_name",
            "runner_id",
            "runner__user__first_name",
            "runner__user__last_name",
            "service__name",
            "start",
            "end",
            "status",
            "price",
            "discomfort_areas",
            "areas_treated",
            "mobilisation_done",
            "race_override_reason",
            "created_at",
        )
    )
    yield SESSION_COLUMNS
    for (
        pk,
        therapist_name,
        runner_id,
        first,
        last,
        service,
        s_start,
        s_end,
        status,
        price,
        discomfort,
        treated,
        mobilisation,
        override,
        created,
    ) in qs.iterator(chunk_size=CHUNK):
        yield [
            pk,
            clinic.name,
            therapist_name,
            runner_id,
            f"{first} {last}".strip(),
            service,
            _iso(s_start, tz),
            _iso(s_end, tz),
            status,
            price if price is not None else "",
            " ".join(discomfort or []),
            " ".join(treated or []),
            "" if mobilisation is None else ("yes" if mobilisation else "no"),
            override,
            _iso(created, tz),
        ]


def report_rows(report: AttendanceReport) -> Iterator[list]:
    yield REPORT_COLUMNS
    for r in [*report.rows, report.total]:
        d = r.as_dict()
        if r is report.total:
            d["period"] = "total"
        yield [d[c] if d[c] is not None else "" for c in REPORT_COLUMNS]


def stream_csv(rows: Iterable[list], batch: int = 500) -> Iterator[str]:
    writer = csv.writer(_Echo())
    buffer: list[str] = []
    for row in rows:
        buffer.append(writer.writerow(row))
        if len(buffer) >= batch:
            yield "".join(buffer)
            buffer.clear()
    if buffer:
        yield "".join(buffer)


def csv_response(rows: Iterable[list], filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(stream_csv(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
