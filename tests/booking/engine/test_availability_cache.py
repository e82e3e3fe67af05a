"""The availability cache answers what the selector answers, and forgets a therapist's
days the moment anything that moves their availability commits."""

import json
from datetime import datetime, time, timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from booking.engine import availability, availability_cache, services
from clinic.cache import ResilientRedisCache
from clinic.services import Interval, clinic_save, time_off_add, working_hours_replace
from devtools.factories import TherapistFactory
from tests.support.processes import closed_port


@pytest.fixture
def day(clinic):
    """A Wednesday a week or two ahead, in the clinic's calendar."""
    today = timezone.now().astimezone(clinic.tz).date()
    d = today + timedelta(days=7)
    while d.weekday() != 2:
        d += timedelta(days=1)
    return d


@pytest.fixture
def second_therapist(clinic):
    return TherapistFactory(clinic=clinic, display_name="Second")


def both(service, day, end=None, therapist=None):
    kwargs = {"service": service, "start_date": day, "end_date": end or day, "therapist": therapist}
    return availability_cache.availability(**kwargs).slots, availability.availability(
        **kwargs
    ).slots


def starts(slots, therapist):
    return {s.start for s in slots if s.therapist_id == therapist.pk}


def at(clinic, day, hour):
    return datetime.combine(day, time(hour), tzinfo=clinic.tz)


def test_cached_answers_equal_the_selectors(service, therapist, second_therapist, day):
    for end, who in [(day, None), (day + timedelta(days=6), None), (day, therapist)]:
        cached, fresh = both(service, day, end, who)
        assert cached == fresh and cached
        # Second time from the cache: still equal.
        cached_again, _ = both(service, day, end, who)
        assert cached_again == fresh


def test_a_cached_day_costs_no_query(service, therapist, day, django_assert_num_queries):
    availability_cache.availability(service=service, start_date=day, end_date=day)
    with django_assert_num_queries(0):
        availability_cache.availability(service=service, start_date=day, end_date=day)


def test_a_week_with_one_cached_day_computes_the_rest_in_one_go(
    service, therapist, day, django_assert_max_num_queries
):
    availability_cache.availability(service=service, start_date=day, end_date=day)
    with django_assert_max_num_queries(5):
        slots = availability_cache.availability(
            service=service, start_date=day - timedelta(days=2), end_date=day + timedelta(days=4)
        ).slots
    assert (
        slots
        == availability.availability(
            service=service, start_date=day - timedelta(days=2), end_date=day + timedelta(days=4)
        ).slots
    )


def test_booking_and_cancelling_invalidate(
    service, therapist, second_therapist, alice, day, django_capture_on_commit_callbacks
):
    ten = at(service.clinic, day, 10)
    cached, _ = both(service, day)
    assert ten in starts(cached, therapist)
    with django_capture_on_commit_callbacks(execute=True):
        session = services.session_book(
            runner=alice, service=service, therapist=therapist, start=ten, by=alice.user
        )
    cached, fresh = both(service, day)
    assert cached == fresh
    assert ten not in starts(cached, therapist)
    assert ten in starts(cached, second_therapist)  # the other therapist is still free

    with django_capture_on_commit_callbacks(execute=True):
        services.session_cancel(session=session, by=alice.user)
    cached, fresh = both(service, day)
    assert cached == fresh and ten in starts(cached, therapist)


