"""Health notes never reach a log line or an error report, whatever fails."""

import io
import logging

import pytest
from django.core import mail

from clinic.logging import PersonalDataFilter, scrub

NOTE = "Torn left hamstring, on antidepressants"
PHONE = "600 000 000"


@pytest.fixture
def captured_logs():
    """The text the configured handlers write (their filters included)."""
    stream = io.StringIO()
    swapped = []
    for logger_name in ("", "django.request"):
        for handler in logging.getLogger(logger_name).handlers:
            if isinstance(handler, logging.StreamHandler) and any(
                isinstance(f, PersonalDataFilter) for f in handler.filters
            ):
                swapped.append((handler, handler.setStream(stream)))
    assert swapped, "the console handler must carry PersonalDataFilter"
    formatter = logging.Formatter("%(levelname)s %(name)s %(message)s")
    old_formatters = [(h, h.formatter) for h, _ in swapped]
    for h, _ in swapped:
        h.setFormatter(formatter)
    yield stream
    for handler, old in swapped:
        handler.setStream(old)
    for h, f in old_formatters:
        h.setFormatter(f)


@pytest.fixture
def runner_with_note(alice):
    alice.health_notes = NOTE
    alice.save()
    return alice


@pytest.mark.urls("tests.support.urls")
@pytest.mark.parametrize("kind", ["exception", "row"])
def test_a_failing_request_logs_and_reports_without_the_note(
    quiet_client, runner_with_note, captured_logs, settings, kind
):
    settings.ADMINS = [("Ops", "ops@clinic.test")]
    response = quiet_client.get(
        "/test-leak/", {"runner": runner_with_note.pk, "kind": kind, "health_notes": NOTE}
    )
    assert response.status_code == 500
    assert NOTE not in response.content.decode()

    log = captured_logs.getvalue()
    assert "Internal Server Error: /test-leak/" in log
    assert "Traceback" in log  # the traceback is kept, only the values go
    assert NOTE not in log
    assert "Torn" not in log

    # The error report e-mailed to ADMINS: exception text, frame locals, GET/POST.
    assert len(mail.outbox) == 1
    report = mail.outbox[0]
    bodies = [report.body] + [alt[0] for alt in getattr(report, "alternatives", [])]
    for body in bodies:
        assert NOTE not in body
        assert "Torn" not in body
    assert "health_notes" in report.body  # the variable is listed, its value hidden


def test_a_note_posted_to_a_failing_form_is_hidden_in_the_report(rf, settings):
    from django.views.debug import ExceptionReporter

    from clinic.logging import PersonalDataExceptionReporter, PersonalDataReporterFilter

    request = rf.post("/profile/", {"health_notes": NOTE, "phone": PHONE, "city": "x"})
    try:
        _fail_with_personal_data(NOTE)
    except ValueError as exc:
        reporter = PersonalDataExceptionReporter(request, type(exc), exc, exc.__traceback__)
        assert isinstance(reporter.filter, PersonalDataReporterFilter)
        text = reporter.get_traceback_text()
        html = reporter.get_traceback_html()
    for body in (text, html):
        assert NOTE not in body and PHONE not in body
    assert isinstance(reporter, ExceptionReporter)


@pytest.mark.parametrize(
    "text",
    [
        f"health_notes={NOTE!r}",
        f'{{"health_notes": "{NOTE}", "id": 3}}',
        f"runner_note={NOTE}&start=2026",
        f"DETAIL:  Failing row contains (5, 600, Europe/Madrid, {NOTE}, t).",
        f"DETAIL:  Key (runner_id, note)=(5, {NOTE}) already exists.",
        f"therapist_note: '{NOTE}'",
    ],
)
def test_scrub_removes_personal_values(text):
    assert NOTE not in scrub(text)
    assert "[redacted]" in scrub(text)


def test_scrub_leaves_ordinary_text_alone():
    text = "Booked session 42 for runner 7 at 2026-11-26T09:00:00+00:00"
    assert scrub(text) == text


def test_log_arguments_are_scrubbed_too(captured_logs):
    logging.getLogger("booking").warning("profile update %s", {"health_notes": NOTE})
    assert NOTE not in captured_logs.getvalue()
    assert "[redacted]" in captured_logs.getvalue()


# Kept far from the constants: the report shows the source lines around each frame.


def _fail_with_personal_data(note: str) -> None:
    runner_note = note  # noqa: F841 (a frame local the report lists)
    raise ValueError("bad profile " + repr({"health_notes": note}))
