"""The waitlist from a freed time to a claimed booking: who is offered it (every rule, in
join order), offered once, the first claim wins, the others see it taken and stay on the
list, an offer expires, a runner leaves the list on booking; each write that frees time
records it."""

from datetime import date, time, timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from booking.engine import waitlist
from booking.engine.services import session_book, session_cancel, session_reschedule
from booking.models import FreedTime, Reminder, Session, WaitlistEntry, WaitlistOffer
from booking.reminders import tasks
from clinic.errors import CodedError
from clinic.models import TimeOff
from clinic.services import Interval, time_off_add, time_off_remove, working_hours_replace
from devtools.factories import RaceFactory, SessionFactory, TherapistFactory
from tests.booking.waitlist.conftest import MADRID, WED_10, WEDNESDAY

pytestmark = pytest.mark.usefixtures("clock")


def _book_and_cancel(therapist, service, runner, start=WED_10):
    session = session_book(
        runner=runner, service=service, therapist=therapist, start=start, by=runner.user
    )
    session_cancel(session=session, by=runner.user)
    return FreedTime.objects.get(reason="cancelled", start=session.start)


def test_a_cancellation_is_offered_in_join_order_to_those_every_rule_lets_take_it(
    therapist, service, clinic, join, make_runners, bob, clock
):
    first, raced, other_day, wrong_hours, same_day, last = make_runners(6)
    for i, runner in enumerate([first, raced, other_day, wrong_hours, same_day, last]):
        with clock.travel(clock.now() - timedelta(minutes=60 - i)):
            if runner is other_day:
                join(runner, first_day=date(2026, 12, 3))
            elif runner is wrong_hours:
                join(runner, earliest=time(16))
            else:
                join(runner)
    # A race on Thursday morning: Wednesday leaves no rest day before it.
    RaceFactory(runner=raced, name="Valencia 10K", start=WED_10 + timedelta(days=1))
    # Already has a massage on Wednesday, with someone else.
    SessionFactory(
        runner=same_day,
        therapist=TherapistFactory(clinic=clinic),
        service=service,
        start=WED_10 + timedelta(hours=6),
    )
    freed = _book_and_cancel(therapist, service, bob)

    failed = tasks.run_waitlist_offer(freed.pk)

    assert failed == []
    assert [m.to for m in mail.outbox[-2:]] == [[first.user.email], [last.user.email]]
    offer_mails = [m for m in mail.outbox if "waited for" in m.subject]
    assert [m.to[0] for m in offer_mails] == [first.user.email, last.user.email]
    assert "/reminders/offer/" in offer_mails[0].body
    assert set(WaitlistOffer.objects.values_list("runner_id", flat=True)) == {first.pk, last.pk}
    assert WaitlistOffer.objects.get(runner=first).start == WED_10


def test_a_freed_time_is_offered_once_per_runner_however_often_the_task_runs(
    therapist, service, join, make_runners, bob
):
    (alice_like,) = make_runners(1)
    join(alice_like)
    freed = _book_and_cancel(therapist, service, bob)
    tasks.run_waitlist_offer(freed.pk)
    tasks.run_waitlist_offer(freed.pk)
    FreedTime.objects.filter(pk=freed.pk).update(offered_at=None)  # as if chosen again
    tasks.run_waitlist_offer(freed.pk)
    assert WaitlistOffer.objects.count() == 1
    assert Reminder.objects.filter(kind=Reminder.Kind.WAITLIST_OFFER).count() == 1
    assert len([m for m in mail.outbox if m.to == [alice_like.user.email]]) == 1


def test_the_first_claim_books_the_others_see_it_taken_and_stay_on_the_list(
    therapist, service, join, make_runners, bob
):
    first, second = make_runners(2)
    join(first)
    join(second)
    freed = _book_and_cancel(therapist, service, bob)
    tasks.run_waitlist_offer(freed.pk)
    offer_1, offer_2 = WaitlistOffer.objects.order_by("entry__joined_at")

    # The second runner is quicker.
    session = waitlist.claim(offer=offer_2, by=second.user)
    assert session.start == WED_10 and session.runner == second
    with pytest.raises(CodedError) as taken:
        waitlist.claim(offer=offer_1, by=first.user)
    assert taken.value.code == "offer_taken" and taken.value.status_code == 409
    assert Session.objects.filter(start=WED_10, status="booked").count() == 1
    # The winner left the list by booking; the other waits on.
    assert WaitlistEntry.objects.get(runner=second).left_reason == "booked"
    assert WaitlistEntry.objects.get(runner=first).left_at is None
    # Claiming again answers with the same booking.
    assert waitlist.claim(offer=offer_2, by=second.user) == session


