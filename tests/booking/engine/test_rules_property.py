"""Property: the fast slot generator agrees with the validator, minute by minute.

On random schedules (several intervals a day, hours valid from/until a date, time off,
booked sessions with a buffer, the runner's sessions and races with per-distance and
per-priority windows, notice, horizon, around both DST changes in Madrid), a start is
offered exactly when it lies on the slot step and `rules.check` finds nothing wrong.
"""

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from booking.engine import rules
from clinic import timeutils
from clinic.policy import Policy, RaceWindowRule, WindowFigures

MADRID = ZoneInfo("Europe/Madrid")
DAYS = [date(2027, 3, 27), date(2026, 10, 24), date(2026, 12, 1)]
MINUTE = timedelta(minutes=1)


def t_of(minutes):
    return time(minutes // 60, minutes % 60)


@st.composite
def schedules(draw):
    first = draw(st.sampled_from(DAYS))
    last = first + timedelta(days=2)
    base = datetime.combine(first, time(0), tzinfo=MADRID).astimezone(UTC)

    def moment(max_minutes=3 * 24 * 60):
        return base + timedelta(minutes=draw(st.integers(-600, max_minutes)))

    hours = []
    for weekday in range(7):
        for _ in range(draw(st.integers(0, 3))):
            a = draw(st.integers(0, 22 * 60)) // 5 * 5
            b = draw(st.integers(a + 10, min(a + 10 * 60, 24 * 60 - 5))) // 5 * 5
            if b <= a:
                continue
            valid_from = draw(st.sampled_from([None, first + timedelta(days=1)]))
            hours.append(timeutils.HoursRule(weekday, t_of(a), t_of(b), valid_from, None))

    def spans(n, length=(15, 240)):
        out = []
        for _ in range(draw(st.integers(0, n))):
            s = moment()
            out.append((s, s + timedelta(minutes=draw(st.integers(*length)))))
        return out

    busy = [rules.Busy(s, e, i) for i, (s, e) in enumerate(spans(6, (10, 120)))]
    runner_busy = [rules.Busy(s, e, 100 + i) for i, (s, e) in enumerate(spans(3, (10, 120)))]
    races = []
    for i in range(draw(st.integers(0, 2))):
        s = moment()
        races.append(
            rules.RaceInfo(
                id=i + 1,
                name=f"Race {i}",
                start=s,
                finish=s + timedelta(minutes=draw(st.integers(20, 300))),
                distance_km=draw(st.sampled_from([None, Decimal("5"), Decimal("42.195")])),
                priority=draw(st.sampled_from(["A", "B", "C"])),
                timezone=draw(st.sampled_from(["", "Europe/Madrid", "America/New_York"])),
            )
        )
    policy = Policy(
        tz=MADRID,
        min_notice=timedelta(minutes=draw(st.sampled_from([0, 60, 120]))),
        max_ahead=timedelta(days=draw(st.integers(1, 4))),
        buffer=timedelta(minutes=draw(st.sampled_from([0, 5, 15]))),
        step=timedelta(minutes=draw(st.sampled_from([5, 15, 30]))),
        after_race=timedelta(hours=draw(st.integers(0, 30))),
        rest_days_before=draw(st.integers(0, 2)),
        days_after=draw(st.integers(0, 2)),
        race_windows=(
            RaceWindowRule(
                WindowFigures(rest_days_before=2, after=timedelta(hours=36), days_after=1),
                min_distance_km=Decimal("21"),
            ),
            RaceWindowRule(
                WindowFigures(rest_days_before=0, after=timedelta(hours=10)), priority="A"
            ),
        ),
    )
    therapist = rules.TherapistInfo(
        id=1, name="T", active=True, hours=hours, time_off=spans(2), busy=busy
    )
    runner = draw(
        st.sampled_from(
            [None, rules.RunnerInfo(id=1, busy=runner_busy, races=races, sessions=runner_busy[:1])]
        )
    )
    now = base + timedelta(minutes=draw(st.integers(-24 * 60, 36 * 60)))
    duration = timedelta(minutes=draw(st.sampled_from([10, 30, 45, 60, 90])))
    return first, last, policy, therapist, runner, now, duration


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schedules())
def test_free_starts_equal_a_minute_by_minute_check(schedule):
    first, last, policy, therapist, runner, now, duration = schedule
    fast = rules.free_starts(
        therapist=therapist,
        runner=runner,
        policy=policy,
        now=now,
        first=first,
        last=last,
        duration=duration,
    )
    assert fast == sorted(set(fast)), "sorted, no duplicates"

    brute = []
    for ws, we in timeutils.working_intervals(therapist.hours, policy.tz, first, last):
        t = ws
        while t < we:
            on_step = (t - ws) % policy.step == timedelta(0)
            passes = not rules.check(
                start=t,
                end=t + duration,
                therapist=therapist,
                service_active=True,
                runner=runner,
                policy=policy,
                now=now,
            )
            if passes and on_step:
                brute.append(t)
            t += MINUTE
    assert fast == brute
