"""CSV exports, streamed: rows are read with a server-side cursor in chunks and written
as they come, so a million sessions never sit in memory.

Every cell is formula-safe (OWASP's CSV injection rule): text that begins with one of
FORMULA_STARTS gets a leading single quote, on both paths (Python, and PostgreSQL's COPY),
so a runner named `=HYPERLINK(...)` reaches the spreadsheet as text, never as a formula.
Numbers the product writes itself (ids, prices, counts, rates) are left as numbers: a
spreadsheet reads `-5` as minus five, not as a formula, and they stay summable."""

import csv
from collections.abc import Iterable, Iterator
from datetime import date

from django.db import connection
from django.http import StreamingHttpResponse

from booking.staff.reports import AttendanceReport, period_bounds, sessions_in_period
from clinic.models import Clinic, Therapist

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

# A spreadsheet evaluates a cell that begins with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def formula_safe(value):
    """The cell as a spreadsheet should take it: text that would start a formula, quoted."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


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
            # Spaces only, as btrim() on the COPY path: the two paths give the same cells.
            f"{first} {last}".strip(" "),
            service,
            _iso(s_start, tz),
            _iso(s_end, tz),
            status,
            price if price is not None else "",
            " ".join(discomfort or []),
            _treated(treated),
            "" if mobilisation is None else ("yes" if mobilisation else "no"),
            override,
            _iso(created, tz),
        ]


def _treated(areas: dict[str, str] | None) -> str:
    """{"calves": "left", "glutes": "both"} -> "calves:left glutes:both" (by area)."""
    return " ".join(f"{area}:{side}" for area, side in sorted((areas or {}).items()))


def report_rows(report: AttendanceReport) -> Iterator[list]:
    yield REPORT_COLUMNS
    for r in [*report.rows, report.total]:
        d = r.as_dict()
        if r is report.total:
            d["period"] = "total"
        yield [d[c] if d[c] is not None else "" for c in REPORT_COLUMNS]


def stream_csv(rows: Iterable[list], batch: int = 500) -> Iterator[str]:
    # Text quoted always: with "\n" rows (as COPY writes them) the csv module would leave a
    # carriage return inside a cell bare, and spreadsheets would split the row there.
    writer = csv.writer(_Echo(), lineterminator="\n", quoting=csv.QUOTE_NONNUMERIC)
    buffer: list[str] = []
    for row in rows:
        buffer.append(writer.writerow([formula_safe(cell) for cell in row]))
        if len(buffer) >= batch:
            yield "".join(buffer)
            buffer.clear()
    if buffer:
        yield "".join(buffer)


def csv_response(chunks: Iterable[str | bytes], filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(chunks, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


# PostgreSQL: the server writes the CSV (COPY ... TO STDOUT), we pass the bytes on.


def _local(column: str) -> str:
    """SQL for an ISO 8601 clinic-local timestamp with its offset, e.g. 2026-11-02T10:00+01:00
    (the same text as datetime.isoformat(timespec="minutes") in Python)."""
    off = (
        f"(EXTRACT(EPOCH FROM (({column}) AT TIME ZONE %(tz)s) - (({column}) AT TIME ZONE 'UTC'))"
        " / 60)::int"
    )
    return (
        f"to_char(({column}) AT TIME ZONE %(tz)s, 'YYYY-MM-DD\"T\"HH24:MI')"
        f" || CASE WHEN {off} < 0 THEN '-' ELSE '+' END"
        f" || to_char(make_interval(mins => abs({off})), 'HH24:MI')"
    )


def _areas(column: str) -> str:
    return f"NULLIF(array_to_string(ARRAY(SELECT jsonb_array_elements_text({column})), ' '), '')"


def _treated_sql(column: str) -> str:
    """SQL for _treated(): "area:side" by area, space-separated."""
    # Composed at import from a constant column name only (as COPY_SQL below).
    return (
        "NULLIF(array_to_string(ARRAY(SELECT key || ':' || value"  # noqa: S608
        f" FROM jsonb_each_text({column}) ORDER BY key COLLATE \"C\"), ' '), '')"
    )


# FORMULA_STARTS as a regular expression's bracket (`-` last, so it is no range).
FORMULA_PATTERN = "^([" + "".join(sorted(FORMULA_STARTS, key=lambda c: c == "-")) + "])"


def _text(expression: str) -> str:
    """SQL for formula_safe(): a quote before a leading FORMULA_STARTS character. Every
    stored text goes through it; the timestamps (to_char, starting with the year's digits)
    and the yes/no column are written by this query and cannot start a formula."""
    return f"regexp_replace({expression}, %(formula)s, '''\\1')"


# Composed at import from constant column names only; every value is a bound parameter.
COPY_SQL = f"""
COPY (
    SELECT s.id, {_text("NULLIF(c.name, '')")}, {_text("NULLIF(t.display_name, '')")},
           s.runner_id, {_text("NULLIF(btrim(u.first_name || ' ' || u.last_name), '')")},
           {_text("NULLIF(sv.name, '')")},
           {_local("s.start")}, {_local('s."end"')}, {_text("s.status")}, s.price,
           {_text(_areas("s.discomfort_areas"))}, {_text(_treated_sql("s.areas_treated"))},
           CASE s.mobilisation_done WHEN true THEN 'yes' WHEN false THEN 'no' END,
           {_text("NULLIF(s.race_override_reason, '')")},
           {_local("s.created_at")}
    FROM booking_session s
    JOIN clinic_clinic c ON c.id = s.clinic_id
    JOIN clinic_therapist t ON t.id = s.therapist_id
    JOIN runners_runner r ON r.id = s.runner_id
    JOIN clinic_user u ON u.id = r.user_id
    JOIN clinic_service sv ON sv.id = s.service_id
    WHERE s.clinic_id = %(clinic)s AND s.start >= %(lo)s AND s.start < %(hi)s
          AND (%(therapist)s::bigint IS NULL OR s.therapist_id = %(therapist)s::bigint)
    ORDER BY s.start, s.id
) TO STDOUT WITH (FORMAT csv)
"""  # noqa: S608

FLUSH_AT = 64 * 1024


def _copy_chunks(params: dict) -> Iterator[bytes]:
    buffer = bytearray()
    with connection.cursor() as cursor:
        # The raw psycopg cursor: COPY rows arrive one by one and leave in 64 KiB chunks.
        with cursor.cursor.copy(COPY_SQL, params) as copy:
            for data in copy:
                buffer += data
                if len(buffer) >= FLUSH_AT:
                    yield bytes(buffer)
                    buffer.clear()
    if buffer:
        yield bytes(buffer)


def sessions_csv(
    *,
    clinic: Clinic,
    start: date,
    end: date,
    therapist: Therapist | None = None,
    header: bool = True,
) -> Iterator[bytes | str]:
    """The sessions of the period as CSV chunks, in constant memory whatever their number."""
    if header:
        yield from stream_csv([SESSION_COLUMNS])
    if connection.vendor != "postgresql":
        rows = session_rows(clinic=clinic, start=start, end=end, therapist=therapist)
        next(rows)  # the header, written above
        yield from stream_csv(rows)
        return
    lo, hi = period_bounds(clinic, start, end)
    yield from _copy_chunks(
        {
            "tz": clinic.timezone,
            "clinic": clinic.pk,
            "lo": lo,
            "hi": hi,
            "therapist": therapist.pk if therapist else None,
            "formula": FORMULA_PATTERN,
        }
    )
