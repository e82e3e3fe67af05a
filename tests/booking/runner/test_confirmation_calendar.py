"""The booking confirmation page offers the session to every calendar a runner uses:
Apple (the .ics, opened by Calendar), Google, Outlook and the .ics download."""

from datetime import date

import pytest
from django.urls import reverse

from booking.models import Session
from tests.support.page_fixtures import local

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("engine", "clock")]


def book(client, service, therapist, start):
    return client.post(
        reverse("booking:book_confirm", args=[service.pk]),
        {"start": start.isoformat(), "therapist": therapist.pk, "token": "cal-1"},
    )


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        (
            "en",
            [
                "Add it to your calendar",
                "Add to Apple Calendar",
                "Add to Google Calendar",
                "Add to Outlook",
            ],
        ),
        (
            "es",
            [
                "Añádela a tu calendario",
                "Añadir a Calendario de Apple",
                "Añadir a Google Calendar",
                "Añadir a Outlook",
            ],
        ),
    ],
)
def test_the_confirmation_offers_apple_google_outlook_and_ics(
    persona, alice, service, therapist, lang, words
):
    client = persona("alice").page
    client.cookies["django_language"] = lang
    response = book(client, service, therapist, local(date(2026, 3, 4), 10))
    assert response.status_code == 302 and "booked=1" in response["Location"]
    page = client.get(response["Location"]).content.decode()
    session = Session.objects.get(runner=alice)
    ics = reverse("booking:session_ics", args=[session.pk])
    section = page.split('class="add-to-calendar"')[1].split("</section>")[0]
    for word in words:
        assert word in section
    assert f'id="add-apple" href="{ics}"' in section
    assert f'id="add-ics" href="{ics}" download' in section
    assert 'id="add-google" href="https://calendar.google.com/' in section
    assert 'id="add-outlook" href="https://outlook.live.com/' in section
