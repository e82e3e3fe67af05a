"""The race log: add, edit, delete, the windows each race blocks, and .ics import."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from clinic.models import RaceWindow
from devtools.factories import RaceFactory
from runners.models import Race
from tests.support.page_fixtures import MADRID

pytestmark = pytest.mark.django_db


def test_add_a_race_in_local_time_with_estimated_finish(persona, alice, clock):
    alice_client = persona("alice").page
    response = alice_client.post(
        reverse("runners:race_add"),
        {
            "name": "Valencia Marathon",
            "start": "2026-03-15T08:30",
            "distance_km": "42.2",
            "priority": "A",
        },
    )
    assert response.status_code == 302
    race = Race.objects.get(runner=alice)
    assert race.start == datetime(2026, 3, 15, 8, 30, tzinfo=MADRID)
    assert race.finish > race.start and race.priority == "A"


def test_add_a_race_with_a_duration(persona, alice, clock):
    alice_client = persona("alice").page
    alice_client.post(
        reverse("runners:race_add"),
        {"name": "Half", "start": "2026-03-15T09:00", "duration": "1:45", "priority": "B"},
    )
    race = Race.objects.get(runner=alice)
    assert race.finish - race.start == timedelta(hours=1, minutes=45)


@pytest.mark.parametrize(
    "data,field",
    [
        ({"name": "", "start": "2026-03-15T09:00", "priority": "B"}, "name"),
        ({"name": "X", "start": "tomorrow", "priority": "B"}, "start"),
        (
            {"name": "X", "start": "2026-03-15T09:00", "duration": "abc", "priority": "B"},
            "duration",
        ),
        (
            {"name": "X", "start": "2026-03-15T09:00", "distance_km": "-3", "priority": "B"},
            "distance_km",
        ),
    ],
)
def test_bad_race_input_is_explained_next_to_the_field(persona, alice, data, field):
    alice_client = persona("alice").page
    response = alice_client.post(reverse("runners:race_add"), data)
    assert response.status_code == 200
    assert f'id="id_{field}"' in response.content.decode()
    assert "aria-invalid" in response.content.decode()
    assert not Race.objects.exists()


def test_race_list_shows_the_windows_a_race_blocks(persona, alice, clinic, clock):
    alice_client = persona("alice").page
    RaceWindow.objects.create(
        clinic=clinic, min_distance_km=Decimal("42"), after_race_hours=72, before_race_hours=48
    )
    start = datetime(2026, 3, 15, 8, 30, tzinfo=MADRID)
    RaceFactory(
        runner=alice,
        name="Valencia Marathon",
        start=start,
        finish=start + timedelta(hours=4),
        distance_km=Decimal("42.2"),
    )
    RaceFactory(
        runner=alice,
        name="Old 10K",
        start=start - timedelta(days=40),
        finish=start - timedelta(days=40, hours=-1),
    )
    html = alice_client.get(reverse("runners:races")).content.decode()
    assert "Valencia Marathon" in html
    assert "No massage from Fri 13 Mar, 08:30 to Wed 18 Mar, 12:30" in html
    assert "(48 h before the start, 72 h after the finish)" in html
    assert "Past races" in html and "Old 10K" in html


def test_race_list_in_spanish(es_client, alice, clock):
    RaceFactory(runner=alice, name="Maratón de Sevilla")
    html = es_client.get(reverse("runners:races")).content.decode()
    assert "Mis carreras" in html and "Sin masaje desde" in html


def test_edit_and_delete_own_race(persona, alice, clock):
    alice_client = persona("alice").page
    race = RaceFactory(runner=alice, name="City 10K")
    response = alice_client.post(
        reverse("runners:race_edit", args=[race.pk]),
        {
            "name": "City 10K (new date)",
            "start": "2026-04-12T10:00",
            "duration": "0:55",
            "priority": "C",
        },
    )
    assert response.status_code == 302
    race.refresh_from_db()
    assert race.name == "City 10K (new date)" and race.finish - race.start == timedelta(minutes=55)
    assert alice_client.get(reverse("runners:race_delete", args=[race.pk])).status_code == 200
    assert alice_client.post(reverse("runners:race_delete", args=[race.pk])).status_code == 302
    assert not Race.objects.filter(pk=race.pk).exists()


def test_another_runners_race_is_not_found(persona, bob):
    alice_client = persona("alice").page
    race = RaceFactory(runner=bob)
    assert alice_client.get(reverse("runners:race_edit", args=[race.pk])).status_code == 404
    assert alice_client.post(reverse("runners:race_delete", args=[race.pk])).status_code == 404
    assert Race.objects.filter(pk=race.pk).exists()


ICS = b"""BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//test//EN
BEGIN:VEVENT
UID:1@test
SUMMARY:Valencia Half Marathon
DTSTART:20260322T080000Z
DTEND:20260322T100000Z
LOCATION:Valencia
END:VEVENT
BEGIN:VEVENT
UID:2@test
SUMMARY:Trail 25K
DTSTART;VALUE=DATE:20260405
END:VEVENT
BEGIN:VEVENT
UID:3@test
SUMMARY:Old race
DTSTART:20250101T080000Z
DURATION:PT1H
END:VEVENT
END:VCALENDAR
"""


def _upload(client, content: bytes, name="races.ics"):
    return client.post(
        reverse("runners:race_import"),
        {"file": SimpleUploadedFile(name, content, content_type="text/calendar")},
    )


def test_ics_import_previews_then_imports_the_ticked_races(persona, alice, clock):
    alice_client = persona("alice").page
    response = _upload(alice_client, ICS)
    assert response.status_code == 302
    preview = alice_client.get(response["Location"]).content.decode()
    assert "Valencia Half Marathon" in preview and "Trail 25K" in preview
    assert "Already past" in preview
    assert not Race.objects.exists()  # nothing saved before the runner confirms
    response = alice_client.post(reverse("runners:race_import_preview"), {"pick": ["0", "1", "2"]})
    assert response.status_code == 302
    races = {r.name: r for r in Race.objects.filter(runner=alice)}
    assert set(races) == {"Valencia Half Marathon", "Trail 25K"}
    assert races["Valencia Half Marathon"].distance_km == Decimal("21.1")
    assert races["Trail 25K"].distance_km == Decimal("25")
    assert races["Trail 25K"].start == datetime(2026, 4, 5, 9, 0, tzinfo=MADRID)


def test_ics_import_skips_races_already_in_the_log(persona, alice, clock):
    alice_client = persona("alice").page
    RaceFactory(
        runner=alice,
        name="Valencia Half Marathon",
        start=datetime(2026, 3, 22, 8, 0, tzinfo=MADRID)
        .replace(tzinfo=None)
        .replace(tzinfo=__import__("datetime").UTC),
    )
    _upload(alice_client, ICS)
    preview = alice_client.get(reverse("runners:race_import_preview")).content.decode()
    assert "Already in your log" in preview


@pytest.mark.parametrize(
    "content,message",
    [
        (b"", "empty"),
        (b"hello, this is a CSV\n1,2,3", "That is not an iCalendar file"),
        (b"BEGIN:VCALENDAR\nVERSION:2.0\nEND:VCALENDAR\n", "The calendar file has no events."),
        (
            b"BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:notadate\nEND:VEVENT\nEND:VCALENDAR",
            "None of the events has a start date",
        ),
        (b"BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:20260101T000000Z\n", "damaged"),
    ],
)
def test_bad_ics_files_get_a_clear_error(persona, alice, content, message):
    alice_client = persona("alice").page
    response = _upload(alice_client, content)
    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert not Race.objects.exists()


def test_huge_ics_file_is_refused_before_reading(persona, alice):
    alice_client = persona("alice").page
    response = _upload(alice_client, b"BEGIN:VCALENDAR\n" + b"X" * (600 * 1024))
    assert response.status_code == 200
    assert "That file is too big" in response.content.decode()


def test_too_many_events_are_refused(persona, alice, clock):
    alice_client = persona("alice").page
    events = b"".join(
        b"BEGIN:VEVENT\nUID:%d@t\nSUMMARY:R\nDTSTART:20260601T080000Z\nEND:VEVENT\n" % i
        for i in range(201)
    )
    response = _upload(
        alice_client, b"BEGIN:VCALENDAR\nVERSION:2.0\n" + events + b"END:VCALENDAR\n"
    )
    assert "import at most 200 at a time" in response.content.decode()


def test_bad_ics_error_in_spanish(es_client, alice):
    response = _upload(es_client, b"not a calendar")
    assert "No es un archivo iCalendar" in response.content.decode()


def test_race_list_shows_the_clinics_own_figures_not_fixed_ones(persona, alice, clinic, clock):
    alice_client = persona("alice").page
    clinic.before_race_hours, clinic.after_race_hours = 36, 12
    clinic.save(update_fields=["before_race_hours", "after_race_hours"])
    start = datetime(2026, 3, 15, 8, 30, tzinfo=MADRID)
    RaceFactory(runner=alice, name="Half", start=start, finish=start + timedelta(hours=2))
    html = alice_client.get(reverse("runners:races")).content.decode()
    assert "(36 h before the start, 12 h after the finish)" in html
    assert "No massage from Fri 13 Mar, 20:30 to Sun 15 Mar, 22:30" in html