def test_an_offer_expires_and_its_email_is_not_sent_late(
    therapist, service, join, make_runners, bob, clock, settings
):
    settings.WAITLIST_OFFER_MINUTES = 30
    (runner,) = make_runners(1)
    join(runner)
    freed = _book_and_cancel(therapist, service, bob)
    waitlist.make_offers(freed.pk)
    offer = WaitlistOffer.objects.get()
    clock.shift(timedelta(minutes=31))
    assert tasks.run_waitlist_offer(freed.pk) == []
    assert not [m for m in mail.outbox if m.to == [runner.user.email]]
    with pytest.raises(CodedError) as expired:
        waitlist.claim(offer=offer, by=runner.user)
    assert expired.value.code == "offer_expired"
    assert WaitlistEntry.objects.get(runner=runner).left_at is None


def test_a_runner_leaves_the_list_on_booking_what_they_waited_for(therapist, service, join, alice):
    entry = join(alice)
    session_book(runner=alice, service=service, therapist=therapist, start=WED_10, by=alice.user)
    entry.refresh_from_db()
    assert entry.left_reason == "booked"


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"first_day": date(2026, 12, 4), "last_day": date(2026, 12, 2)}, "waitlist_days_reversed"),
        ({"earliest": time(18), "latest": time(9)}, "waitlist_times_reversed"),
        ({"first_day": date(2026, 11, 1)}, "waitlist_in_the_past"),
        ({"last_day": date(2027, 6, 1)}, "waitlist_too_far_ahead"),
        ({"earliest": time(9), "latest": time(9, 30)}, "waitlist_window_too_short"),
    ],
)
def test_joining_with_bad_input_says_why(join, alice, fields, code):
    with pytest.raises(CodedError) as refused:
        join(alice, **fields)
    assert refused.value.code == code and refused.value.status_code == 400


def test_joining_twice_for_the_same_days_is_a_conflict(join, alice):
    join(alice)
    with pytest.raises(CodedError) as refused:
        join(alice, first_day=date(2026, 12, 3))
    assert refused.value.code == "waitlist_already_waiting" and refused.value.status_code == 409


def test_each_write_that_frees_time_records_it(therapist, service, alice, clinic):
    session = session_book(
        runner=alice, service=service, therapist=therapist, start=WED_10, by=alice.user
    )
    session_reschedule(session=session, start=WED_10 + timedelta(hours=2), by=alice.user)
    off = time_off_add(
        therapist=therapist,
        start=WED_10 + timedelta(days=1),
        end=WED_10 + timedelta(days=1, hours=3),
    )
    time_off_remove(time_off=TimeOff.objects.get(pk=off.pk))
    working_hours_replace(
        therapist=therapist,
        intervals=[Interval(d, time(8), time(20)) for d in range(5)],
        valid_from=WEDNESDAY,
    )
    session_cancel(session=session, by=alice.user)
    assert list(FreedTime.objects.order_by("pk").values_list("reason", flat=True)) == [
        "moved",
        "time_off",
        "hours",
        "cancelled",
    ]
    moved = FreedTime.objects.get(reason="moved")
    assert (moved.start, moved.end) == (WED_10, WED_10 + service.duration)
    hours = FreedTime.objects.get(reason="hours")
    assert hours.start.astimezone(MADRID).date() == WEDNESDAY


def test_new_working_hours_are_offered_at_a_time_that_fits(therapist, service, join, alice):
    """Hours from 07:00: the early riser waiting for 07:00-09:00 is offered 07:00."""
    join(alice, earliest=time(7), latest=time(9))
    working_hours_replace(
        therapist=therapist,
        intervals=[Interval(d, time(7), time(14)) for d in range(5)],
        valid_from=WEDNESDAY,
    )
    freed = FreedTime.objects.get(reason="hours")
    tasks.run_waitlist_offer(freed.pk)
    offer = WaitlistOffer.objects.get(runner=alice)
    assert offer.start.astimezone(MADRID).time() == time(7)
    assert offer.start.astimezone(MADRID).date() == WEDNESDAY


def test_choosing_the_runners_is_set_based(therapist, service, join, make_runners, bob, clinic):
    """The rule check reads every waiting runner's sessions and races at once: the same
    queries for 3 runners as for 12."""

    def queries_for(n, prefix):
        WaitlistEntry.objects.update(left_at=WED_10)
        for runner in make_runners(n, prefix=prefix):
            join(runner)
            RaceFactory(runner=runner, start=WED_10 + timedelta(days=20))
        freed = FreedTime.objects.create(
            therapist=therapist, start=WED_10, end=WED_10 + service.duration, reason="by_hand"
        )
        with CaptureQueriesContext(connection) as captured:
            waitlist.make_offers(freed.pk)
        assert WaitlistOffer.objects.filter(freed=freed).count() == n
        return len(captured)

    assert queries_for(3, "a") == queries_for(12, "b")
