"""The signed links in reminder e-mails: unsubscribe and one-click book, without login."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from booking.models import Session
from booking.reminders import tasks
from booking.reminders.links import book_link_from_token, book_token, unsubscribe_token
from devtools.factories import RunnerFactory, SessionFactory, TherapistFactory, UserFactory
from tests.booking.reminders.conftest import madrid

pytestmark = pytest.mark.django_db


@pytest.fixture
def csrf_client():
    """Like a mail client or a browser with no session: CSRF checks on, no login."""
    return Client(enforce_csrf_checks=True)


def unsubscribe_url(runner):
    return reverse("reminders:unsubscribe", args=[unsubscribe_token(runner)])


def test_unsubscribe_get_only_asks(client, alice):
    response = client.get(unsubscribe_url(alice))
    assert response.status_code == 200
    assert b"Stop the reminders" in response.content
    alice.refresh_from_db()
    assert alice.reminders_opt_in is True


def test_unsubscribe_post_turns_cadence_reminders_off_without_login(
    csrf_client, alice, runner_clinic, scan_day
):
    response = csrf_client.post(unsubscribe_url(alice))
    assert response.status_code == 200
    assert "you will not get any more" in response.content.decode()
    alice.refresh_from_db()
    assert alice.reminders_opt_in is False
    assert tasks.run_cadence_scan(now=scan_day, enqueue=lambda ids: None) == 0


def test_unsubscribe_one_click_post_from_the_email_header(alice, runner_clinic, scan_day, client):
    """RFC 8058: the mail client POSTs List-Unsubscribe=One-Click to the header's URL."""
    tasks.run_cadence_batch([alice.pk], now=scan_day)
    from django.core import mail

    header = mail.outbox[0].extra_headers["List-Unsubscribe"].strip("<>")
    path = header.split("://", 1)[1].split("/", 1)[1]
    response = Client(enforce_csrf_checks=True).post(
        "/" + path, data="List-Unsubscribe=One-Click", content_type="text/plain"
    )
    assert response.status_code == 200
    alice.refresh_from_db()
    assert alice.reminders_opt_in is False


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),
        lambda t: t.replace(t.split(":")[0], "eyJyIjoyfQ"),  # another runner's id
        lambda t: "nonsense",
    ],
)
def test_a_tampered_unsubscribe_token_is_refused(client, alice, bob, mangle):
    token = mangle(unsubscribe_token(alice))
    response = client.post(reverse("reminders:unsubscribe", args=[token]))
    assert response.status_code == 400
    assert b"This link is not valid" in response.content
    alice.refresh_from_db()
    bob.refresh_from_db()
    assert alice.reminders_opt_in and bob.reminders_opt_in


def test_the_unsubscribe_page_speaks_the_runners_language(client, alice):
    alice.user.language = "es"
    alice.user.save()
    response = client.get(unsubscribe_url(alice))
    assert "Desactivar los recordatorios" in response.content.decode()


@pytest.fixture
def at_scan_day(clock, scan_day):
    """The test's body runs frozen at the scan (its fixtures were made on the 20th)."""
    with clock.travel(scan_day):
        yield scan_day


def book_url(runner, therapist, service, start):
    token = book_token(
        runner_id=runner.pk, therapist_id=therapist.pk, service_id=service.pk, start=start
    )
    return reverse("reminders:book", args=[token])


def test_the_cadence_email_offers_three_slots_preferred_therapist_first(
    clock, alice, therapist, service, runner_clinic, scan_day, mailoutbox
):
    other = TherapistFactory(clinic=runner_clinic, display_name="Javier Ruiz")
    alice.preferred_therapist = other
    alice.save()
    tasks.run_cadence_batch([alice.pk], now=scan_day)
    body = mailoutbox[0].body
    links = [line.strip() for line in body.splitlines() if "/reminders/book/" in line]
    assert len(links) == 3
    lines = [line for line in body.splitlines() if line.startswith("- ")]
    assert "Javier Ruiz" in lines[0]
    # Spread over different days, not three neighbouring quarter hours.
    days = {line[2:].split(",")[0] for line in lines}
    assert len(days) == 3
    # Every suggestion passes the validator: following its link books it.
    link = links[0].split("://", 1)[1].split("/", 1)[1]
    with clock.travel(scan_day):
        response = Client().post("/" + link)
    assert response.status_code == 200, response.content.decode()
    session = Session.objects.get(runner=alice)
    assert session.therapist == other


def test_suggestions_keep_clear_of_a_priority_race(
    alice, therapist, service, runner_clinic, scan_day, mailoutbox
):
    from devtools.factories import RaceFactory

    race = RaceFactory(
        runner=alice, name="Media de Madrid", priority="A", start=madrid(2026, 11, 28, 9)
    )
    tasks.run_cadence_batch([alice.pk], now=scan_day)
    (message,) = mailoutbox
    assert "Media de Madrid" in message.body
    for token_line in [ln for ln in message.body.splitlines() if "/reminders/book/" in ln]:
        token = token_line.strip().rstrip("/").rsplit("/", 1)[-1]
        link = book_link_from_token(token)
        end = link.start + service.duration
        assert end <= race.start - timedelta(hours=48) or link.start >= race.finish + timedelta(
            hours=24
        )


