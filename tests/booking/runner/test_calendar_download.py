"""The session's .ics download on its page: a plain PUBLISH (no iTIP organizer or
attendee), read the same by both parsers (issue 19)."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from booking.models import Session
from devtools.factories import SessionFactory
from tests.support.ical import parse_both

pytestmark = pytest.mark.django_db


def test_the_page_download_stays_a_plain_publish(alice_client, alice, therapist, service):
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
