"""Property: on random seasons the plan only proposes what an independent, brute-force
reading of the rules allows, and it never leaves an A race without its session when a
free time was there.

The oracle below re-states the articles' rules in the plainest way (loops over local
days, in the race's own zone) instead of calling clinic.policy: a season is a therapist's
week, the runner's sessions, races of one to three days at home or in New York, of any
distance and priority, and the clinic's figures (rest days, hours and days after).
"""

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from booking.engine import plan as season
from booking.engine import rules
from clinic import timeutils
from clinic.policy import Policy, ServiceKind

MADRID = ZoneInfo("Europe/Madrid")
NEW_YORK = ZoneInfo("America/New_York")
NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
FIRST = date(2026, 12, 1)
WEEKS = 8
LAST = FIRST + timedelta(weeks=WEEKS)
UNLOADING = season.Offer(1, ServiceKind.UNLOADING, timedelta(minutes=60))
RECOVERY = season.Offer(2, ServiceKind.RECOVERY, timedelta(minutes=30))
HOURS = [timeutils.HoursRule(d, time(a), time(b)) for d in range(5) for a, b in ((9, 14), (15, 20))]


@st.composite
def seasons(draw):
    policy = Policy(
        tz=MADRID,
        min_notice=timedelta(hours=2),
        max_ahead=timedelta(days=draw(st.sampled_from([30, 90]))),
        buffer=timedelta(0),
        step=timedelta(minutes=15),
        after_race=timedelta(hours=draw(st.integers(0, 30))),
        rest_days_before=draw(st.integers(0, 4)),
        days_after=draw(st.integers(0, 3)),
        min_days_between=draw(st.sampled_from([0, 7, 10])),
    )
    races = []
    for i in range(draw(st.integers(0, 4))):
        tz = draw(st.sampled_from([MADRID, NEW_YORK]))
        day = FIRST + timedelta(days=draw(st.integers(0, WEEKS * 7 + 3)))
        start = datetime.combine(day, time(draw(st.integers(6, 18))), tzinfo=tz).astimezone(UTC)
        length = timedelta(hours=draw(st.sampled_from([1, 4, 30, 54])))
        races.append(
            rules.RaceInfo(
                id=i + 1,
                name=f"Race {i + 1}",
                start=start,
                finish=start + length,
                distance_km=Decimal(draw(st.sampled_from(["5", "21.0975", "42.195"]))),
                priority=draw(st.sampled_from(["A", "A", "B", "C"])),
                timezone=str(tz),
            )
        )
    sessions = []
    for i in range(draw(st.integers(0, 4))):
        day = FIRST + timedelta(days=draw(st.integers(-20, WEEKS * 7)))
        start = datetime.combine(day, time(draw(st.integers(9, 19))), tzinfo=MADRID).astimezone(UTC)
        sessions.append(rules.Busy(start, start + timedelta(hours=1), 100 + i))
    return (
        policy,
        races,
        sessions,
        draw(st.sampled_from([None, 14, 30])),
        draw(st.booleans()),
        draw(st.sampled_from([None, time(9), time(18, 30)])),
    )


def _oracle_ok(start, end, kind, policy, races, others):
    """Whether a session may be booked, by brute force: hours, grid, notice, horizon,
    overlaps, one a day, race windows counted in the race's local days."""
    local_start, local_end = start.astimezone(MADRID), end.astimezone(MADRID)
    if start < NOW + policy.min_notice or start > NOW + policy.max_ahead:
        return False
    if local_start.weekday() >= 5 or local_start.date() != local_end.date():
        return False
    stretch = [(time(9), time(14)), (time(15), time(20))]
    if not any(a <= local_start.time() and local_end.time() <= b for a, b in stretch):
        return False
    if local_start.minute % 15 or local_start.second:
        return False
    for other_start, other_end, _other_kind in others:
        if start < other_end and end > other_start:
            return False
        same_day = other_start.astimezone(MADRID).date() == local_start.date()
        if kind == ServiceKind.UNLOADING and same_day:
            return False
    for race in races:
        tz = ZoneInfo(race.timezone)
        race_day = race.start.astimezone(tz).date()
        finish_day = race.finish.astimezone(tz).date()
        last_moment_day = (end - timedelta(microseconds=1)).astimezone(tz).date()
        if kind == ServiceKind.RECOVERY:
            fine_before = end <= race.start
            fine_after = start >= race.finish + policy.after_race
        else:
            fine_before = (
                last_moment_day < race_day - timedelta(days=policy.rest_days_before)
                and end <= race.start
            )
            fine_after = start >= race.finish + policy.after_race and start.astimezone(
                tz
            ).date() >= finish_day + timedelta(days=policy.days_after)
        if not (fine_before or fine_after):
            return False
    return True