def test_book_link_get_shows_a_confirm_page_and_books_nothing(
    client, alice, therapist, service, at_scan_day
):
    start = madrid(2026, 11, 27, 10, 0)
    response = client.get(book_url(alice, therapist, service, start))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Friday 27 November, 10:00 (Europe/Madrid)" in text
    assert "Confirm the booking" in text
    assert Session.objects.count() == 0


def test_book_link_post_books_without_login_and_only_once(
    csrf_client, alice, therapist, service, at_scan_day
):
    start = madrid(2026, 11, 27, 10, 0)
    url = book_url(alice, therapist, service, start)
    first = csrf_client.post(url)
    second = csrf_client.post(url)
    assert first.status_code == second.status_code == 200
    session = Session.objects.get()
    assert (session.runner, session.therapist, session.start) == (alice, therapist, start)
    assert "Your massage is booked" in second.content.decode()


def test_book_link_for_a_taken_slot_says_why_and_offers_others(
    client, alice, bob, therapist, service, at_scan_day
):
    start = madrid(2026, 11, 27, 10, 0)
    SessionFactory(runner=bob, therapist=therapist, service=service, start=start)
    response = client.post(book_url(alice, therapist, service, start))
    assert response.status_code == 409
    text = response.content.decode()
    assert "Someone has just booked that time with Lucía Martín" in text
    suggestions = text.split('class="suggestions"', 1)[1].split("</ul>", 1)[0]
    assert suggestions.count('href="/reminders/book/') == 3
    assert Session.objects.filter(runner=alice).count() == 0


def test_a_tampered_or_expired_book_link_is_refused(
    clock, client, alice, therapist, service, at_scan_day
):
    start = madrid(2026, 11, 27, 10, 0)
    url = book_url(alice, therapist, service, start)
    assert client.post(url[:-3] + "xx/").status_code == 400
    with clock.travel(at_scan_day + timedelta(days=15)):
        assert client.get(url).status_code == 400
    assert Session.objects.count() == 0


def test_a_book_link_opened_while_logged_in_as_someone_else_is_refused(
    client, alice, therapist, service, at_scan_day
):
    other = RunnerFactory(user=UserFactory(email="carol@runners.test"))
    client.force_login(other.user)
    response = client.post(book_url(alice, therapist, service, madrid(2026, 11, 27, 10)))
    assert response.status_code == 403
    assert Session.objects.count() == 0


# Links of a deactivated account, and links followed again.


def test_a_deactivated_runners_links_no_longer_book_or_unsubscribe(
    csrf_client, alice, therapist, service, at_scan_day
):
    alice.user.is_active = False
    alice.user.save(update_fields=["is_active"])
    url = book_url(alice, therapist, service, madrid(2026, 11, 27, 10, 0))
    for response in (csrf_client.get(url), csrf_client.post(url)):
        assert response.status_code == 410
        text = response.content.decode()
        assert "This link no longer works" in text and "Confirm the booking" not in text
    response = csrf_client.post(unsubscribe_url(alice))
    assert response.status_code == 410
    assert "This link no longer works" in response.content.decode()
    alice.refresh_from_db()
    assert Session.objects.count() == 0 and alice.reminders_opt_in is True


def test_the_links_of_a_deleted_account_no_longer_work(
    client, alice, therapist, service, at_scan_day
):
    from booking.runner.account import runner_account_delete

    url = book_url(alice, therapist, service, madrid(2026, 11, 27, 10, 0))
    unsubscribe = unsubscribe_url(alice)
    runner_account_delete(runner=alice)
    assert client.post(url).status_code == 410
    assert client.post(unsubscribe).status_code == 410
    assert Session.objects.count() == 0


def test_a_link_followed_again_after_cancelling_says_cancelled_never_booked(
    csrf_client, alice, therapist, service, at_scan_day
):
    from booking.engine.services import session_cancel

    url = book_url(alice, therapist, service, madrid(2026, 11, 27, 10, 0))
    assert csrf_client.post(url).status_code == 200
    session_cancel(session=Session.objects.get(), by=alice.user)
    for response in (csrf_client.get(url), csrf_client.post(url)):
        text = response.content.decode()
        assert "This session was cancelled" in text, text
        assert "is booked" not in text and "Confirm the booking" not in text
    assert response.status_code == 409  # the POST asked to book; nothing was booked
    assert Session.objects.get().status == Session.Status.CANCELLED
    assert Session.objects.count() == 1


def test_a_link_followed_again_after_a_move_shows_the_sessions_new_time(
    client, alice, therapist, service, at_scan_day
):
    from booking.engine.services import session_reschedule

    url = book_url(alice, therapist, service, madrid(2026, 11, 27, 10, 0))
    client.post(url)
    session_reschedule(
        session=Session.objects.get(), start=madrid(2026, 11, 27, 12, 0), by=alice.user
    )
    text = client.get(url).content.decode()
    assert "Your massage is booked" in text and "Confirm the booking" not in text
    assert "Friday 27 November, 12:00 (Europe/Madrid)" in text
    assert Session.objects.count() == 1
