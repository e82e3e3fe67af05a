"""What each e-mail says: language, both parts, links, the .ics, and no health data."""

from datetime import timedelta

import pytest
from icalendar import Calendar

from booking.models import Reminder, Session
from booking.reminders import delivery, links, tasks
from clinic.models import RaceWindow
from devtools.factories import RaceFactory, SessionFactory
from tests.booking.reminders.conftest import booked_at, madrid, past_session

pytestmark = pytest.mark.django_db


def send_cadence(runner, now):
    failed = tasks.run_cadence_batch([runner.pk], now=now)
    assert failed == []


def html_of(message):
    (html, mimetype) = message.alternatives[0]
    assert mimetype == "text/html"
    return html


def test_cadence_reminder_text_and_html_with_unsubscribe_and_routine(
    bob, runner_clinic, scan_day, mailoutbox
):
    send_cadence(bob, scan_day)
    (message,) = mailoutbox
    assert message.to == ["bob@runners.test"]
    assert message.subject == "Time to book your unloading massage"
    assert "every 14 days" in message.body
    html = html_of(message)
    token = links.unsubscribe_token(bob)
    assert f"/reminders/unsubscribe/{token}/" in message.body
    assert f"/reminders/unsubscribe/{token}/" in html
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "Between sessions: " in message.body  # the routine depends on the runner id
    assert "never instead of them" in html
    # Health notes are personal data: never in an e-mail.
    assert "private knee note" not in message.body + html
    reminder = Reminder.objects.get(runner=bob)
    # Never had a session: due from sign-up (the clock fixture's 20 November).
    assert (reminder.kind, reminder.key, reminder.state) == ("cadence", "2026-11-20", "sent")


def test_spanish_runner_gets_spanish_email(alice, runner_clinic, scan_day, mailoutbox):
    alice.user.language = "es"
    alice.user.save()
    send_cadence(alice, scan_day)
    (message,) = mailoutbox
    assert message.subject == "Es hora de reservar tu masaje de descarga"
    assert "Hola Alice" in message.body
    assert "cada 14 días" in message.body
    assert "Dejar de recibir estos recordatorios" in html_of(message)


def test_race_aware_wording_before_a_priority_race(alice, runner_clinic, scan_day, mailoutbox):
    race = RaceFactory(
        runner=alice,
        name="Maratón de Valencia",
        priority="A",
        start=madrid(2026, 12, 6, 8, 30),
        finish=madrid(2026, 12, 6, 12, 30),
        distance_km=42.2,
    )
    RaceWindow.objects.create(
        clinic=runner_clinic, min_distance_km=40, after_race_hours=72, rest_days_before=2
    )
    send_cadence(alice, scan_day)
    body = mailoutbox[0].body
    assert race.name in body
    # Two rest days (Friday, Saturday) before the Sunday race, in Madrid time; 72 h after
    # the expected finish.
    assert "should end by Friday 4 December, 00:00 (Europe/Madrid)" in body
    assert "the first one can be from Wednesday 9 December, 12:30 (Europe/Madrid)" in body


def test_race_aware_wording_after_a_race_just_run(alice, runner_clinic, scan_day, mailoutbox):
    runner_clinic.after_race_hours = 24  # the clinic's own figure (the default is 6 h)
    runner_clinic.save(update_fields=["after_race_hours"])
    RaceFactory(
        runner=alice,
        name="San Silvestre",
        priority="C",
        start=madrid(2026, 11, 25, 18, 0),
        finish=madrid(2026, 11, 25, 19, 0),
    )
    send_cadence(alice, scan_day)
    assert (
        "After San Silvestre your muscles need to settle: the first massage can be from "
        "Thursday 26 November, 19:00 (Europe/Madrid)." in mailoutbox[0].body
    )