def _grid(day):
    for h in range(9, 20):
        for m in (0, 15, 30, 45):
            yield datetime.combine(day, time(h, m), tzinfo=MADRID).astimezone(UTC)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seasons())
def test_the_plan_passes_a_brute_force_reading_of_the_rules(case):
    policy, races, sessions, cadence_days, with_recovery, preferred = case
    therapist = rules.TherapistInfo(id=1, name="T", hours=HOURS, busy=list(sessions))
    runner = rules.RunnerInfo(id=1, busy=list(sessions), races=races, sessions=list(sessions))
    proposals = season.propose(
        therapists=[therapist],
        runner=runner,
        policy=policy,
        unloading=UNLOADING,
        recovery=RECOVERY if with_recovery else None,
        cadence_days=cadence_days,
        now=NOW,
        first=FIRST,
        last=LAST,
        preferred=preferred,
    )
    existing = [(s.start, s.end, ServiceKind.UNLOADING) for s in sessions]
    kinds = {UNLOADING.id: UNLOADING.kind, RECOVERY.id: RECOVERY.kind}
    placed = [(p.start, p.end, kinds[p.service_id]) for p in proposals]
    # The input is never changed (the plan works on its own copies).
    assert runner.sessions == sessions and therapist.busy == sessions
    for i, p in enumerate(proposals):
        others = existing + placed[:i] + placed[i + 1 :]
        assert _oracle_ok(p.start, p.end, kinds[p.service_id], policy, races, others), p
        assert FIRST <= p.start.astimezone(MADRID).date() <= LAST
        if p.reason == season.Reason.AFTER_RACE:
            race = next(r for r in races if r.id == p.race_id)
            assert race.priority == "A" and with_recovery
            assert p.end <= race.finish + season.RECOVERY_WITHIN
        if p.reason == season.Reason.CADENCE:
            assert cadence_days
    # Never two unloading massages closer than the clinic's spacing, from the cadence.
    unloading_days = sorted(
        s.astimezone(MADRID).date() for s, _e, kind in existing + placed if kind == "unloading"
    )
    for p in proposals:
        if p.reason != season.Reason.CADENCE:
            continue
        d = p.start.astimezone(MADRID).date()
        near = [o for o in unloading_days if o != d and abs((o - d).days) < policy.min_days_between]
        assert not near, (p, near)
    # An A race without its session: none was possible on its last three days (or one of
    # the runner's own sessions already sits in the week before its window).
    for race in races:
        if race.priority != "A" or not NOW <= race.start:
            continue
        if race.start >= timeutils.local_day_bounds(MADRID, FIRST, LAST)[1]:
            continue
        if any(p.race_id == race.id and p.reason == season.Reason.BEFORE_RACE for p in proposals):
            continue
        race_tz = ZoneInfo(race.timezone)
        first_rest_day = race.start.astimezone(race_tz).date() - timedelta(
            days=policy.rest_days_before
        )
        rest_starts = datetime.combine(first_rest_day, time(0), tzinfo=race_tz)
        last_day = first_rest_day - timedelta(days=1)
        week_before = datetime.combine(
            last_day - timedelta(days=policy.min_days_between - 1), time(0), tzinfo=MADRID
        )
        if any(week_before <= s.start < rest_starts for s in sessions):
            continue
        for back in range(season.PRE_RACE_DAYS):
            d = last_day - timedelta(days=back)
            if not FIRST <= d <= LAST:
                continue
            for start in _grid(d):
                end = start + UNLOADING.duration
                assert not _oracle_ok(
                    start, end, UNLOADING.kind, policy, races, existing + placed
                ), (race, start)
