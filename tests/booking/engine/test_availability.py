"""Availability: weekly hours in the clinic's zone, minus time off and booked time (with
the buffer), on the slot step; notice and horizon; DST; races; fixed query counts."""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from booking.engine import availability, selectors
from booking.engine.codes import Code
from booking.models import Session
from devtools.factories import (
    RaceFactory,
    ServiceFactory,
    SessionFactory,
    TherapistFactory,
    TimeOffFactory,
)
from tests.booking.engine.conftest import MADRID, NOW, local

pytestmark = pytest.mark.django_db

WED = date(2026, 12, 2)


def starts(av, therapist=None):
    return [
        s.start.astimezone(MADRID).strftime("%H:%M")
        for s in av.slots
        if therapist is None or s.therapist_id == therapist.pk
    ]


def test_a_day_of_slots_on_the_step_with_the_break(service, therapist):
    av = availability.availability(service=service, start_date=WED, end_date=WED, now=NOW)
    got = starts(av)
    # 09:00..13:00 and 15:00..19:00 every 15 minutes (60-minute service).
    assert got[0] == "09:00" and got[-1] == "19:00"
    assert "13:00" in got and "13:15" not in got and "14:00" not in got and "15:00" in got
    assert len(got) == 17 * 2
    assert all(s.start.tzinfo == UTC and s.end - s.start == timedelta(hours=1) for s in av.slots)


def test_booked_time_with_buffer_and_time_off_are_left_out(service, therapist, clinic, bob):
    clinic.buffer_minutes = 15
    clinic.save()
    SessionFactory(runner=bob, therapist=therapist, service=service, start=local(2026, 12, 2, 10))
    SessionFactory(  # cancelled: frees its time
        runner=bob,
        therapist=therapist,
        service=service,
        start=local(2026, 12, 2, 16),
        status=Session.Status.CANCELLED,
    )
    TimeOffFactory(therapist=therapist, start=local(2026, 12, 2, 17), end=local(2026, 12, 2, 18))
    got = starts(availability.availability(service=service, start_date=WED, end_date=WED, now=NOW))
    # 10:00-11:00 booked + 15 min either side: last before is 08:45 (not worked), first after 11:15
    assert "09:00" not in got and "11:00" not in got and "11:15" in got
    assert "16:00" in got and "16:15" not in got and "17:45" not in got and "18:00" in got


def test_min_notice_and_max_days(service, therapist, clinic):
    # NOW is Tuesday 09:00 local; with 120 minutes' notice the first slot is 11:00.
    tue = date(2026, 12, 1)
    got = starts(availability.availability(service=service, start_date=tue, end_date=tue, now=NOW))
    assert got[0] == "11:00"
    far = availability.availability(
        service=service, start_date=date(2027, 2, 25), end_date=date(2027, 3, 5), now=NOW
    )
    assert far.slots and max(s.start for s in far.slots) <= NOW + timedelta(days=90)


def test_one_therapist_only(service, therapist, clinic):
    other = TherapistFactory(clinic=clinic)
    both = availability.availability(service=service, start_date=WED, end_date=WED, now=NOW)
    assert {s.therapist_id for s in both.slots} == {therapist.pk, other.pk}
    one = availability.availability(
        service=service, start_date=WED, end_date=WED, therapist=other, now=NOW
    )
    assert {s.therapist_id for s in one.slots} == {other.pk}


def test_inactive_therapist_and_service_offer_nothing(service, therapist):
    therapist.active = False
    therapist.save()
    assert not availability.availability(
        service=service, start_date=WED, end_date=WED, now=NOW
    ).slots


@pytest.fixture
def every_day_therapist(clinic):
    return TherapistFactory(
        clinic=clinic,
        hours=[(d, time(0), time(6)) for d in range(7)]
        + [(d, time(9), time(11)) for d in range(7)],
    )


