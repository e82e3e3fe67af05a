"""The booking pages on the real engine: slots with race-blocked times disabled and the
reason, ideal marks, confirm, the confirmation page, refusals in plain words, My
sessions, cancel with the policy shown first, reschedule, the plan, the .ics file."""

from datetime import date, timedelta
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from booking.engine import services
from booking.models import Session
from devtools.factories import RaceFactory, SessionFactory, TimeOffFactory
from tests.support.page_fixtures import MADRID, local


@pytest.fixture
def alices_session(alice, therapist, service):
    """A session of Alice's with the therapist, on `day` at `hour` clinic time."""

    def make(day, hour, **fields):
        return SessionFactory(
            runner=alice, therapist=therapist, service=service, start=local(day, hour), **fields
        )

    return make


pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("engine", "clock")]

# NOW is Monday 2 March 2026, 08:00 in Madrid.
RACE_DAY = date(2026, 3, 10)  # a Tuesday
MORNING_AFTER = date(2026, 3, 11)


@pytest.fixture
def race(alice):
    # The clinic's own figure: 24 h after a race (the default is 6 h), so the morning
    # after is partly blocked.
    type(alice.clinic).objects.filter(pk=alice.clinic_id).update(after_race_hours=24)
    start = local(RACE_DAY, 9)
    return RaceFactory(
        runner=alice,
        name="City 10K",
        start=start,
        finish=start + timedelta(hours=1),
        distance_km=Decimal("10"),
    )


def slots_url(service, **params):
    return f"{reverse('booking:book_slots', args=[service.pk])}?{urlencode(params)}"


def confirm_url(service, start, therapist):
    return f"{reverse('booking:book_confirm', args=[service.pk])}?{urlencode({'start': start.isoformat(), 'therapist': therapist.pk})}"


def book(client, service, therapist, start, **extra):
    return client.post(
        reverse("booking:book_confirm", args=[service.pk]),
        {"start": start.isoformat(), "therapist": therapist.pk, **extra},
    )


def test_service_step_lists_services_with_areas_and_price(persona, service):
    alice_client = persona("alice").page
    html = alice_client.get(reverse("booking:book")).content.decode()
    assert service.name in html and "45.00 EUR" in html and "Legs, Glutes" in html
    assert slots_url(service).rstrip("?") in html