def test_no_race_sentence_for_a_b_race_or_a_far_one(alice, runner_clinic, scan_day, mailoutbox):
    RaceFactory(runner=alice, name="Carrera B", priority="B", start=madrid(2026, 12, 6, 9))
    RaceFactory(runner=alice, name="Lejana", priority="A", start=madrid(2027, 5, 1, 9))
    send_cadence(alice, scan_day)
    assert "Carrera B" not in mailoutbox[0].body and "Lejana" not in mailoutbox[0].body


def test_race_too_close_for_a_massage_before_it(alice, runner_clinic, scan_day, mailoutbox):
    RaceFactory(runner=alice, name="Cross", priority="A", start=madrid(2026, 11, 27, 10))
    send_cadence(alice, scan_day)
    assert "it is too close for a massage before it" in mailoutbox[0].body


def test_appointment_reminder_in_clinic_time_with_address_links_and_policy(
    bob, therapist, mailoutbox
):
    now = madrid(2026, 11, 26, 10, 0)
    session = booked_at(
        SessionFactory(runner=bob, therapist=therapist, start=madrid(2026, 11, 27, 9, 45)),
        now - timedelta(days=4),
    )
    assert tasks.run_appointment_batch([session.pk], now=now) == []
    (message,) = mailoutbox
    assert message.subject == (
        "Reminder: your unloading massage on Friday 27 November, 09:45 (Europe/Madrid)"
    )
    html = html_of(message)
    for part in (message.body, html):
        assert "Calle Mayor 1, Madrid" in part
        assert "Lucía Martín" in part
        assert f"/sessions/{session.pk}/reschedule/" in part
        assert f"/sessions/{session.pk}/cancel/" in part
        assert "up to 24 hours before it starts" in part
        assert "private knee note" not in part
    assert "unsubscribe" not in message.body


@pytest.mark.parametrize(
    ("kind", "status", "method"),
    [
        # iTIP (issue 19): a REQUEST updates the event the runner's calendar holds.
        ("confirmation", Session.Status.BOOKED, "REQUEST"),
        ("cancellation", Session.Status.CANCELLED, "CANCEL"),
        ("reschedule", Session.Status.BOOKED, "REQUEST"),
    ],
)
def test_session_emails_carry_an_ics(alice, therapist, mailoutbox, kind, status, method):
    session = SessionFactory(runner=alice, therapist=therapist, status=status)
    assert delivery.send_session_email(session.pk, kind) == delivery.SENT
    (message,) = mailoutbox
    name, content, mimetype = message.attachments[0]
    assert mimetype == f"text/calendar; method={method}" and name.endswith(".ics")
    cal = Calendar.from_ical(content)
    assert str(cal["method"]) == method
    (event,) = [c for c in cal.walk("VEVENT")]
    assert event.decoded("dtstart") == session.start.replace(microsecond=0)
    assert html_of(message)


def test_reschedule_email_names_the_old_time_and_cancels_the_old_event(
    alice, therapist, mailoutbox
):
    old = SessionFactory(
        runner=alice,
        therapist=therapist,
        start=madrid(2026, 12, 1, 10),
        status=Session.Status.CANCELLED,
    )
    new = SessionFactory(
        runner=alice, therapist=therapist, start=madrid(2026, 12, 2, 17), rescheduled_from=old
    )
    delivery.send_session_email(new.pk, "reschedule")
    (message,) = mailoutbox
    assert "moved from Tuesday 1 December, 10:00 (Europe/Madrid)" in message.body
    assert message.subject == (
        "Moved: your unloading massage is now on Wednesday 2 December, 17:00 (Europe/Madrid)"
    )
    assert [a[0] for a in message.attachments] == [
        f"session-{new.pk}.ics",
        f"session-{old.pk}-cancelled.ics",
    ]


