"""A runner's personal data: download all of it, or delete the account.

Deleting keeps the sessions (the clinic needs its attendance and billing records) but
cuts every link to the person: the user row stays only as an anonymous, inactive
placeholder the sessions point at, its e-mail, names and password gone; races, health
notes, discomfort areas, the runner's own notes, reminders, tokens and e-mail addresses are
removed. Upcoming sessions are cancelled so the therapist's time is free again.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.apps import apps
from django.db import transaction
from django.utils import timezone

from clinic.cache import availability_changed
from clinic.models import User

from .models import Runner

EXPORT_FORMAT = "runclinic-personal-data/1"


def _booking_models():
    # runners does not import booking (booking builds on runners); the models are looked
    # up by name, as the admin would.
    return (
        apps.get_model("booking", "Reminder"),
        apps.get_model("booking", "Session"),
        apps.get_model("booking", "SessionEvent"),
    )


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def runner_data_export(*, runner: Runner, now: datetime | None = None) -> dict[str, Any]:
    """Everything the product holds about this runner, as JSON-ready data.

    A fixed number of queries whatever the history (sessions and their events in two)."""
    Reminder, Session, SessionEvent = _booking_models()
    now = now or timezone.now()
    runner = Runner.objects.select_related("user", "clinic", "preferred_therapist").get(
        pk=runner.pk
    )
    user = runner.user
    sessions = list(
        Session.objects.filter(runner=runner)
        .select_related("therapist", "service", "clinic")
        .order_by("start")
    )
    events: dict[int, list[dict[str, Any]]] = {}
    for event in SessionEvent.objects.filter(session__runner=runner).order_by("at", "id"):
        events.setdefault(event.session_id, []).append(
            {
                "kind": event.kind,
                "at": _iso(event.at),
                "from_status": event.from_status,
                "to_status": event.to_status,
                "old_start": _iso(event.old_start),
                "new_start": _iso(event.new_start),
            }
        )
    return {
        "format": EXPORT_FORMAT,
        "exported_at": _iso(now),
        "account": {
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "language": user.language,
            "date_joined": _iso(user.date_joined),
            "last_login": _iso(user.last_login),
        },
        "profile": {
            "phone": runner.phone,
            "timezone": runner.timezone,
            "cadence": runner.cadence,
            "reminders_opt_in": runner.reminders_opt_in,
            "home_clinic": runner.clinic.name if runner.clinic else None,
            "preferred_therapist": (
                runner.preferred_therapist.display_name if runner.preferred_therapist else None
            ),
            "health_notes": runner.health_notes,
            "discomfort_areas": runner.discomfort_areas,
            "created_at": _iso(runner.created_at),
        },
        "races": [
            {
                "name": race.name,
                "start": _iso(race.start),
                "finish": _iso(race.finish),
                "distance_km": str(race.distance_km) if race.distance_km is not None else None,
                "priority": race.priority,
                "location": race.location,
                "created_at": _iso(race.created_at),
            }
            for race in runner.races.order_by("start")
        ],
        "sessions": [
            {
                "id": s.pk,
                "clinic": s.clinic.name,
                "therapist": s.therapist.display_name,
                "service": s.service.name,
                "start": _iso(s.start),
                "end": _iso(s.end),
                "status": s.status,
                "price": str(s.price) if s.price is not None else None,
                "discomfort_areas": s.discomfort_areas,
                "runner_note": s.runner_note,
                "areas_treated": s.areas_treated,
                "mobilisation_done": s.mobilisation_done,
                "therapist_note": s.therapist_note,
                "booked_at": _iso(s.created_at),
                "cancelled_at": _iso(s.cancelled_at),
                "history": events.get(s.pk, []),
            }
            for s in sessions
        ],
        "reminders": [
            {
                "kind": r.kind,
                "state": r.state,
                "created_at": _iso(r.created_at),
                "sent_at": _iso(r.sent_at),
            }
            for r in Reminder.objects.filter(runner=runner).order_by("created_at")
        ],
    }


@transaction.atomic
def runner_account_delete(*, runner: Runner, now: datetime | None = None) -> None:
    """Delete the runner's account as described in the module docstring.

    One transaction: either all of it happens or none (a failure halfway leaves the
    account as it was)."""
    Reminder, Session, SessionEvent = _booking_models()
    now = now or timezone.now()
    # Lock the runner row: a booking racing with the deletion waits, then sees the
    # cancelled state (the booking service locks the same rows).
    runner = Runner.objects.select_for_update().select_related("user").get(pk=runner.pk)
    user = runner.user

    # Event payloads may quote what the runner wrote; the events themselves (who changed
    # what, when) stay with the clinic's records.
    SessionEvent.objects.filter(session__runner=runner).update(data={})

    # Upcoming sessions are freed directly rather than through session_cancel: no e-mail
    # goes to an address that is being deleted, and no late-cancellation is counted.
    upcoming = list(
        Session.objects.select_for_update()
        .filter(runner=runner, status=Session.Status.BOOKED, start__gt=now)
        .values_list("pk", "therapist_id")
    )
    if upcoming:
        Session.objects.filter(pk__in=[pk for pk, _t in upcoming]).update(
            status=Session.Status.CANCELLED, cancelled_at=now, updated_at=now
        )
        SessionEvent.objects.bulk_create(
            SessionEvent(
                session_id=pk,
                kind=SessionEvent.Kind.CANCELLED,
                by=None,
                from_status=Session.Status.BOOKED,
                to_status=Session.Status.CANCELLED,
                data={"reason": "account_deleted"},
            )
            for pk, _t in upcoming
        )
        availability_changed(therapist_ids={t for _pk, t in upcoming})

    # The clinic's records stay; what the runner told us, or what names them, goes.
    Session.objects.filter(runner=runner).update(
        runner_note="",
        discomfort_areas=[],
        therapist_note="",
        race_override_reason="",
        idempotency_key=None,
    )
    Reminder.objects.filter(runner=runner).delete()
    runner.races.all().delete()

    runner.phone = ""
    runner.health_notes = ""
    runner.discomfort_areas = []
    runner.reminders_opt_in = False
    runner.cadence = "off"
    runner.preferred_therapist = None
    runner.save()

    _anonymise_user(user)


def _anonymise_user(user: User) -> None:
    try:
        from allauth.account.models import EmailAddress

        EmailAddress.objects.filter(user=user).delete()
    except ImportError:  # allauth is installed; this only guards a trimmed deployment
        pass
    user.email = f"deleted-{user.pk}@deleted.invalid"
    user.first_name = ""
    user.last_name = ""
    user.is_active = False
    user.set_unusable_password()
    # Deactivated with a new (unusable) password: saving deletes every API token and
    # signs every browser out (clinic.models.User.save).
    user.save()
    user.groups.clear()
    user.user_permissions.clear()
