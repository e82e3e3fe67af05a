"""The .ics race import with malformed, huge and hostile files: a clear error or a safe
preview, never a 500, and nothing stored until the runner confirms."""

import pytest

from runners.models import Race

URL = "/races/import/"
PREVIEW = "/races/import/preview/"
SESSION_KEY_PREFIX = "ics"


def ics(*events: str, head: str = "") -> bytes:
    body = "".join(f"BEGIN:VEVENT\r\n{e}\r\nEND:VEVENT\r\n" for e in events)
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//y//EN\r\n{head}{body}END:VCALENDAR\r\n".encode()


def upload(client, data: bytes, name: str = "races.ics"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(URL, {"file": SimpleUploadedFile(name, data, "text/calendar")})


@pytest.fixture
def runner_client(persona, client, alice):
    client = persona("alice").page
    return client


def nothing_stored(client, alice):
    assert not Race.objects.filter(runner=alice).exists()
    assert not any(k.startswith(SESSION_KEY_PREFIX) or "import" in k for k in client.session.keys())


MALFORMED = {
    "empty": b"",
    "not a calendar": b"%PDF-1.7 binary \x00\x01\x02",
    "truncated": b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:Half",
    "no events": ics(),
    "bad date": ics("SUMMARY:Marathon\r\nDTSTART:20261340T999999"),
    "binary after header": b"BEGIN:VCALENDAR\r\n" + bytes(range(256)) * 20,
    "latin-1": "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:Maratón\r\nDTSTART:20270101T090000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n".encode(
        "latin-1"
    ),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_malformed_files_get_a_clear_error_and_nothing_is_stored(runner_client, alice, case):
    response = upload(runner_client, MALFORMED[case])
    assert response.status_code in (200, 302, 400)
    if response.status_code != 302:
        body = response.content.decode()
        assert 'role="alert"' in body or "error" in body.lower()
        nothing_stored(runner_client, alice)
    else:
        # Readable enough for a preview: still nothing saved until confirmed.
        assert not Race.objects.filter(runner=alice).exists()


def test_a_file_over_the_limit_is_refused_before_parsing(runner_client, alice):
    big = ics("SUMMARY:Marathon\r\nDTSTART:20270101T090000Z") + b"X-PAD:" + b"a" * (600 * 1024)
    response = upload(runner_client, big)
    assert response.status_code in (200, 400)
    assert "too big" in response.content.decode()
    nothing_stored(runner_client, alice)


def test_too_many_events_are_refused(runner_client, alice):
    events = [f"SUMMARY:Race {i}\r\nDTSTART:2027010{1 + i % 9}T090000Z" for i in range(500)]
    response = upload(runner_client, ics(*events))
    assert "at most" in response.content.decode()
    nothing_stored(runner_client, alice)


HOSTILE = {
    "script in the name": "SUMMARY:<script>alert('x')</script> 10K\r\nDTSTART:20270301T090000Z",
    "huge duration": "SUMMARY:Ultra\r\nDTSTART:20270301T090000Z\r\nDURATION:P99999999D",
    "end of time": "SUMMARY:Last race\r\nDTSTART:99991231T230000Z\r\nDURATION:PT5H",
    "year one": "SUMMARY:First race\r\nDTSTART:00010101T000000Z",
    "endless rrule": "SUMMARY:Parkrun\r\nDTSTART:20270301T090000Z\r\nRRULE:FREQ=SECONDLY;COUNT=999999999",
    "giant summary": "SUMMARY:" + "M" * 100_000 + "\r\nDTSTART:20270301T090000Z",
    "unknown zone": "SUMMARY:Trail 30K\r\nDTSTART;TZID=Mars/Olympus:20270301T090000",
    "negative duration": "SUMMARY:Backwards\r\nDTSTART:20270301T090000Z\r\nDURATION:-P3D",
    "control chars": "SUMMARY:Race\x00\x07\x1b[31m\r\nDTSTART:20270301T090000Z",
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_files_never_break_the_import(runner_client, alice, case):
    response = upload(runner_client, ics(HOSTILE[case]))
    assert response.status_code in (200, 302, 400), response.status_code
    if response.status_code == 302:
        preview = runner_client.get(PREVIEW)
        assert preview.status_code == 200
        assert "<script>alert" not in preview.content.decode()
    # Nothing reaches the race log until the runner confirms the preview.
    assert not Race.objects.filter(runner=alice).exists()


def test_nested_components_do_not_exhaust_the_parser(runner_client, alice):
    depth = 5000
    data = (
        b"BEGIN:VCALENDAR\r\n"
        + b"BEGIN:VEVENT\r\n" * depth
        + b"SUMMARY:Deep\r\nDTSTART:20270301T090000Z\r\n"
        + b"END:VEVENT\r\n" * depth
        + b"END:VCALENDAR\r\n"
    )
    response = upload(runner_client, data)
    assert response.status_code in (200, 302, 400)
    assert not Race.objects.filter(runner=alice).exists()


def test_only_runners_may_upload(persona, client, therapist):
    response = upload(client, ics("SUMMARY:10K\r\nDTSTART:20270301T090000Z"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client = persona("therapist").page
    assert upload(client, ics("SUMMARY:10K\r\nDTSTART:20270301T090000Z")).status_code in (302, 403)