def test_spanish_confirmation(alice, therapist, mailoutbox):
    alice.user.language = "es"
    alice.user.save()
    session = SessionFactory(runner=alice, therapist=therapist, start=madrid(2026, 12, 3, 18))
    delivery.send_session_email(session.pk, "confirmation")
    (message,) = mailoutbox
    assert (
        message.subject
        == "Reservado: masaje de descarga el jueves 3 de diciembre, 18:00 (Europe/Madrid)"
    )
    assert "Tu masaje de descarga está reservado" in message.body


def test_a_confirmation_for_a_session_cancelled_meanwhile_is_not_sent(alice, therapist, mailoutbox):
    session = SessionFactory(runner=alice, therapist=therapist, status=Session.Status.CANCELLED)
    assert delivery.send_session_email(session.pk, "confirmation") == delivery.SKIPPED
    assert mailoutbox == []


def test_session_email_is_sent_once(alice, therapist, mailoutbox):
    session = SessionFactory(runner=alice, therapist=therapist)
    assert delivery.send_session_email(session.pk, "confirmation") == delivery.SENT
    assert delivery.send_session_email(session.pk, "confirmation") == delivery.BUSY
    assert len(mailoutbox) == 1


def test_booked_elsewhere_since_the_scan_no_cadence_email(
    alice, therapist, runner_clinic, scan_day, mailoutbox
):
    batches = []
    tasks.run_cadence_scan(now=scan_day, enqueue=batches.append)
    past_session(
        runner=alice,
        therapist=therapist,
        start=scan_day + timedelta(days=3),
        status=Session.Status.BOOKED,
    )
    assert tasks.run_cadence_batch(batches[0], now=scan_day) == []
    assert mailoutbox == []


def test_without_bookable_times_the_reminder_still_goes_out_with_the_booking_page(
    alice, runner_clinic, scan_day, mailoutbox
):
    # No therapist works at this clinic: nothing to suggest.
    send_cadence(alice, scan_day)
    (message,) = mailoutbox
    assert "/reminders/book/" not in message.body
    assert "See all available times: http://127.0.0.1:8000/book/" in message.body


@pytest.mark.parametrize("kind", ["confirmation", "reschedule"])
def test_booked_session_emails_offer_google_outlook_and_apple(alice, therapist, mailoutbox, kind):
    from django.utils import translation

    from booking.engine.calendar import add_to_calendar_links

    session = SessionFactory(runner=alice, therapist=therapist, start=madrid(2026, 12, 3, 18))
    delivery.send_session_email(session.pk, kind)
    (message,) = mailoutbox
    with translation.override("en"):
        expected = add_to_calendar_links(session)  # the confirmation page's links
    ics = links.absolute(f"/sessions/{session.pk}/calendar.ics")
    html = html_of(message)
    assert f"Add to Google Calendar: {expected['google']}" in message.body
    assert f"Add to Outlook: {expected['outlook']}" in message.body
    assert ics in message.body
    assert (
        "ctz=Europe%2FMadrid" in expected["google"]
        and "dates=20261203T180000" in expected["google"]
    )
    for label in ("Add to Google Calendar", "Add to Outlook", "Add to Apple Calendar"):
        assert label in html
    assert expected["google"].replace("&", "&amp;") in html and ics in html


def test_the_cancellation_email_offers_no_calendar_links(alice, therapist, mailoutbox):
    session = SessionFactory(runner=alice, therapist=therapist, status=Session.Status.CANCELLED)
    delivery.send_session_email(session.pk, "cancellation")
    assert "Add to Google Calendar" not in mailoutbox[0].body


def test_spanish_calendar_links(alice, therapist, mailoutbox):
    alice.user.language = "es"
    alice.user.save()
    session = SessionFactory(runner=alice, therapist=therapist, start=madrid(2026, 12, 3, 18))
    delivery.send_session_email(session.pk, "confirmation")
    (message,) = mailoutbox
    assert "Añadir a Google Calendar" in message.body
    # The event itself is titled in Spanish too.
    assert "text=Masaje+de+descarga+con" in message.body
