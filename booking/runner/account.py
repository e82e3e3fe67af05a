"""A runner's personal data: download all of it, or delete the account.

The download holds every stored field about the runner (EXPORTED_MODELS; what is left out
and why is in NOT_EXPORTED): the account, the profile with health notes, the race log,
the training log (heart rate included),
every session with its notes, race-override reason and full history, the e-mails sent,
the e-mail addresses and the signed-in devices (API tokens: device, when made, last used
and until when; never the token), the memberships, purchases with their payments, credit
grants and credit ledger, and the waitlists joined with the times offered from them. Who
changed a session, sold, took a payment or moved credits
is named as the runner sees them elsewhere: "you", a therapist by the display name of their
public profile, a clinic admin by role only; never another person's e-mail address.

Deleting keeps the sessions and the billing records (sales, payments, credit grants and
the ledger: the clinic's bookkeeping) but cuts every link to the person: the user and
runner rows stay only as an anonymous, inactive placeholder those records point at, its
e-mail, names and password gone; races, trainings, health notes, discomfort areas, the
runner's own notes, reminders, waitlist entries and their offers, tokens and e-mail
addresses are removed, and the Django admin's log keeps what staff did but no longer names
the runner. Upcoming sessions are cancelled so the therapist's time is free again, and
memberships end so no month is charged again.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, cast

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from billing.models import CreditGrant, LedgerEntry, Membership, Payment, Sale
from billing.sales import runner_memberships_end
from booking.engine.erasure import runner_sessions_forget
from booking.models import Reminder, Session, SessionEvent, WaitlistEntry, WaitlistOffer
from clinic.models import ApiToken, User
from runners.models import Race, Runner, Training
from runners.services import runner_profile_forget

EXPORT_FORMAT = "runclinic-personal-data/2"

# Each model the export holds, by label, and the export key of each field whose key is not
# the field's own name. tests/booking/runner/test_privacy.py compares these models' fields
# with the export, and every model that points at a runner's rows with this list, so a new
# field or model is exported or named in NOT_EXPORTED.
EXPORTED_MODELS: dict[str, dict[str, str]] = {
    "clinic.User": {},
    "runners.Runner": {"clinic": "home_clinic"},
    "runners.Race": {},
    "runners.Training": {},
    "booking.Session": {"created_at": "booked_at"},
    "booking.SessionEvent": {},
    "booking.Reminder": {},
    "account.EmailAddress": {},
    "clinic.ApiToken": {},
    "billing.Membership": {},
    "billing.Sale": {},
    "billing.Payment": {},
    "billing.CreditGrant": {},
    "billing.LedgerEntry": {},
    "booking.WaitlistEntry": {},
    "booking.WaitlistOffer": {},
}

# Fields of those models left out, and models that point at a runner's rows but are not
# theirs, each with the reason.
NOT_EXPORTED: dict[str, dict[str, str]] = {
    "clinic.User": {
        "password": "a one-way hash: a credential, not information",
        "session_epoch": "a counter that signs browsers out: part of a credential",
    },
    "runners.Runner": {"user": "the account section"},
    "runners.Race": {"runner": "the export's own subject"},
    "runners.Training": {"runner": "the export's own subject"},
    "booking.Session": {
        "runner": "the export's own subject",
        "idempotency_fingerprint": "a hash of the booking request, whose fields are exported",
        "calendar_sequence": "a counter for calendar files, not information about the runner",
    },
    "booking.SessionEvent": {"session": "each event is listed under its session"},
    "booking.Reminder": {"runner": "the export's own subject"},
    "account.EmailAddress": {"user": "the export's own subject"},
    "clinic.ApiToken": {
        "digest": "a one-way hash of the token: a credential, not information",
        "token_key": "the token's first characters: part of a credential",
        "user": "the export's own subject",
    },
    "billing.Membership": {"runner": "the export's own subject"},
    "billing.Sale": {"runner": "the export's own subject"},
    "billing.Payment": {"sale": "each payment is listed under its sale"},
    "billing.CreditGrant": {"runner": "the export's own subject"},
    "billing.LedgerEntry": {"runner": "the export's own subject"},
    "booking.WaitlistEntry": {"runner": "the export's own subject"},
    "booking.WaitlistOffer": {
        "runner": "the export's own subject",
        "entry": "each offer is listed under its waitlist entry",
        "freed": "the clinic's record that the therapist's time became free; the time "
        "offered is the offer's own start, therapist and service",
    },
}
NOT_EXPORTED_MODELS: dict[str, str] = {
    "admin.LogEntry": "what staff did in the Django admin (its user is the staff member); "
    "entries about the runner stop naming them when the account is deleted",
    "account.EmailConfirmation": "one-time confirmation keys: credentials",
    "clinic.Therapist": "a staff member's profile; a runner's account has none",
    "booking.CalendarFeed": "the secret address of the calendar feed: a credential; the "
    "sessions it lists are exported",
    "clinic.ScheduleChange": "changes to a therapist's schedule (its user is the staff "
    "member who made them); a runner's account makes none",
    "booking.FreedTime": "a therapist's time that became free (the clinic's schedule); one "
    "offered by hand names the waitlist entry it was for, and the offers the runner "
    "received of it are exported",
}


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _plain(value: Any) -> Any:
    if isinstance(value, (date, time)):  # datetimes too
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _pick(obj: Any, *names: str) -> dict[str, Any]:
    return {name: _plain(getattr(obj, name)) for name in names}


def _who(user: User | None, *, me: User) -> dict[str, Any] | None:
    """Who made a change, as the runner may know them (module docstring); None: the system."""
    if user is None:
        return None
    if user.pk == me.pk:
        return {"role": user.role, "you": True}
    try:
        return {"role": User.Role.THERAPIST.value, "name": user.therapist.display_name}
    except ObjectDoesNotExist:
        return {"role": user.role}


def runner_data_export(*, runner: Runner, now: datetime | None = None) -> dict[str, Any]:
    """Everything the product holds about this runner, as JSON-ready data.

    A fixed number of queries whatever the history (sessions and their events in two, sales
    and their payments in two, waitlist entries and their offers in two)."""
    from allauth.account.models import EmailAddress

    now = now or timezone.now()
    runner = Runner.objects.select_related(
        "user__clinic", "clinic", "preferred_therapist", "consent_recorded_by__therapist"
    ).get(pk=runner.pk)
    user = runner.user
    sessions = list(
        Session.objects.filter(runner=runner)
        .select_related("therapist", "service", "clinic", "race_override_by__therapist")
        .order_by("start")
    )
    events: dict[int, list[dict[str, Any]]] = {}
    for event in (
        SessionEvent.objects.filter(session__runner=runner)
        .select_related("by__therapist")
        .order_by("at", "id")
    ):
        events.setdefault(event.session_id, []).append(
            {
                **_pick(
                    event, "id", "kind", "at", "from_status", "to_status", "old_start", "new_start"
                ),
                "by": _who(event.by, me=user),
                "data": event.data,
            }
        )
    payments: dict[int, list[dict[str, Any]]] = {}
    for payment in (
        Payment.objects.filter(sale__runner=runner)
        .select_related("recorded_by__therapist")
        .order_by("recorded_at", "id")
    ):
        payments.setdefault(payment.sale_id, []).append(
            {
                **_pick(payment, "id", "provider", "method", "amount", "reference", "recorded_at"),
                "recorded_by": _who(payment.recorded_by, me=user),
            }
        )
    offers: dict[int, list[dict[str, Any]]] = {}
    for offer in (
        WaitlistOffer.objects.filter(runner=runner)
        .select_related("therapist", "service")
        .order_by("created_at", "id")
    ):
        offers.setdefault(offer.entry_id, []).append(
            {
                **_pick(offer, "id", "start", "expires_at", "state", "created_at"),
                "therapist": offer.therapist.display_name,
                "service": offer.service.name,
                "session": offer.session_id,
            }
        )
    return {
        "format": EXPORT_FORMAT,
        "exported_at": _iso(now),
        "account": {
            **_pick(
                user,
                "id",
                "email",
                "first_name",
                "last_name",
                "role",
                "language",
                "is_active",
                "is_staff",
                "is_superuser",
                "date_joined",
                "last_login",
            ),
            "clinic": user.clinic.name if user.clinic else None,
            "groups": sorted(user.groups.values_list("name", flat=True)),
            "user_permissions": sorted(user.user_permissions.values_list("codename", flat=True)),
        },
        "profile": {
            **_pick(
                runner,
                "id",
                "phone",
                "timezone",
                "cadence",
                "reminders_opt_in",
                "health_notes",
                "discomfort_areas",
                "created_at",
                "consent_at",
            ),
            # A walk-in's consent, recorded at the desk: by whom (runners.services.runner_invite).
            "consent_recorded_by": _who(runner.consent_recorded_by, me=user),
            "home_clinic": runner.clinic.name if runner.clinic else None,
            "preferred_therapist": (
                runner.preferred_therapist.display_name if runner.preferred_therapist else None
            ),
        },
        "races": [
            _pick(
                race,
                "id",
                "name",
                "start",
                "finish",
                "distance_km",
                "priority",
                "location",
                "timezone",
                "created_at",
            )
            for race in Race.objects.filter(runner=runner).order_by("start", "id")
        ],
        "trainings": [
            _pick(
                t,
                "id",
                "name",
                "start",
                "finish",
                "minutes",
                "distance_km",
                "kind",
                "rpe",
                "hard",
                "planned",
                "avg_hr",
                "max_hr",
                "timezone",
                "source",
                "created_at",
            )
            for t in Training.objects.filter(runner=runner).order_by("start", "id")
        ],
        "sessions": [
            {
                **_pick(
                    s,
                    "id",
                    "start",
                    "end",
                    "status",
                    "price",
                    "discomfort_areas",
                    "runner_note",
                    "areas_treated",
                    "mobilisation_done",
                    "discomfort_before",
                    "discomfort_after",
                    "therapist_note",
                    "race_override_reason",
                    "idempotency_key",
                    "updated_at",
                    "cancelled_at",
                    "attended_at",
                    "no_show_at",
                ),
                "clinic": s.clinic.name,
                "therapist": s.therapist.display_name,
                "service": s.service.name,
                "race_override_by": _who(s.race_override_by, me=user),
                "rescheduled_from": s.rescheduled_from_id,
                "booked_at": _iso(s.created_at),
                "history": events.get(s.pk, []),
            }
            for s in sessions
        ],
        "reminders": [
            {
                **_pick(
                    r,
                    "id",
                    "kind",
                    "key",
                    "state",
                    "attempts",
                    "last_error",
                    "created_at",
                    "sent_at",
                ),
                "session": r.session_id,
            }
            for r in Reminder.objects.filter(runner=runner).order_by("created_at", "id")
        ],
        "email_addresses": [
            _pick(a, "id", "email", "verified", "primary")
            for a in EmailAddress.objects.filter(user=user).order_by("id")
        ],
        "api_tokens": [
            _pick(t, "id", "device", "created", "last_used", "expiry")
            for t in ApiToken.objects.filter(user=user).order_by("created", "id")
        ],
        "memberships": [
            {
                **_pick(m, "id", "status", "started_on", "renews_on", "changed_at"),
                "offer": m.offer.name,
                "clinic": m.clinic.name,
            }
            for m in Membership.objects.filter(runner=runner)
            .select_related("offer", "clinic")
            .order_by("started_on", "id")
        ],
        "purchases": [
            {
                **_pick(sale, "id", "period_start", "amount", "sold_at"),
                "clinic": sale.clinic.name,
                "offer": sale.offer.name,
                "membership": sale.membership_id,
                "sold_by": _who(sale.sold_by, me=user),
                "payments": payments.get(sale.pk, []),
            }
            for sale in Sale.objects.filter(runner=runner)
            .select_related("clinic", "offer", "sold_by__therapist")
            .order_by("sold_at", "id")
        ],
        "credit_grants": [
            {
                **_pick(g, "id", "quantity", "remaining", "expires_on", "expired_at", "created_at"),
                "clinic": g.clinic.name,
                "offer": g.offer.name if g.offer else None,
                "sale": g.sale_id,
            }
            for g in CreditGrant.objects.filter(runner=runner)
            .select_related("clinic", "offer")
            .order_by("created_at", "id")
        ],
        "credit_ledger": [
            {
                **_pick(e, "id", "kind", "delta", "reason", "at"),
                "grant": e.grant_id,
                "clinic": e.clinic.name,
                "session": e.session_id,
                "by": _who(e.by, me=user),
            }
            for e in LedgerEntry.objects.filter(runner=runner)
            .select_related("clinic", "by__therapist")
            .order_by("at", "id")
        ],
        "waitlist": [
            {
                **_pick(
                    w,
                    "id",
                    "first_day",
                    "last_day",
                    "earliest",
                    "latest",
                    "joined_at",
                    "left_at",
                    "left_reason",
                ),
                "clinic": w.clinic.name,
                "service": w.service.name,
                "therapist": w.therapist.display_name if w.therapist else None,
                "offers": offers.get(w.pk, []),
            }
            for w in WaitlistEntry.objects.filter(runner=runner)
            .select_related("clinic", "service", "therapist")
            .order_by("joined_at", "id")
        ],
    }


@transaction.atomic
def runner_account_delete(*, runner: Runner, now: datetime | None = None) -> None:
    """Delete the runner's account as described in the module docstring.

    One transaction: either all of it happens or none (a failure halfway leaves the
    account as it was)."""
    now = now or timezone.now()
    # Lock the runner row: a booking racing with the deletion waits, then sees the
    # cancelled state (the booking service locks the same rows).
    runner = Runner.objects.select_for_update().select_related("user").get(pk=runner.pk)
    user = runner.user

    # The admin log first: it names the rows (reminders included) before they change.
    _scrub_admin_log(runner=runner, user=user)
    runner_sessions_forget(runner=runner, now=now)
    runner_memberships_end(runner=runner)
    runner_profile_forget(runner=runner)
    _anonymise_user(user)


def _scrub_admin_log(*, runner: Runner, user: User) -> None:
    """The Django admin's log keeps what staff did to the runner's rows (who, when, which
    row, which fields) but no longer names the runner: the rows' descriptions ("Alice
    Runner with Lucía at ...", the e-mail address) become "... of deleted runner #id"."""
    from allauth.account.models import EmailAddress

    sessions = Session.objects.filter(runner=runner)
    about = {
        User: [user.pk],
        Runner: [runner.pk],
        Race: Race.objects.filter(runner=runner).values_list("pk", flat=True),
        Training: Training.objects.filter(runner=runner).values_list("pk", flat=True),
        Session: sessions.values_list("pk", flat=True),
        SessionEvent: SessionEvent.objects.filter(session__in=sessions).values_list(
            "pk", flat=True
        ),
        Reminder: Reminder.objects.filter(runner=runner).values_list("pk", flat=True),
        EmailAddress: EmailAddress.objects.filter(user=user).values_list("pk", flat=True),
        ApiToken: ApiToken.objects.filter(user=user).values_list("pk", flat=True),
    }
    types = ContentType.objects.get_for_models(*about, for_concrete_models=False)
    query = Q()
    for model, ids in about.items():
        query |= Q(content_type=types[model], object_id__in=[str(i) for i in ids])
    entries = list(LogEntry.objects.filter(query).select_related("content_type"))
    for entry in entries:
        if entry.content_type in (types[User], types[Runner]):
            entry.object_repr = f"deleted runner #{runner.pk}"
        else:
            entry.object_repr = (
                f"{cast(ContentType, entry.content_type).model} #{entry.object_id} "
                f"of deleted runner #{runner.pk}"
            )
        entry.change_message = _neutral_change_message(entry.change_message, runner_id=runner.pk)
    LogEntry.objects.bulk_update(entries, ["object_repr", "change_message"], batch_size=500)


def _neutral_change_message(message: str, *, runner_id: int) -> str:
    """Keep the structure the admin writes (which fields changed, which inline rows were
    added or deleted) and drop what names a row: the inline rows' descriptions."""
    try:
        parts = json.loads(message or "[]")
    except ValueError:
        return ""  # free text written by hand may say anything
    if not isinstance(parts, list):
        return ""
    for part in parts:
        for detail in part.values() if isinstance(part, dict) else ():
            if isinstance(detail, dict) and "object" in detail:
                detail["object"] = f"{detail.get('name', 'row')} of deleted runner #{runner_id}"
    return json.dumps(parts)


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