def test_slots_of_the_morning_after_a_race_are_disabled_with_the_reason(
    persona, service, therapist, race
):
    alice_client = persona("alice").page
    response = alice_client.get(
        slots_url(service, therapist=therapist.pk, day=MORNING_AFTER.isoformat())
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert (
        "Too soon after City 10K: the muscles need time after a race; an unloading massage "
        "is fine from Wednesday 11 March, 10:00."
    ) in html
    assert 'class="slot disabled"' in html
    # 09:00 is blocked (the race ended at 10:00 the day before); 10:00 is free.
    assert '09:00 <span class="visually-hidden">not available:' in html
    free_10 = local(MORNING_AFTER, 10)
    assert confirm_url(service, free_10.astimezone(MADRID), therapist).split("start=")[0] in html
    assert "10:00" in html


def test_days_a_race_blocks_are_marked_in_the_day_strip(persona, service, therapist, race):
    alice_client = persona("alice").page
    html = alice_client.get(
        slots_url(service, therapist=therapist.pk, day=RACE_DAY.isoformat())
    ).content.decode()
    assert "day selected blocked" in html or "day blocked" in html
    assert "Too close to City 10K" in html or "Too soon after City 10K" in html


def test_ideal_slots_are_marked(persona, service, therapist, alices_session):
    alice_client = persona("alice").page
    # Her last session was 14 days before (fortnightly): 3 March is in the window.
    alices_session(date(2026, 2, 17), 10, status="attended")
    html = alice_client.get(
        slots_url(service, therapist=therapist.pk, day="2026-03-03")
    ).content.decode()
    assert 'class="slot ideal"' in html


def test_any_therapist_shows_one_row_per_time(persona, service, therapist, clinic):
    alice_client = persona("alice").page
    from devtools.factories import TherapistFactory

    TherapistFactory(clinic=clinic, display_name="Second")
    html = alice_client.get(slots_url(service, therapist="any", day="2026-03-03")).content.decode()
    assert html.count(">09:00<") + html.count(">09:00 <") == 1


def test_slots_partial_for_htmx(persona, service, therapist):
    alice_client = persona("alice").page
    response = alice_client.get(
        slots_url(service, therapist=therapist.pk, day="2026-03-03"), headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert "<html" not in html and 'class="day-strip"' in html


def test_slots_page_in_spanish(es_client, service, therapist, race):
    html = es_client.get(
        slots_url(service, therapist=therapist.pk, day=MORNING_AFTER.isoformat())
    ).content.decode()
    assert "Elige una hora" in html
    assert "Demasiado pronto después de City 10K" in html
    assert "miércoles, 11 de marzo" in html.lower()


def test_slots_page_query_count_does_not_grow_with_days_or_slots(
    persona, service, therapist, clinic, alice, django_assert_max_num_queries
):
    alice_client = persona("alice").page
    from devtools.factories import TherapistFactory

    for _ in range(4):
        TherapistFactory(clinic=clinic)
    for i in range(5):
        RaceFactory(runner=alice, start=local(date(2026, 3, 4 + i), 18))
    with django_assert_max_num_queries(20):
        response = alice_client.get(slots_url(service, therapist="any", day="2026-03-03"))
    assert response.status_code == 200


def test_confirm_page_shows_summary_and_cancellation_policy(persona, service, therapist):
    alice_client = persona("alice").page
    start = local(date(2026, 3, 4), 10)
    html = alice_client.get(confirm_url(service, start, therapist)).content.decode()
    assert "Wednesday 4 March 2026, 10:00–11:00" in html
    assert "Lucía Martín" in html and "45.00 EUR" in html
    assert "Free cancellation until Tuesday 3 March, 10:00" in html
    assert 'name="discomfort_areas"' in html and "Book my plan" in html


def test_booking_a_valid_slot_shows_the_confirmation_with_ics_and_aftercare(
    persona, alice, service, therapist
):
    alice_client = persona("alice").page
    start = local(date(2026, 3, 4), 10)
    response = book(
        alice_client, service, therapist, start, discomfort_areas=["lumbar"], token="t-1"
    )
    assert response.status_code == 302
    session = Session.objects.get(runner=alice)
    assert session.start == start and session.discomfort_areas == ["lumbar"]
    page = alice_client.get(response["Location"]).content.decode()
    assert "You are booked" in page
    assert reverse("booking:session_ics", args=[session.pk]) in page
    assert "rest or soft training only" in page
    assert "lower-back" in page  # self-care for the area of discomfort


def test_double_submit_books_once(persona, alice, service, therapist):
    alice_client = persona("alice").page
    start = local(date(2026, 3, 4), 10)
    book(alice_client, service, therapist, start, token="same")
    book(alice_client, service, therapist, start, token="same")
    assert Session.objects.filter(runner=alice).count() == 1


@pytest.mark.parametrize(
    "lang,word", [("en", "your changes were not saved"), ("es", "tus cambios no se han guardado")]
)
def test_the_form_sent_again_with_another_note_keeps_the_first_booking_and_says_so(
    persona, alice, service, therapist, lang, word
):
    """Back, change the note, send again: the page used to show the booking as if the new
    note had been saved with it."""
    alice_client = persona("alice").page
    alice_client.cookies["django_language"] = lang
    start = local(date(2026, 3, 4), 10)
    first = book(alice_client, service, therapist, start, token="t-1", runner_note="Calves")
    again = book(alice_client, service, therapist, start, token="t-1", runner_note="Knee")
    session = Session.objects.get(runner=alice)
    assert again.status_code == 302 and again["Location"] == first["Location"].split("?")[0]
    assert word in alice_client.get(again["Location"]).content.decode()
    assert session.runner_note == "Calves"


def test_booking_the_morning_after_a_race_is_refused_with_reason_and_suggestions(
    persona, alice, service, therapist, race
):
    alice_client = persona("alice").page
    response = book(alice_client, service, therapist, local(MORNING_AFTER, 9))
    html = response.content.decode()
    assert response.status_code == 400
    assert "Your muscles need rest after the race" in html
    assert (
        "Too soon after City 10K: the muscles need time after a race; an unloading massage "
        "is fine from Wednesday 11 March, 10:00."
    ) in html
    assert "Nearest times that work" in html
    assert not Session.objects.exists()


def test_race_refusal_in_spanish(es_client, service, therapist, race):
    response = book(es_client, service, therapist, local(MORNING_AFTER, 9))
    html = response.content.decode()
    assert "Tus músculos necesitan descanso tras la carrera" in html
    assert "Demasiado pronto después de City 10K" in html


def _setup_for(code, *, alice, bob, service, therapist):
    """The start that gets `code` refused by the engine, after arranging the data."""
    if code == "in_the_past":
        return local(date(2026, 3, 2), 7)
    if code == "same_day":
        SessionFactory(
            runner=alice, therapist=therapist, service=service, start=local(date(2026, 3, 4), 10)
        )
        return local(date(2026, 3, 4), 16)
    if code == "off_grid":
        return local(date(2026, 3, 4), 10) + timedelta(minutes=7)
    if code == "too_short_notice":
        return local(date(2026, 3, 2), 9)
    if code == "too_far_ahead":
        return local(date(2026, 9, 1), 10)
    if code == "outside_working_hours":
        return local(date(2026, 3, 4), 21)
    if code == "therapist_time_off":
        TimeOffFactory(
            therapist=therapist, start=local(date(2026, 3, 4), 9), end=local(date(2026, 3, 4), 20)
        )
        return local(date(2026, 3, 4), 10)
    if code == "slot_taken":
        SessionFactory(
            runner=bob, therapist=therapist, service=service, start=local(date(2026, 3, 4), 10)
        )
        return local(date(2026, 3, 4), 10)
    if code == "runner_overlap":
        from devtools.factories import TherapistFactory

        other = TherapistFactory(clinic=therapist.clinic)
        SessionFactory(
            runner=alice, therapist=other, service=service, start=local(date(2026, 3, 4), 10)
        )
        return local(date(2026, 3, 4), 10)
    if code == "too_soon_after_race":
        RaceFactory(
            runner=alice, name="City 10K", start=local(RACE_DAY, 9), finish=local(RACE_DAY, 10)
        )
        return local(RACE_DAY, 15)  # 6 h after the 10:00 finish is 16:00
    if code == "too_close_before_race":
        RaceFactory(
            runner=alice, name="City 10K", start=local(RACE_DAY, 9), finish=local(RACE_DAY, 10)
        )
        return local(date(2026, 3, 9), 10)
    raise AssertionError(code)


REAL_CODES = {
    "in_the_past": ("That time has passed", "Esa hora ya ha pasado"),
    "same_day": ("One massage a day is enough", "Con un masaje al día basta"),
    "off_grid": ("Pick one of the times offered", "Elige una de las horas que se ofrecen"),
    "too_short_notice": (
        "That is too soon to book online",
        "Es demasiado pronto para reservar por internet",
    ),
    "too_far_ahead": ("That is too far ahead", "Es demasiado adelante"),
    "outside_working_hours": ("Not a working time", "Fuera del horario de trabajo"),
    "therapist_time_off": ("Your physiotherapist is away", "Tu fisioterapeuta no está"),
    "slot_taken": ("Someone got there first", "Alguien se te ha adelantado"),
    "runner_overlap": ("You are already booked then", "Ya tienes una cita a esa hora"),
    "too_soon_after_race": (
        "Your muscles need rest after the race",
        "Tus músculos necesitan descanso tras la carrera",
    ),
    "too_close_before_race": ("Too close to your race", "Demasiado cerca de tu carrera"),
}


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("code", sorted(REAL_CODES))
def test_every_booking_refusal_has_a_page_in_plain_words(
    persona, client, alice, bob, service, therapist, code, lang
):
    client = persona("alice").page
    client.cookies["django_language"] = lang
    start = _setup_for(code, alice=alice, bob=bob, service=service, therapist=therapist)
    before = Session.objects.count()
    response = book(client, service, therapist, start)
    html = response.content.decode()
    assert response.status_code in (400, 409)
    assert f'data-code="{code}"' in html
    assert REAL_CODES[code][0 if lang == "en" else 1] in html
    assert Session.objects.count() == before


@pytest.mark.parametrize(
    "lang,title", [("en", "Not available for booking"), ("es", "No disponible para reservar")]
)
def test_inactive_refusal_page(
    persona, client, alice, service, therapist, monkeypatch, lang, title
):
    from booking.engine.exceptions import BookingError

    def refuse(**kwargs):
        raise BookingError("inactive", params={"what": "service"})

    monkeypatch.setattr(services, "session_book", refuse)
    client = persona("alice").page
    client.cookies["django_language"] = lang
    response = book(client, service, therapist, local(date(2026, 3, 4), 10))
    assert response.status_code == 400 and title in response.content.decode()


def test_bad_confirm_parameters_go_back_to_the_times(persona, service, therapist):
    alice_client = persona("alice").page
    response = alice_client.get(
        reverse("booking:book_confirm", args=[service.pk]) + "?start=yesterday&therapist=x"
    )
    assert response.status_code == 302
    assert reverse("booking:book_slots", args=[service.pk]) in response["Location"]


def test_therapist_of_another_clinic_is_not_found(persona, service, other_therapist):
    alice_client = persona("alice").page
    response = alice_client.get(confirm_url(service, local(date(2026, 3, 4), 10), other_therapist))
    assert response.status_code == 404


def test_my_sessions_lists_upcoming_and_past_with_status(
    persona, alice, bob, service, therapist, alices_session
):
    alice_client = persona("alice").page
    alices_session(date(2026, 3, 4), 10)
    alices_session(date(2026, 2, 4), 10, status="attended")
    alices_session(date(2026, 3, 5), 10, status="cancelled")
    SessionFactory(
        runner=bob, therapist=therapist, service=service, start=local(date(2026, 3, 6), 10)
    )
    html = alice_client.get(reverse("booking:my_sessions")).content.decode()
    upcoming, past = html.split("Past and cancelled")
    assert "Wednesday 4 March, 10:00" in upcoming and "Booked" in upcoming
    assert "Attended" in past and "Cancelled" in past
    assert "6 March" not in html  # Bob's


def test_my_sessions_in_spanish(es_client, alice, service, therapist, alices_session):
    alices_session(date(2026, 3, 4), 10)
    html = es_client.get(reverse("booking:my_sessions")).content.decode()
    assert "Mis sesiones" in html
    assert "miércoles, 4 de marzo, 10:00" in html.lower()


# My sessions: the session row, the user, the runner; the upcoming sessions, the clinics'
# race windows, the races and the trainings (the race and training re-check); the past
# sessions; the clinic's branding; the credit balance line (billing.selectors.balance).
MY_SESSIONS_QUERIES = 10


def test_my_sessions_query_count_is_flat(
    persona, alice, service, therapist, clinic, clinic_admin, django_assert_num_queries
):
    from billing import sales
    from billing.models import Offer
    from devtools.factories import ServiceFactory, TherapistFactory

    alice_client = persona("alice").page
    pack = Offer.objects.create(
        clinic=clinic, name="Bono 5", sessions=5, price=Decimal("200.00"), valid_months=3
    )
    pack.services.set([service])
    sales.sell(offer=pack, runner=alice, paid=sales.Paid("card", pack.price), by=clinic_admin)

    def add_sessions(first: int, count: int) -> None:
        for i in range(first, first + count):
            t = TherapistFactory(clinic=clinic)
            s = ServiceFactory(clinic=clinic)
            SessionFactory(
                runner=alice,
                therapist=t,
                service=s,
                start=local(date(2026, 3, 3), 9) + timedelta(days=i),
            )
            SessionFactory(
                runner=alice,
                therapist=t,
                service=s,
                start=local(date(2026, 2, 1), 9) + timedelta(days=i),
                status="attended",
            )

    add_sessions(0, 1)
    with django_assert_num_queries(MY_SESSIONS_QUERIES):
        response = alice_client.get(reverse("booking:my_sessions"))
    assert "5 sessions left in your pack" in response.content.decode()
    add_sessions(1, 12)
    with django_assert_num_queries(MY_SESSIONS_QUERIES):
        response = alice_client.get(reverse("booking:my_sessions"))
    assert response.status_code == 200
    assert "5 sessions left in your pack" in response.content.decode()


def test_another_runners_session_is_not_found(persona, bob, service, therapist):
    alice_client = persona("alice").page
    s = SessionFactory(
        runner=bob, therapist=therapist, service=service, start=local(date(2026, 3, 4), 10)
    )
    for name in (
        "booking:session_detail",
        "booking:session_cancel",
        "booking:session_ics",
        "booking:session_reschedule",
    ):
        assert alice_client.get(reverse(name, args=[s.pk])).status_code == 404
    assert alice_client.post(reverse("booking:session_cancel", args=[s.pk])).status_code == 404
    s.refresh_from_db()
    assert s.status == "booked"


def test_ics_download(persona, alice, service, therapist, alices_session):
    alice_client = persona("alice").page
    s = alices_session(date(2026, 3, 4), 10)
    response = alice_client.get(reverse("booking:session_ics", args=[s.pk]))
    assert response["Content-Type"].startswith("text/calendar")
    assert b"BEGIN:VCALENDAR" in response.content and b"DTSTART" in response.content


def test_cancel_in_time_shows_the_policy_then_cancels(
    persona, alice, service, therapist, alices_session
):
    alice_client = persona("alice").page
    s = alices_session(date(2026, 3, 4), 10)
    html = alice_client.get(reverse("booking:session_cancel", args=[s.pk])).content.decode()
    assert "You are cancelling in time." in html and "Tuesday 3 March, 10:00" in html
    response = alice_client.post(reverse("booking:session_cancel", args=[s.pk]))
    assert response.status_code == 302
    s.refresh_from_db()
    assert s.status == "cancelled"
    assert "Nothing to pay" in alice_client.get(response["Location"]).content.decode()


def test_late_cancel_is_announced_before_confirming(
    persona, alice, service, therapist, alices_session
):
    alice_client = persona("alice").page
    s = alices_session(date(2026, 3, 2), 18)
    html = alice_client.get(reverse("booking:session_cancel", args=[s.pk])).content.decode()
    assert "This is a late cancellation." in html
    alice_client.post(reverse("booking:session_cancel", args=[s.pk]))
    s.refresh_from_db()
    assert s.status == "late_cancelled"


def test_late_cancel_policy_in_spanish(es_client, alice, service, therapist, alices_session):
    s = alices_session(date(2026, 3, 2), 18)
    assert (
        "Es una cancelación tardía."
        in es_client.get(reverse("booking:session_cancel", args=[s.pk])).content.decode()
    )


@pytest.mark.parametrize(
    "lang,title",
    [("en", "This session cannot be cancelled"), ("es", "Esta sesión no se puede cancelar")],
)
def test_cancelling_a_cancelled_session_explains(
    persona, client, alice, service, therapist, lang, title, alices_session
):
    client = persona("alice").page
    client.cookies["django_language"] = lang
    s = alices_session(date(2026, 3, 4), 10, status="cancelled")
    response = client.post(reverse("booking:session_cancel", args=[s.pk]))
    assert response.status_code == 400 and title in response.content.decode()
    assert title in client.get(reverse("booking:session_cancel", args=[s.pk])).content.decode()


@pytest.mark.parametrize(
    "lang,title",
    [("en", "This session cannot be moved"), ("es", "Esta sesión no se puede cambiar")],
)
def test_moving_a_past_session_explains(
    persona, client, alice, service, therapist, lang, title, alices_session
):
    client = persona("alice").page
    client.cookies["django_language"] = lang
    s = alices_session(date(2026, 2, 4), 10, status="attended")
    response = client.get(reverse("booking:session_reschedule", args=[s.pk]))
    assert response.status_code == 400 and title in response.content.decode()


def test_reschedule_picker_and_move(persona, alice, service, therapist, alices_session):
    alice_client = persona("alice").page
    s = alices_session(date(2026, 3, 4), 10)
    html = alice_client.get(reverse("booking:session_reschedule", args=[s.pk])).content.decode()
    assert "Move your session" in html and 'class="slot' in html
    new = local(date(2026, 3, 5), 11)
    confirm = reverse("booking:session_reschedule_confirm", args=[s.pk])
    page = alice_client.get(
        f"{confirm}?{urlencode({'start': new.isoformat(), 'therapist': therapist.pk})}"
    )
    assert "Thursday 5 March, 11:00" in page.content.decode()
    response = alice_client.post(confirm, {"start": new.isoformat(), "therapist": therapist.pk})
    assert response.status_code == 302
    moved = Session.objects.get(runner=alice, status="booked")
    assert moved.start == new


def test_reschedule_onto_a_race_window_is_refused(
    persona, alice, service, therapist, race, alices_session
):
    alice_client = persona("alice").page
    s = alices_session(date(2026, 3, 4), 10)
    confirm = reverse("booking:session_reschedule_confirm", args=[s.pk])
    response = alice_client.post(
        confirm, {"start": local(MORNING_AFTER, 9).isoformat(), "therapist": therapist.pk}
    )
    assert response.status_code == 400
    assert "Too soon after City 10K" in response.content.decode()
    s.refresh_from_db()
    assert s.start == local(date(2026, 3, 4), 10) and s.status == "booked"


def test_book_my_plan_books_a_series_and_says_which_failed(persona, alice, service, therapist):
    alice_client = persona("alice").page
    # Fortnightly from Wednesday 4 March at 10:00: 4 Mar, 18 Mar, 1 Apr.
    RaceFactory(
        runner=alice,
        name="Spring Half",
        start=local(date(2026, 3, 19), 9),
        finish=local(date(2026, 3, 19), 11),
    )
    response = book(
        alice_client, service, therapist, local(date(2026, 3, 4), 10), repeat="plan", count="3"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Your plan" in html
    assert html.count("See session") == 2 and "Too close to Spring Half" in html
    assert Session.objects.filter(runner=alice, status="booked").count() == 2


def test_book_my_plan_keeps_the_areas_of_discomfort_and_the_note(
    persona, alice, service, therapist
):
    alice_client = persona("alice").page
    response = book(
        alice_client,
        service,
        therapist,
        local(date(2026, 3, 4), 10),
        repeat="plan",
        count="3",
        discomfort_areas=["legs", "lumbar"],
        runner_note="Tight left calf",
    )
    assert response.status_code == 200
    rows = Session.objects.filter(runner=alice, status="booked")
    assert rows.count() == 3
    assert {(tuple(s.discomfort_areas), s.runner_note) for s in rows} == {
        (("legs", "lumbar"), "Tight left calf")
    }


def test_book_my_plan_link_carries_through_to_the_confirm_step(persona, service, therapist):
    alice_client = persona("alice").page
    html = alice_client.get(reverse("booking:my_sessions")).content.decode()
    assert "?plan=1" in html
    html = alice_client.get(reverse("booking:book") + "?plan=1").content.decode()
    assert slots_url(service, plan=1) in html
    html = alice_client.get(
        slots_url(service, therapist=therapist.pk, day="2026-03-04", plan=1)
    ).content.decode()
    assert "plan=1" in html and 'name="plan"' in html
    start = local(date(2026, 3, 4), 10)
    page = alice_client.get(confirm_url(service, start, therapist) + "&plan=1").content.decode()
    assert 'value="plan" id="id_repeat_1" checked' in page or 'value="plan" checked' in page


def test_slots_across_the_spring_dst_change_stay_at_local_wall_time(persona, service, therapist):
    alice_client = persona("alice").page
    # Madrid moves to summer time on Sunday 29 March 2026; Monday's 09:00 is 07:00 UTC.
    html = alice_client.get(
        slots_url(service, therapist=therapist.pk, day="2026-03-30")
    ).content.decode()
    assert ">09:00" in html and "2026-03-30T07%3A00%3A00%2B00%3A00" in html
    html = alice_client.get(
        slots_url(service, therapist=therapist.pk, day="2026-03-27")
    ).content.decode()
    assert ">09:00" in html and "2026-03-27T08%3A00%3A00%2B00%3A00" in html


def test_figures_query_counts(persona, alice, service, therapist, clinic):
    """Prints the query counts of the two list pages (run with -s to read them)."""
    alice_client = persona("alice").page
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from devtools.factories import ServiceFactory, TherapistFactory

    for i in range(20):
        t = TherapistFactory(clinic=clinic)
        s = ServiceFactory(clinic=clinic)
        SessionFactory(
            runner=alice,
            therapist=t,
            service=s,
            start=local(date(2026, 3, 3), 9) + timedelta(days=i),
        )
        SessionFactory(
            runner=alice,
            therapist=t,
            service=s,
            start=local(date(2026, 1, 1), 9) + timedelta(days=i),
            status="attended",
        )
        RaceFactory(runner=alice, start=local(date(2026, 3, 4), 18) + timedelta(days=i))
    counts = {}
    for name, url in (
        ("my_sessions_40_sessions", reverse("booking:my_sessions")),
        (
            "slots_any_of_21_therapists_7_days",
            slots_url(service, therapist="any", day="2026-03-03"),
        ),
        (
            "slots_one_therapist_7_days",
            slots_url(service, therapist=therapist.pk, day="2026-03-03"),
        ),
        ("race_log_20_races", reverse("runners:races")),
    ):
        with CaptureQueriesContext(connection) as ctx:
            assert alice_client.get(url).status_code == 200
        counts[name] = len(ctx.captured_queries)
    print("QUERY_COUNTS", counts)
    assert counts["my_sessions_40_sessions"] <= MY_SESSIONS_QUERIES
    assert max(counts.values()) <= 20


@pytest.mark.parametrize(
    "lang,words",
    [
        ("en", "Close to your session on Wednesday 4 March"),
        ("es", "Cerca de tu sesión del miércoles 4 de marzo"),
    ],
)
def test_confirm_page_warns_about_a_session_days_before(
    client, alice, service, therapist, alices_session, lang, words
):
    alices_session(date(2026, 3, 4), 10)
    client.force_login(alice.user)
    client.cookies["django_language"] = lang
    html = client.get(confirm_url(service, local(date(2026, 3, 7), 10), therapist)).content.decode()
    assert 'id="warning-too_soon_after_previous"' in html and words in html
    html = client.get(
        confirm_url(service, local(date(2026, 3, 11), 10), therapist)
    ).content.decode()
    assert "warning-too_soon_after_previous" not in html


def test_a_refusal_names_the_time_it_refused(persona, service, therapist, race):
    html = book(persona("alice").page, service, therapist, local(MORNING_AFTER, 9)).content.decode()
    assert 'id="asked"' in html and "You asked for Wednesday 11 March, 09:00." in html
    assert html.count("Wednesday 11 March, 09:00") == 1  # named once, not twice
