"""The session's .ics download on its page: a plain PUBLISH (no iTIP organizer or
attendee), read the same by both parsers (issue 19)."""

import html
import re
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from booking.models import Session
from devtools.factories import SessionFactory
from tests.support.ical import parse_both

pytestmark = pytest.mark.django_db


def test_the_page_download_stays_a_plain_publish(persona, alice, therapist, service):
    alice_client = persona("alice").page
    for status in (Session.Status.BOOKED, Session.Status.CANCELLED):
        session = SessionFactory(
            runner=alice,
            therapist=therapist,
            service=service,
            status=status,
            start=datetime(2027, 3, 4, 9, tzinfo=UTC),
        )
        response = alice_client.get(reverse("booking:session_ics", args=[session.pk]))
        assert response.status_code == 200
        fields = parse_both(response.content)
        assert fields["method"] == "PUBLISH"
        assert fields["organizer"] == fields["attendee"] == ""
        assert fields["status"] == ("CONFIRMED" if status == Session.Status.BOOKED else "CANCELLED")
        assert fields["start"] == session.start


MADRID = ZoneInfo("Europe/Madrid")


@pytest.mark.parametrize(
    ("start", "offset"),
    [
        # The last Saturday of summer time and the Monday after the change (31 Oct 2027).
        (datetime(2027, 10, 30, 10, tzinfo=MADRID), "+02:00"),
        (datetime(2027, 11, 1, 10, tzinfo=MADRID), "+01:00"),
    ],
)
def test_google_and_outlook_links_carry_the_local_time_across_a_dst_change(
    persona, alice, therapist, service, start, offset
):
    alice_client = persona("alice").page
    session = SessionFactory(runner=alice, therapist=therapist, service=service, start=start)
    page = alice_client.get(reverse("booking:session_detail", args=[session.pk])).content.decode()
    links = {
        urlsplit(html.unescape(href)).netloc: parse_qs(urlsplit(html.unescape(href)).query)
        for href in re.findall(r'href="(https://[^"]+)"', page)
    }
    google = links["calendar.google.com"]
    day = f"{start:%Y%m%d}"
    assert google["dates"] == [f"{day}T100000/{day}T110000"]
    assert google["ctz"] == ["Europe/Madrid"]
    assert google["action"] == ["TEMPLATE"]
    assert "Lucía Martín" in google["text"][0]
    outlook = links["outlook.live.com"]
    assert outlook["startdt"] == [f"{start:%Y-%m-%d}T10:00:00{offset}"]
    assert outlook["enddt"] == [f"{start:%Y-%m-%d}T11:00:00{offset}"]
    # The same moment as the .ics file, which is in UTC.
    ics = parse_both(alice_client.get(reverse("booking:session_ics", args=[session.pk])).content)
    assert ics["start"] == datetime.fromisoformat(outlook["startdt"][0])
