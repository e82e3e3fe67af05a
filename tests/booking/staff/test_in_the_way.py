"""Moving or cancelling the sessions a schedule change leaves in the way (real engine)."""

import pytest
from django.urls import reverse

from booking.models import Session
from clinic import services as schedule
from tests.booking.staff.conftest import at

pytestmark = pytest.mark.django_db

NOW = at(2026, 11, 16, 8)  # Monday


@pytest.fixture
def blocked(therapist, make_session, alice):
    s = make_session(at(2026, 11, 18, 10), runner=alice)  # Wednesday 10:00
    schedule.time_off_add(therapist=therapist, start=at(2026, 11, 18, 0), end=at(2026, 11, 19, 0))
    return s


@pytest.mark.clock(NOW)
def test_move_a_session_out_of_the_way(persona, client, therapist, blocked):
    client = persona("therapist").page
    r = client.post(
        reverse("staff:session-move", args=[blocked.pk]),
        {f"s{blocked.pk}-start": "2026-11-19T10:00"},
    )
    assert r.status_code == 302
    blocked.refresh_from_db()
    assert blocked.start == at(2026, 11, 19, 10) and blocked.status == "booked"
    assert blocked.events.filter(kind="rescheduled", by=therapist.user).exists()
    r = client.get(reverse("staff:in-the-way"))
    assert "Nothing in the way" in r.content.decode()


@pytest.mark.clock(NOW)
def test_a_refused_move_says_why_and_offers_slots(persona, client, therapist, blocked):
    client = persona("therapist").page
    # Saturday: the therapist does not work.
    r = client.post(
        reverse("staff:session-move", args=[blocked.pk]),
        {f"s{blocked.pk}-start": "2026-11-21T10:00"},
    )
    html = r.content.decode()
    assert r.status_code == 400
    assert "does not work at that time" in html
    assert f'name="s{blocked.pk}-start"' in html and 'type="hidden"' in html
    blocked.refresh_from_db()
    assert blocked.start == at(2026, 11, 18, 10)


@pytest.mark.clock(NOW)
def test_cancel_a_session_in_the_way_is_not_counted_against_the_runner(
    persona, client, therapist, blocked
):
    client = persona("therapist").page
    r = client.post(reverse("staff:session-cancel", args=[blocked.pk]))
    assert r.status_code == 302
    blocked.refresh_from_db()
    assert blocked.status == Session.Status.CANCELLED
    assert blocked.events.filter(kind="cancelled", by=therapist.user).exists()


@pytest.mark.clock(NOW)
def test_a_therapist_cannot_move_a_colleagues_session(
    persona, client, clinic, therapist, service, alice
):
    from devtools.factories import SessionFactory, TherapistFactory

    colleague = TherapistFactory(clinic=clinic)
    s = SessionFactory(
        therapist=colleague, service=service, runner=alice, start=at(2026, 11, 18, 10)
    )
    client = persona("therapist").page
    assert client.post(reverse("staff:session-cancel", args=[s.pk])).status_code == 403
    assert (
        client.post(
            reverse("staff:session-move", args=[s.pk]), {f"s{s.pk}-start": "2026-11-19T10:00"}
        ).status_code
        == 403
    )
    s.refresh_from_db()
    assert s.status == "booked" and s.start == at(2026, 11, 18, 10)


def _split_day_at_two(therapist):
    """Monday to Friday 09:00-14:00 + 14:00-20:00: two rows that touch, one stretch."""
    from datetime import date, time

    schedule.working_hours_replace(
        therapist=therapist,
        intervals=[
            schedule.Interval(d, start, end)
            for d in range(5)
            for start, end in ((time(9), time(14)), (time(14), time(20)))
        ],
        valid_from=date(2026, 11, 16),
    )


@pytest.mark.clock(NOW)
def test_a_session_across_two_touching_hours_rows_is_not_in_the_way(
    persona, client, therapist, make_session, alice
):
    from booking.engine import rules
    from booking.engine.context import load_context
    from booking.staff.selectors import sessions_in_the_way

    _split_day_at_two(therapist)
    legal = make_session(at(2026, 11, 18, 13, 30), runner=alice)  # 13:30-14:30
    # The validator accepts that very session...
    ctx = load_context(
        clinic=therapist.clinic,
        therapist_ids=[therapist.pk],
        runner=None,
        span_start=legal.start,
        span_end=legal.end,
    )
    found = rules.check(
        start=legal.start,
        end=legal.end,
        therapist=ctx.therapists[therapist.pk],
        service_active=True,
        runner=None,
        policy=ctx.policy,
        now=NOW,
        exclude_session_id=legal.pk,
    )
    assert [v.code for v in found] == []
    # ... so the staff page does not list it as outside working hours.
    assert sessions_in_the_way(therapist=therapist) == []
    client = persona("therapist").page
    assert "Nothing in the way" in client.get(reverse("staff:in-the-way")).content.decode()


@pytest.mark.clock(NOW)
def test_a_session_across_a_real_break_is_in_the_way(therapist, make_session, alice):
    from booking.staff.selectors import sessions_in_the_way

    # The default hours: 09:00-14:00 and 15:00-20:00, a break between them.
    outside = make_session(at(2026, 11, 18, 13, 30), runner=alice)
    assert [(w.session.pk, w.reason) for w in sessions_in_the_way(therapist=therapist)] == [
        (outside.pk, "outside_hours")
    ]