def test_spring_forward_2027_03_28(service, every_day_therapist):
    now = datetime(2027, 3, 20, 12, tzinfo=UTC)
    av = availability.availability(
        service=service, start_date=date(2027, 3, 27), end_date=date(2027, 3, 29), now=now
    )
    by_day = {}
    for s in av.slots:
        by_day.setdefault(s.start.astimezone(MADRID).date(), []).append(s.start)
    # 09:00 local on both sides of the change (08:00 UTC before, 07:00 UTC after).
    for day, offset in ((27, 1), (28, 2), (29, 2)):
        nine = datetime(2027, 3, day, 9, tzinfo=MADRID)
        assert nine.utcoffset() == timedelta(hours=offset)
        assert nine.astimezone(UTC) in by_day[date(2027, 3, day)]
    # 00:00-06:00 on the 28th is five real hours: no 02:xx slot, none duplicated.
    night = [s for s in by_day[date(2027, 3, 28)] if s.astimezone(MADRID).hour < 9]
    labels = [s.astimezone(MADRID).strftime("%H:%M") for s in night]
    assert not any(label.startswith("02:") for label in labels)
    assert len(labels) == len(set(labels)) == (5 * 60 - 60) // 15 + 1
    assert labels[7] == "01:45" and labels[8] == "03:00"


def test_fall_back_2026_10_25(service, every_day_therapist):
    now = datetime(2026, 10, 20, 12, tzinfo=UTC)
    av = availability.availability(
        service=service, start_date=date(2026, 10, 24), end_date=date(2026, 10, 26), now=now
    )
    instants = [s.start for s in av.slots]
    assert len(instants) == len(set(instants)), "no duplicate slot"
    for day, offset in ((24, 2), (25, 1), (26, 1)):
        nine = datetime(2026, 10, day, 9, tzinfo=MADRID)
        assert nine.utcoffset() == timedelta(hours=offset)
        assert nine.astimezone(UTC) in instants
    # 00:00-06:00 on the 25th is seven real hours; each real instant appears once.
    night = [
        s
        for s in instants
        if s.astimezone(MADRID).date() == date(2026, 10, 25) and s.astimezone(MADRID).hour < 9
    ]
    assert len(night) == (7 * 60 - 60) // 15 + 1
    assert night == sorted(night)
    assert all(b - a == timedelta(minutes=15) for a, b in zip(night, night[1:], strict=False))


def test_dst_weekly_slot_keeps_its_local_time(service, therapist):
    # Monday 09:00 before and after the October change is 09:00 local both times.
    now = datetime(2026, 10, 14, 12, tzinfo=UTC)
    av = availability.availability(
        service=service, start_date=date(2026, 10, 19), end_date=date(2026, 10, 26), now=now
    )
    mondays = [s.start for s in av.slots if s.start.astimezone(MADRID).weekday() == 0]
    firsts = sorted(
        {
            min(s for s in mondays if s.astimezone(MADRID).date() == d)
            for d in {m.astimezone(MADRID).date() for m in mondays}
        }
    )
    assert [f.astimezone(MADRID).strftime("%H:%M") for f in firsts] == ["09:00", "09:00"]
    assert firsts[0].hour == 7 and firsts[1].hour == 8  # UTC


# A runner: races block, the recommended window is ideal.


def test_race_blocked_slots_are_listed_with_the_race_and_rule(service, therapist, alice):
    race = RaceFactory(
        runner=alice,
        name="Cross de Itálica",
        start=local(2026, 12, 5, 10),
        finish=local(2026, 12, 5, 11),
    )
    av = availability.availability(
        service=service,
        start_date=date(2026, 12, 3),
        end_date=date(2026, 12, 8),
        runner=alice,
        now=NOW,
    )

    def on(day):
        return [s for s in av.slots if s.start.astimezone(MADRID).date() == day]

    # A Saturday race: Friday is the rest day (no slot at all), Thursday the last day,
    # up to the therapist's last hour.
    assert on(date(2026, 12, 4)) == []
    assert max(s.end for s in on(date(2026, 12, 3))) == local(2026, 12, 3, 20)
    # 6 h after 11:00 Saturday is Saturday 17:00: Monday is open from the first hour.
    assert min(s.start for s in on(date(2026, 12, 7))) == local(2026, 12, 7, 9)
    codes = {(b.code, b.race_id) for b in av.blocked}
    assert codes == {(Code.TOO_CLOSE_BEFORE_RACE, race.pk), (Code.TOO_SOON_AFTER_RACE, race.pk)}
    for b in av.blocked:
        assert "Cross de Itálica" in b.detail and b.race_name == "Cross de Itálica"
    # Without the runner the same slots are offered.
    anyone = availability.availability(
        service=service, start_date=date(2026, 12, 7), end_date=date(2026, 12, 7), now=NOW
    )
    assert min(s.start for s in anyone.slots) == local(2026, 12, 7, 9)


