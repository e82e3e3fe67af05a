"""One cadence figure everywhere: the profile and the reminder e-mail say what the rules
use (domain.md: fortnightly is 14 days)."""

import pytest
from django.urls import reverse

from booking.reminders import tasks
from runners.models import CADENCE_DAYS, FORTNIGHTLY_DAYS, Cadence

pytestmark = pytest.mark.django_db


def test_fortnightly_is_the_same_figure_on_the_profile_and_in_the_reminder(
    persona, client, bob, runner_clinic, scan_day, mailoutbox
):
    assert bob.cadence == Cadence.FORTNIGHTLY and CADENCE_DAYS[Cadence.FORTNIGHTLY] == 14
    client = persona("bob").page
    page = client.get(reverse("runners:profile")).content.decode()
    assert f"Every {FORTNIGHTLY_DAYS} days" in page
    assert "Every 15 days" not in page
    assert tasks.run_cadence_batch([bob.pk], now=scan_day) == []
    (message,) = mailoutbox
    assert f"every {FORTNIGHTLY_DAYS} days" in message.body


def test_the_spanish_profile_shows_the_same_figure(persona, client, bob):
    client = persona("bob").page
    page = client.get(
        reverse("runners:profile"), headers={"accept-language": "es"}
    ).content.decode()
    assert f"Cada {FORTNIGHTLY_DAYS} días" in page
