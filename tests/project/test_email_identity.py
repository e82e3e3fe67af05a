"""Every e-mail the product sends names the clinic (or, with no clinic to name, the
product: the Sites record, from SITE_NAME and SITE_DOMAIN), never Django's placeholder
"example.com"."""

from datetime import time as datetime_time
from datetime import timedelta
from email.utils import parseaddr

import pytest
from django.conf import settings
from django.contrib.sites.models import Site
from django.core.management import call_command
from django.utils import timezone

from booking.models import FreedTime, Reminder, Session, WaitlistEntry, WaitlistOffer
from booking.reminders import delivery
from devtools.factories import PASSWORD, RaceFactory, SessionFactory

PLACEHOLDER = "example.com"


def _whole(message) -> str:
    parts = [message.subject, message.body, message.from_email, *message.reply_to]
    parts += [content for content, _mimetype in getattr(message, "alternatives", [])]
    return "\n".join(str(p) for p in parts)


def _allauth_emails(client) -> None:
    """Sign-up (address confirmation), a password reset, a reset for an unknown address."""
    client.post(
        "/accounts/signup/",
        {"first_name": "Nina", "email": "newcomer@runners.test", "password1": PASSWORD},
    )
    client.logout()
    client.post("/accounts/password/reset/", {"email": "alice@runners.test"})
    client.post("/accounts/password/reset/", {"email": "nobody@runners.test"})


def _booking_emails(alice, bob, therapist, service) -> None:
    """One e-mail of every kind booking sends (confirmation, move, cancellation, the 24 h
    reminder and the cadence reminder), through the same path as the worker."""
    now = timezone.now()
    tomorrow = SessionFactory(
        runner=alice, therapist=therapist, service=service, start=now + timedelta(hours=20)
    )
    # Booked well ahead, as the 24 h reminder expects.
    Session.objects.filter(pk=tomorrow.pk).update(created_at=now - timedelta(days=7))
    cancelled = SessionFactory(
        runner=alice,
        therapist=therapist,
        service=service,
        start=now + timedelta(days=3),
        status=Session.Status.CANCELLED,
    )
    rows = [
        Reminder(runner=alice, kind="confirmation", key="c", session=tomorrow),
        Reminder(runner=alice, kind="reschedule", key="r", session=tomorrow),
        Reminder(runner=alice, kind="appointment", key="a", session=tomorrow),
        Reminder(runner=alice, kind="cancellation", key="x", session=cancelled),
        Reminder(runner=bob, kind="cadence", key="due"),
    ]
    # A race logged later that ends an hour before the session: too soon after it.
    race = RaceFactory(
        runner=alice,
        start=tomorrow.start - timedelta(hours=3),
        finish=tomorrow.start - timedelta(hours=1),
    )
    rows.append(Reminder(runner=alice, kind="race_conflict", key=f"r{race.pk}@x", session=tomorrow))
    # A freed time offered to alice from the waitlist.
    entry = WaitlistEntry.objects.create(
        runner=alice,
        clinic=service.clinic,
        service=service,
        first_day=timezone.localdate(now),
        last_day=timezone.localdate(now) + timedelta(days=5),
        earliest=datetime_time(0),
        latest=datetime_time(23, 59),
    )
    start = tomorrow.start + timedelta(days=1)
    freed = FreedTime.objects.create(
        therapist=therapist, start=start, end=start + service.duration, reason="by_hand"
    )
    WaitlistOffer.objects.create(
        freed=freed,
        entry=entry,
        runner=alice,
        therapist=therapist,
        service=service,
        start=start,
        expires_at=now + timedelta(hours=2),
    )
    rows.append(Reminder(runner=alice, kind="waitlist_offer", key=f"w{freed.pk}"))
    assert {r.kind for r in rows} == set(Reminder.Kind.values)  # a new kind joins this test
    for row in rows:
        row.save()
        assert delivery.deliver(row.pk, now=now) == delivery.SENT, row.kind


def test_no_email_says_example_com(client, alice, bob, therapist, service, mailoutbox):
    _allauth_emails(client)
    allauth_count = len(mailoutbox)
    assert allauth_count == 3
    _booking_emails(alice, bob, therapist, service)
    assert len(mailoutbox) == allauth_count + len(Reminder.Kind.values)
    for message in mailoutbox:
        assert PLACEHOLDER not in _whole(message), message.subject
    for message in mailoutbox[:allauth_count]:
        # Account e-mails are in the clinic's name (the only clinic here), from its address.
        assert message.subject.startswith("[Fisio Running Madrid] "), message.subject
        assert parseaddr(message.from_email)[0] == "Fisio Running Madrid", message.from_email
        assert "Fisio Running Madrid" in message.body
        assert settings.SITE_DOMAIN in message.body
    for message in mailoutbox[allauth_count:]:
        assert "Fisio Running Madrid" in message.body  # the clinic signs booking e-mails
        assert parseaddr(message.from_email)[0] == "Fisio Running Madrid"


@pytest.mark.django_db(transaction=True)
def test_the_site_follows_the_settings_on_every_migrate(client, settings, mailoutbox):
    from devtools.factories import RunnerFactory, UserFactory

    settings.SITE_NAME = "Fisio Running"
    settings.SITE_DOMAIN = "citas.fisiorunning.test"
    call_command("migrate", verbosity=0)
    site = Site.objects.get_current()
    assert (site.domain, site.name) == ("citas.fisiorunning.test", "Fisio Running")
    RunnerFactory(user=UserFactory(email="alice@runners.test"))
    client.post("/accounts/password/reset/", {"email": "alice@runners.test"})
    (message,) = mailoutbox
    assert message.subject.startswith("[Fisio Running] ")
    assert "citas.fisiorunning.test" in message.body