def test_runner_own_sessions_elsewhere_are_left_out(service, therapist, alice, clinic):
    other = TherapistFactory(clinic=clinic)
    SessionFactory(runner=alice, therapist=other, service=service, start=local(2026, 12, 2, 10))
    av = availability.availability(
        service=service, start_date=WED, end_date=WED, therapist=therapist, runner=alice, now=NOW
    )
    got = starts(av)
    # One unloading massage a day (same_day): the rest of that local day is out too.
    assert "09:00" not in got and "09:15" not in got and "10:45" not in got and "11:00" not in got
    assert got == []
    thursday = availability.availability(
        service=service,
        start_date=WED + timedelta(days=1),
        end_date=WED + timedelta(days=1),
        therapist=therapist,
        runner=alice,
        now=NOW,
    )
    assert "09:00" in starts(thursday)


def test_ideal_slots_follow_the_cadence(service, therapist, alice):
    # Alice (fortnightly) had a session on 23 Nov: due again from about 5 Dec for a week.
    SessionFactory(
        runner=alice,
        therapist=therapist,
        service=service,
        start=local(2026, 11, 23, 10),
        status=Session.Status.ATTENDED,
    )
    av = availability.availability(
        service=service,
        start_date=date(2026, 12, 2),
        end_date=date(2026, 12, 31),
        runner=alice,
        now=NOW,
    )
    ideal_days = sorted({s.start.astimezone(MADRID).date() for s in av.slots if s.ideal})
    assert ideal_days, "some slots are recommended"
    assert ideal_days[0] >= date(2026, 12, 5)
    assert ideal_days[-1] < date(2026, 12, 13)
    alice.cadence = "off"
    alice.save()
    av = availability.availability(
        service=service,
        start_date=date(2026, 12, 2),
        end_date=date(2026, 12, 31),
        runner=alice,
        now=NOW,
    )
    assert not any(s.ideal for s in av.slots)


# A fixed number of queries.


def _busy_clinic(clinic, therapists, days):
    service = ServiceFactory(clinic=clinic)
    ts = [TherapistFactory(clinic=clinic) for _ in range(therapists)]
    for i, t in enumerate(ts):
        for d in range(1, days, 3):
            SessionFactory(
                therapist=t,
                service=service,
                start=local(2026, 12, 1, 10) + timedelta(days=d, hours=i % 3),
            )
        TimeOffFactory(therapist=t, start=local(2026, 12, 5, 9), end=local(2026, 12, 6, 20))
    return service


@pytest.mark.parametrize(("therapists", "days"), [(1, 7), (3, 30), (6, 60)])
def test_availability_queries_do_not_grow(
    clinic, alice, therapists, days, django_assert_max_num_queries
):
    service = _busy_clinic(clinic, therapists, days)
    RaceFactory(runner=alice, start=local(2026, 12, 6, 9), finish=local(2026, 12, 6, 12))
    service = type(service).objects.select_related("clinic").get(pk=service.pk)
    with django_assert_max_num_queries(2):
        av = availability.availability(
            service=service,
            start_date=date(2026, 12, 2),
            end_date=date(2026, 12, 1) + timedelta(days=days),
            now=NOW,
        )
    assert av.slots
    # With a runner: the race window rules, the races and the trainings (issue 20) too.
    with django_assert_max_num_queries(5):
        av = availability.availability(
            service=service,
            start_date=date(2026, 12, 2),
            end_date=date(2026, 12, 1) + timedelta(days=days),
            runner=alice,
            now=NOW,
        )
    assert av.slots and av.blocked


def test_sessions_list_queries_are_constant(
    clinic, alice, therapist, service, django_assert_max_num_queries
):
    for d in range(10):
        SessionFactory(
            runner=alice,
            therapist=therapist,
            service=service,
            start=local(2026, 12, 2, 9) + timedelta(days=d),
        )
    with django_assert_max_num_queries(1):
        rows = [
            (s.runner.user.email, s.therapist.display_name, s.service.name, s.clinic.name)
            for s in selectors.sessions_for(alice.user)
        ]
    assert len(rows) == 10
