"""A race logged, moved, imported or deleted after sessions were booked (issue 14): the
sessions it now clashes with are flagged (never cancelled), in the API on both sides, and
the runner gets one e-mail per race change with three times to move each one to."""

from datetime import timedelta
from decimal import Decimal

import pytest

from booking.engine import conflicts
from booking.models import Reminder, Session
from booking.reminders import delivery, tasks
from devtools.factories import RaceFactory, SessionFactory
from runners import services as race_services
from tests.booking.engine.conftest import NOW, local

pytestmark = pytest.mark.django_db

FRI_18 = local(2026, 12, 4, 18)  # Friday 4 December, 18:00 in Madrid


@pytest.fixture
def friday(alice, service, therapist, clock):
    clock.move_to(NOW)
    return SessionFactory(runner=alice, therapist=therapist, service=service, start=FRI_18)


@pytest.fixture
def queued(monkeypatch, django_capture_on_commit_callbacks):
    ids: list[int] = []
    monkeypatch.setattr(tasks.deliver_reminders, "delay", lambda batch: ids.extend(batch))
    return ids


def log_half(alice, start=None, capture=None):
    with capture(execute=True):
        return race_services.race_create(
            runner=alice,
            name="Media de Valencia",
            start=start or local(2026, 12, 5, 9),
            distance_km=Decimal("21.0975"),
        )


def test_a_race_logged_later_flags_the_session_and_never_cancels_it(
    alice, friday, queued, django_capture_on_commit_callbacks, mailoutbox
):
    # The article's case: massage Friday 18:00, then a half marathon on Saturday 09:00.
    race = log_half(alice, capture=django_capture_on_commit_callbacks)
    friday.refresh_from_db()
    assert friday.status == Session.Status.BOOKED
    (found,) = conflicts.conflicts_for_sessions([friday])[friday.pk]
    assert found.code == "too_close_before_race" and found.race_id == race.pk
    assert "Media de Valencia" in found.detail
    assert conflicts.conflicts_for_races([race])[race.pk][0].session_id == friday.pk
    # One e-mail, with three times on different days to move it to.
    assert len(queued) == 1
    delivery.deliver_many(queued, now=NOW)
    (message,) = mailoutbox
    assert "Media de Valencia" in message.subject
    links = [line for line in message.body.splitlines() if "/reschedule/confirm/?start=" in line]
    assert len(links) == 3
    assert len({line.split(":")[0] for line in links}) == 3  # three different days


def test_one_email_per_race_change_none_on_a_second_save(
    alice, friday, queued, django_capture_on_commit_callbacks, mailoutbox
):
    race = log_half(alice, capture=django_capture_on_commit_callbacks)
    delivery.deliver_many(queued, now=NOW)
    with django_capture_on_commit_callbacks(execute=True):
        race_services.race_update(race=race, name=race.name)  # saved again, unchanged window
    delivery.deliver_many(queued, now=NOW)
    assert len(mailoutbox) == 1
    assert Reminder.objects.filter(kind=Reminder.Kind.RACE_CONFLICT).count() == 1
    # Moved to the afternoon: still a clash, and a new change, so a new e-mail.
    with django_capture_on_commit_callbacks(execute=True):
        race_services.race_update(race=race, start=local(2026, 12, 5, 15))
    delivery.deliver_many(queued, now=NOW)
    assert len(mailoutbox) == 2


def test_no_clash_no_email_and_a_deleted_race_clears_the_flag(
    alice, friday, queued, django_capture_on_commit_callbacks, mailoutbox
):
    far = log_half(alice, start=local(2026, 12, 20, 9), capture=django_capture_on_commit_callbacks)
    assert queued == [] and conflicts.conflicts_for_sessions([friday])[friday.pk] == []
    near = log_half(alice, capture=django_capture_on_commit_callbacks)
    assert conflicts.conflicts_for_sessions([friday])[friday.pk]
    race_services.race_delete(race=near)
    assert conflicts.conflicts_for_sessions([friday])[friday.pk] == []
    assert far.pk


def test_a_session_the_clinic_booked_with_an_override_is_not_flagged(alice, friday):
    Session.objects.filter(pk=friday.pk).update(race_override_reason="Agreed: light session")
    friday.refresh_from_db()
    RaceFactory(runner=alice, start=local(2026, 12, 5, 9), finish=local(2026, 12, 5, 11))
    assert conflicts.conflicts_for_sessions([friday])[friday.pk] == []


def test_a_race_abroad_counts_its_own_days(alice, service, therapist, clock):
    clock.move_to(NOW)
    # Saturday 04:45-05:45 in Madrid is still Friday in New York: before the rest day.
    saturday_early = SessionFactory(
        runner=alice, therapist=therapist, service=service, start=local(2026, 12, 12, 4, 45)
    )
    RaceFactory(
        runner=alice,
        name="NYC Half",
        start=local(2026, 12, 13, 15),  # Sunday 09:00 in New York
        finish=local(2026, 12, 13, 17),
        timezone="America/New_York",
    )
    assert conflicts.conflicts_for_sessions([saturday_early])[saturday_early.pk] == []
    RaceFactory(
        runner=alice,
        name="Madrid 10K",
        start=local(2026, 12, 13, 9),
        finish=local(2026, 12, 13, 10),
        timezone="Europe/Madrid",
    )
    (found,) = conflicts.conflicts_for_sessions([saturday_early])[saturday_early.pk]
    assert "Madrid 10K" in found.detail


def test_the_recheck_runs_a_fixed_number_of_queries(
    alice, service, therapist, clock, django_assert_num_queries
):
    clock.move_to(NOW)
    race = RaceFactory(runner=alice, start=local(2027, 1, 20, 9), finish=local(2027, 1, 20, 11))

    def sessions(n):
        Session.objects.all().delete()
        for i in range(n):
            SessionFactory(
                runner=alice,
                therapist=therapist,
                service=service,
                start=local(2026, 12, 2, 10) + timedelta(days=i),
            )

    sessions(5)
    with django_assert_num_queries(3):
        conflicts.conflicts_for_races([race])
    sessions(50)
    with django_assert_num_queries(3):
        found = conflicts.conflicts_for_races([race])
    assert [c.session_start.date().isoformat() for c in found[race.pk]] == [
        "2027-01-19",  # the rest day
        "2027-01-20",  # race day
    ]