def test_a_booking_recomputes_only_that_therapists_week(
    service,
    therapist,
    second_therapist,
    alice,
    day,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    """The rest of the clinic's calendar stays cached when one therapist's changes."""
    both(service, day)  # the clinic's day cached (a week per therapist)
    with django_capture_on_commit_callbacks(execute=True):
        services.session_book(
            runner=alice,
            service=service,
            therapist=therapist,
            start=at(service.clinic, day, 10),
            by=alice.user,
        )
    asked = []
    real = availability.availability
    monkeypatch.setattr(availability, "availability", lambda **kw: asked.append(kw) or real(**kw))
    cached = availability_cache.availability(service=service, start_date=day, end_date=day)
    assert [kw["therapist_ids"] for kw in asked] == [[therapist.pk]]
    assert cached.slots == real(service=service, start_date=day, end_date=day).slots


def test_other_days_of_a_cached_week_cost_no_query(
    service, therapist, day, django_assert_num_queries
):
    availability_cache.availability(service=service, start_date=day, end_date=day)
    monday = day - timedelta(days=day.weekday())
    with django_assert_num_queries(0):
        slots = availability_cache.availability(
            service=service, start_date=monday, end_date=monday + timedelta(days=4)
        ).slots
    assert (
        slots
        == availability.availability(
            service=service, start_date=monday, end_date=monday + timedelta(days=4)
        ).slots
    )
    assert {s.start.astimezone(service.clinic.tz).date() for s in slots} == {
        monday + timedelta(days=i) for i in range(5)
    }


def test_a_week_at_the_booking_horizon_gains_slots_as_time_passes(
    clock, service, therapist, clinic
):
    clinic.max_days_ahead = 10
    clinic.save()
    now = timezone.now()
    # The first working day the horizon cuts into: some of its hours bookable, some not.
    day = (now + timedelta(days=10)).astimezone(clinic.tz).date()
    while day.weekday() > 4:
        day -= timedelta(days=1)
    with clock.travel(at(clinic, day - timedelta(days=10), 12)):
        early = availability_cache.availability(service=service, start_date=day, end_date=day)
    with clock.travel(at(clinic, day - timedelta(days=10), 18)):
        later = availability_cache.availability(service=service, start_date=day, end_date=day)
        fresh = availability.availability(service=service, start_date=day, end_date=day)
    assert later.slots == fresh.slots
    assert len(later.slots) > len(early.slots)


def test_a_reschedule_to_another_therapist_frees_the_first(
    service, therapist, second_therapist, alice, day, django_capture_on_commit_callbacks
):
    ten, noon = at(service.clinic, day, 10), at(service.clinic, day, 12)
    with django_capture_on_commit_callbacks(execute=True):
        session = services.session_book(
            runner=alice, service=service, therapist=therapist, start=ten, by=alice.user
        )
    both(service, day)  # cache the day
    with django_capture_on_commit_callbacks(execute=True):
        services.session_reschedule(
            session=session, start=noon, therapist=second_therapist, by=alice.user
        )
    cached, fresh = both(service, day)
    assert cached == fresh
    assert ten in starts(cached, therapist) and noon not in starts(cached, second_therapist)


def test_time_off_hours_and_policy_changes_invalidate(
    service, therapist, day, clinic, django_capture_on_commit_callbacks
):
    both(service, day)
    with django_capture_on_commit_callbacks(execute=True):
        time_off_add(
            therapist=therapist, start=at(clinic, day, 9), end=at(clinic, day, 12), by=None
        )
    cached, fresh = both(service, day)
    assert cached == fresh and at(clinic, day, 10) not in starts(cached, therapist)

    with django_capture_on_commit_callbacks(execute=True):
        working_hours_replace(
            therapist=therapist,
            intervals=[Interval(weekday=2, start=time(16), end=time(18))],
            valid_from=day - timedelta(days=1),
        )
    cached, fresh = both(service, day)
    assert cached == fresh
    assert {s.astimezone(clinic.tz).hour for s in starts(cached, therapist)} <= {16, 17}
    assert len(cached) == 5  # 16:00 to 17:00, every 15 minutes

    with django_capture_on_commit_callbacks(execute=True):
        clinic.slot_step_minutes = 60
        clinic_save(clinic=clinic)
    cached, fresh = both(service, day)
    assert cached == fresh and len(cached) == 2  # 16:00 and 17:00


def test_the_minimum_notice_is_applied_on_read(clock, service, therapist, clinic):
    today = timezone.now().astimezone(clinic.tz)
    day = today.date() + timedelta(days=1)
    while day.weekday() > 4:
        day += timedelta(days=1)
    morning = at(clinic, day, 7)
    with clock.travel(morning):
        early = availability_cache.availability(service=service, start_date=day, end_date=day)
        assert at(clinic, day, 9) in starts(early.slots, therapist)
    with clock.travel(at(clinic, day, 9)):
        later = availability_cache.availability(service=service, start_date=day, end_date=day)
        fresh = availability.availability(service=service, start_date=day, end_date=day)
        assert later.slots == fresh.slots
        assert min(starts(later.slots, therapist)) >= at(clinic, day, 11)


def test_runners_get_the_uncached_answer(service, therapist, alice, day, monkeypatch):
    calls = []
    real = availability.availability
    monkeypatch.setattr(availability, "availability", lambda **kw: calls.append(kw) or real(**kw))
    availability_cache.availability(service=service, start_date=day, end_date=day, runner=alice)
    availability_cache.availability(service=service, start_date=day, end_date=day, runner=alice)
    assert len(calls) == 2


def test_the_api_serves_the_cache(client, service, therapist, day):
    url = f"/api/v1/availability/?service={service.pk}&start={day}&end={day}"
    first = client.get(url).json()
    assert first == client.get(url).json()
    assert first["slots"]


class TestRedisDown:
    @pytest.fixture
    def dead_cache(self):
        return ResilientRedisCache(f"redis://127.0.0.1:{closed_port()}/0", {})

    def test_reads_miss_and_writes_are_dropped(self, dead_cache):
        assert dead_cache.get("k", "fallback") == "fallback"
        dead_cache.set("k", 1)
        assert dead_cache.get_many(["a", "b"]) == {}
        assert dead_cache.add("k", 1) is False
        assert dead_cache.breaker.open

    def test_availability_is_still_right_without_redis(
        self, service, therapist, day, dead_cache, monkeypatch
    ):
        import clinic.cache

        monkeypatch.setattr(clinic.cache, "cache", dead_cache)
        monkeypatch.setattr(availability_cache, "cache", dead_cache)
        cached, fresh = both(service, day)
        assert cached == fresh and cached


@pytest.mark.redis
def test_cache_entries_are_namespaced(service, therapist, day):
    availability_cache.availability(service=service, start_date=day, end_date=day)
    keys = [k for k in cache._cache.get_client().keys("*") if b"avail:" in k]
    assert keys


def test_no_model_signal_drops_the_cache_only_the_services_do(
    service, therapist, alice, bob, day, django_capture_on_commit_callbacks
):
    """Invalidation is explicit: a row written behind the services' back (a shell, a bulk
    import) leaves the cached day as it was, and the booking service refreshes it."""
    from devtools.factories import SessionFactory

    ten, eleven = at(service.clinic, day, 10), at(service.clinic, day, 11)
    both(service, day)
    with django_capture_on_commit_callbacks(execute=True):
        SessionFactory(runner=bob, therapist=therapist, service=service, start=eleven)
    cached, fresh = both(service, day)
    assert eleven in starts(cached, therapist) and eleven not in starts(fresh, therapist)

    with django_capture_on_commit_callbacks(execute=True):
        services.session_book(
            runner=alice, service=service, therapist=therapist, start=ten, by=alice.user
        )
    cached, fresh = both(service, day)
    assert cached == fresh and ten not in starts(cached, therapist)


# The API's answer stored ready to send (availability_json) ---------------------------


def as_sent(service, day, end=None, therapist=None):
    """The stored answer, parsed, and the one the selector gives now, in the same shape."""
    kwargs = {"service": service, "start_date": day, "end_date": end or day}
    body = availability_cache.availability_json(**kwargs, therapist=therapist)
    fresh = availability.availability(**kwargs, therapist=therapist).slots
    clinic = service.clinic
    expected, _offsets = availability_cache.encode(clinic.timezone, clinic.tz, fresh)
    return json.loads(body), json.loads(expected)


def test_the_stored_answer_is_the_selectors_and_is_dropped_by_a_booking(
    service, therapist, second_therapist, alice, day, django_capture_on_commit_callbacks
):
    ten = at(service.clinic, day, 10)
    sent, expected = as_sent(service, day)
    assert sent == expected and sent["slots"] and sent["blocked"] == []
    assert {"start": ten.isoformat(), "therapist": therapist.pk} in [
        {"start": s["start"], "therapist": s["therapist"]} for s in sent["slots"]
    ]
    with django_capture_on_commit_callbacks(execute=True):
        services.session_book(
            runner=alice, service=service, therapist=therapist, start=ten, by=alice.user
        )
    sent, expected = as_sent(service, day)
    assert sent == expected
    taken = [s for s in sent["slots"] if s["start"] == ten.isoformat()]
    assert [s["therapist"] for s in taken] == [second_therapist.pk]


def test_a_stored_answer_costs_no_query_and_no_slot_objects(
    service, therapist, day, monkeypatch, django_assert_num_queries
):
    first = availability_cache.availability_json(service=service, start_date=day, end_date=day)
    monkeypatch.setattr(availability_cache, "availability", None)  # never called on a hit
    with django_assert_num_queries(0):
        again = availability_cache.availability_json(service=service, start_date=day, end_date=day)
    assert again == first


def test_a_stored_answer_loses_the_slots_inside_the_notice_as_time_passes(
    clock, service, therapist, clinic
):
    day = timezone.now().astimezone(clinic.tz).date() + timedelta(days=1)
    while day.weekday() > 4:
        day += timedelta(days=1)
    with clock.travel(at(clinic, day - timedelta(days=1), 8)):
        early, expected = as_sent(service, day)
        assert early == expected
    # The evening before: with the clinic's notice, the first hours are gone.
    notice_hours = clinic.min_notice_minutes // 60
    with clock.travel(at(clinic, day, 12) - timedelta(hours=notice_hours)):
        later, expected = as_sent(service, day)
    assert later == expected
    assert 0 < len(later["slots"]) < len(early["slots"])


def test_the_api_sends_the_stored_answer(persona, service, therapist, day):
    params = {"service": service.pk, "start": day.isoformat(), "end": day.isoformat()}
    r1 = persona(None).api.get("/api/v1/availability/", params)
    r2 = persona(None).api.get("/api/v1/availability/", params)
    assert r1.status_code == r2.status_code == 200
    assert r1["Content-Type"] == "application/json"
    assert r1.content == r2.content
    sent, expected = as_sent(service, day)
    assert r1.json() == expected
