"""Staff run the day from the agenda and a session's page: book for a runner at a free
time, move (to another time or a colleague), cancel after a confirmation. Real engine."""

import pytest
from django.urls import reverse

from booking.models import Session
from clinic import services as schedule
from devtools.factories import RunnerFactory, TherapistFactory, UserFactory
from tests.booking.staff.conftest import at

pytestmark = pytest.mark.django_db

NOW = at(2026, 11, 16, 8)  # Monday


@pytest.fixture
def colleague(clinic):
    return TherapistFactory(clinic=clinic, display_name="Marta Ruiz")


@pytest.mark.clock(NOW)
def test_moving_a_session_to_a_colleague_lands_on_a_page_the_therapist_may_see(
    persona, client, therapist, colleague, make_session, alice
):
    # Regression: the success message was shown above a 403 page (the colleague's
    # "sessions in the way", which a therapist may not open).
    s = make_session(at(2026, 11, 18, 10), runner=alice)
    schedule.time_off_add(therapist=therapist, start=at(2026, 11, 18, 0), end=at(2026, 11, 19, 0))
    client = persona("therapist").page
    r = client.post(
        reverse("staff:session-move", args=[s.pk]),
        {f"s{s.pk}-start": "2026-11-18T10:00", f"s{s.pk}-therapist": colleague.pk},
        follow=True,
    )
    assert r.status_code == 200
    assert "Session moved; the runner gets an e-mail." in r.content.decode()
    assert r.redirect_chain[-1][0] == f"{reverse('staff:in-the-way')}?therapist={therapist.pk}"
    s.refresh_from_db()
    assert s.therapist == colleague and s.start == at(2026, 11, 18, 10)


@pytest.mark.clock(NOW)
def test_move_from_the_session_page_and_a_refusal_says_why(
    persona, client, therapist, colleague, make_session
):
    s = make_session(at(2026, 11, 18, 10))
    client = persona("therapist").page
    page = client.get(reverse("staff:session", args=[s.pk])).content.decode()
    assert reverse("staff:session-move", args=[s.pk]) in page and "Marta Ruiz" in page
    # Saturday: the therapist does not work; the session page says so, with other times.
    r = client.post(
        reverse("staff:session-move", args=[s.pk]),
        {"back": "session", f"s{s.pk}-start": "2026-11-21T10:00"},
    )
    assert r.status_code == 400 and "does not work at that time" in r.content.decode()
    assert "Nearest times that work" in r.content.decode()
    r = client.post(
        reverse("staff:session-move", args=[s.pk]),
        {
            "back": "session",
            f"s{s.pk}-start": "2026-11-19T12:00",
            f"s{s.pk}-therapist": colleague.pk,
        },
    )
    assert r.status_code == 302 and r["Location"] == reverse("staff:session", args=[s.pk])
    s.refresh_from_db()
    assert (s.therapist, s.start) == (colleague, at(2026, 11, 19, 12))
    # Now a colleague's session: the therapist sees it, but cannot move or cancel it.
    page = client.get(reverse("staff:session", args=[s.pk])).content.decode()
    assert reverse("staff:session-move", args=[s.pk]) not in page


@pytest.mark.clock(NOW)
def test_cancel_asks_first_and_says_the_runner_is_emailed(
    persona, client, therapist, make_session, alice
):
    s = make_session(at(2026, 11, 18, 10), runner=alice)
    client = persona("therapist").page
    page = client.get(reverse("staff:session", args=[s.pk])).content.decode()
    confirm = reverse("staff:session-cancel", args=[s.pk])
    assert f"{confirm}?back=agenda" in page
    r = client.get(f"{confirm}?back=agenda")
    html = r.content.decode()
    assert r.status_code == 200 and "Cancel this session?" in html
    assert "The runner is e-mailed at alice@runners.test" in html
    s.refresh_from_db()
    assert s.status == "booked"  # asking cancels nothing
    r = client.post(confirm, {"back": "agenda"})
    assert r.status_code == 302 and r["Location"] == f"{reverse('staff:agenda')}?date=2026-11-18"
    s.refresh_from_db()
    assert s.status == Session.Status.CANCELLED
    # The runner's cancellation e-mail is recorded with the change (the outbox sends it).
    assert s.reminders.filter(kind="cancellation").count() == 1
    r = client.get(confirm, HTTP_ACCEPT_LANGUAGE="es")
    assert "no hay nada que cancelar" in r.content.decode()  # already cancelled, in Spanish
    assert "¿Cancelar esta sesión?" in r.content.decode()


@pytest.mark.clock(NOW)
def test_book_for_a_runner_from_a_free_time(persona, client, therapist, service, alice, bob):
    carla = RunnerFactory(
        clinic=therapist.clinic,
        user=UserFactory(email="carla@runners.test", first_name="Carla", last_name="Gómez"),
        phone="+34 600 123 456",
    )
    client = persona("therapist").page
    day = client.get(f"{reverse('staff:agenda')}?date=2026-11-18").content.decode()
    book = f"{reverse('staff:book')}?therapist={therapist.pk}&amp;start=2026-11-18T10:00"
    assert "Free times" in day and book in day
    url = f"{reverse('staff:book')}?therapist={therapist.pk}&start=2026-11-18T10:00"
    for q, found, not_found in [
        ("bob run", "Bob Runner", "Alice"),
        ("alice@runners", "Alice Runner", "Bob"),
        ("600 123", "Carla Gómez", "Bob"),
    ]:
        html = client.get(f"{url}&q={q}").content.decode()
        assert found in html and not_found not in html, q
        assert 'value="2026-11-18T10:00"' in html
    r = client.get(f"{url}&q=nobody")
    assert "No runner of the clinic matches that" in r.content.decode()
    r = client.post(
        reverse("staff:book"),
        {
            "therapist": therapist.pk,
            "runner": carla.pk,
            "service": service.pk,
            "start": "2026-11-18T10:00",
        },
    )
    assert r.status_code == 302
    s = Session.objects.get(runner=carla)
    assert (s.therapist, s.start, s.status) == (therapist, at(2026, 11, 18, 10), "booked")
    assert s.events.filter(kind="booked", by=therapist.user).exists()
    # The same time again: refused with the reason, nothing booked.
    r = client.post(
        reverse("staff:book"),
        {
            "therapist": therapist.pk,
            "runner": bob.pk,
            "service": service.pk,
            "start": "2026-11-18T10:00",
        },
    )
    assert r.status_code == 409 and not Session.objects.filter(runner=bob).exists()


@pytest.mark.clock(NOW)
def test_a_therapist_books_only_for_themselves_and_runners_of_their_clinic(
    persona, client, therapist, colleague, service, other_clinic
):
    stranger = RunnerFactory(clinic=other_clinic)
    client = persona("therapist").page
    assert client.get(f"{reverse('staff:book')}?therapist={colleague.pk}").status_code == 403
    html = client.get(f"{reverse('staff:book')}?q={stranger.user.email}").content.decode()
    assert "No runner of the clinic matches that" in html
    r = client.post(
        reverse("staff:book"),
        {
            "therapist": therapist.pk,
            "runner": stranger.pk,
            "service": service.pk,
            "start": "2026-11-18T10:00",
        },
    )
    assert r.status_code == 400 and not Session.objects.exists()
