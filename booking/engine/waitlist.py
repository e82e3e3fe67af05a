"""The waitlist's writes, and the one set-based choice of whom a freed time is offered to.

A runner joins for a service, clinic-local days, a time of day and maybe a therapist, and
leaves on booking (`left_on_booking`, called by the booking service) or by hand. A write
that frees time says so (clinic.events.time_freed, connected in booking.apps to
`record_freed`): a FreedTime row is written inside that write's transaction, the outbox
of the waitlist, and handed to the worker by task name once committed.

The worker (booking.reminders.waitlist) calls `make_offers`: under the FreedTime's row
lock, the waiting runners for whom the time passes every rule (booking.engine.rules.check,
the one validator, on data read for all of them at once: booking.engine.context) get an
offer row (unique freed time + runner: offered once) and a Reminder row (unique key: sent
once), in the order they joined. `claim` books through the normal engine; the exclusion
constraint and the therapist lock decide who is first, the others' offers become taken.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from booking.engine import rules, services
from booking.engine.codes import Code as BookingCode
from booking.engine.context import load_context, load_runners
from booking.engine.exceptions import BookingError
from booking.engine.refusal import violation_error
from booking.models import FreedTime, Reminder, Session, WaitlistEntry, WaitlistOffer
from clinic import permissions, timeutils
from clinic.celery import app as celery_app
from clinic.errors import CodedError
from clinic.models import RaceWindow, Service, Therapist, User
from clinic.policy import Policy
from runners.models import Runner

logger = logging.getLogger(__name__)

# The worker's task (booking.reminders.tasks.waitlist_offer) that offers a freed time.
OFFER_TASK = "booking.tasks.waitlist_offer"
# How many lists one runner may wait on at once.
MAX_WAITING = 5


class WaitlistError(CodedError):
    """A waitlist request that cannot be done; `code` says why, the sentence says how."""


class Code:
    DAYS_REVERSED = "waitlist_days_reversed"
    TIMES_REVERSED = "waitlist_times_reversed"
    IN_THE_PAST = "waitlist_in_the_past"
    TOO_FAR_AHEAD = "waitlist_too_far_ahead"
    TOO_SHORT = "waitlist_window_too_short"
    SERVICE_INACTIVE = "waitlist_service_inactive"
    ALREADY_WAITING = "waitlist_already_waiting"
    TOO_MANY = "waitlist_too_many"
    OFFER_TAKEN = "offer_taken"
    OFFER_EXPIRED = "offer_expired"
    OFFER_CLOSED = "offer_closed"


def offer_lifetime() -> timedelta:
    return timedelta(minutes=settings.WAITLIST_OFFER_MINUTES)


def waiting(queryset: QuerySet[WaitlistEntry] | None = None) -> QuerySet[WaitlistEntry]:
    queryset = WaitlistEntry.objects.all() if queryset is None else queryset
    return queryset.filter(left_at__isnull=True)


def join(
    *,
    runner: Runner,
    service: Service,
    first_day: date,
    last_day: date,
    earliest: time,
    latest: time,
    therapist: Therapist | None = None,
    now: datetime | None = None,
) -> WaitlistEntry:
    """Put the runner on the list, or WaitlistError (400 for the input, 409 for the list)."""
    now = now or timezone.now()
    clinic = service.clinic
    if not service.active:
        raise WaitlistError(_("That service is not offered any more."), code=Code.SERVICE_INACTIVE)
    if therapist is not None and rules.clinic_mismatch(
        service_clinic_id=service.clinic_id, therapist_clinic_id=therapist.clinic_id
    ):
        raise BookingError(
            BookingCode.THERAPIST_OTHER_CLINIC,
            _("That service is not offered at that therapist's clinic."),
        )
    today = timeutils.local_date(now, clinic.tz)
    if last_day < first_day:
        raise WaitlistError(_("The last day comes before the first."), code=Code.DAYS_REVERSED)
    if first_day < today:
        raise WaitlistError(_("Pick days from today on."), code=Code.IN_THE_PAST)
    if last_day > today + timedelta(days=clinic.max_days_ahead):
        raise WaitlistError(
            _("That is too far ahead: you can wait for times up to %(days)s days ahead.")
            % {"days": clinic.max_days_ahead},
            code=Code.TOO_FAR_AHEAD,
        )
    if latest <= earliest:
        raise WaitlistError(
            _("The end time comes before the start time."), code=Code.TIMES_REVERSED
        )
    window = datetime.combine(today, latest) - datetime.combine(today, earliest)
    if window < service.duration:
        raise WaitlistError(
            _("A %(minutes)s-minute session does not fit between those times.")
            % {"minutes": service.duration_minutes},
            code=Code.TOO_SHORT,
        )
    with transaction.atomic():
        # Serialise one runner's joins: the limits below hold under concurrency.
        list(Runner.objects.select_for_update().filter(pk=runner.pk).values_list("pk"))
        mine = waiting(WaitlistEntry.objects.filter(runner=runner))
        if mine.filter(service=service, first_day__lte=last_day, last_day__gte=first_day).exists():
            raise WaitlistError(
                _("You are already waiting for this service on some of those days."),
                code=Code.ALREADY_WAITING,
                status_code=409,
            )
        if mine.count() >= MAX_WAITING:
            raise WaitlistError(
                _("You can wait on %(n)s lists at once: leave one first.") % {"n": MAX_WAITING},
                code=Code.TOO_MANY,
                status_code=409,
            )
        return WaitlistEntry.objects.create(
            runner=runner,
            clinic_id=service.clinic_id,
            service=service,
            therapist=therapist,
            first_day=first_day,
            last_day=last_day,
            earliest=earliest,
            latest=latest,
            joined_at=now,
        )


def leave(*, entry: WaitlistEntry, now: datetime | None = None) -> None:
    """Off the list by hand (the runner, or the clinic's staff); idempotent."""
    waiting(WaitlistEntry.objects.filter(pk=entry.pk)).update(
        left_at=now or timezone.now(), left_reason=WaitlistEntry.Left.REMOVED
    )


def left_on_booking(session: Session, tz: ZoneInfo) -> None:
    """A runner who books what they waited for leaves that list (one statement, inside
    the booking's transaction); `tz` is the clinic's."""
    day = timeutils.local_date(session.start, tz)
    waiting(
        WaitlistEntry.objects.filter(
            runner_id=session.runner_id,
            service_id=session.service_id,
            first_day__lte=day,
            last_day__gte=day,
        )
    ).update(left_at=timezone.now(), left_reason=WaitlistEntry.Left.BOOKED)


def record_freed(
    *,
    therapist_id: int,
    start: datetime,
    end: datetime,
    reason: str,
    entry: WaitlistEntry | None = None,
) -> FreedTime:
    """The listener of clinic.events.time_freed: the row now (the caller's transaction),
    the worker once committed; a lost message is left to the sweep."""
    freed = FreedTime.objects.create(
        therapist_id=therapist_id, start=start, end=end, reason=reason, entry=entry
    )
    transaction.on_commit(lambda: queue(freed.pk), robust=True)
    return freed


def queue(freed_id: int) -> None:
    try:
        # By name: the engine does not import the reminders (they import the engine).
        celery_app.tasks[OFFER_TASK].delay(freed_id)
    except Exception as exc:  # any broker error: the sweep offers it later
        logger.warning("could not queue freed time %s (%s)", freed_id, type(exc).__name__)


def offer_by_hand(
    *, entry: WaitlistEntry, therapist: Therapist, start: datetime, by: User
) -> FreedTime:
    """The clinic offers a time to one waiting runner: checked with the one validator
    now (a refusal says why), e-mailed by the worker like any freed time."""
    if not permissions.acts_for_clinic(by, entry.clinic_id):
        raise WaitlistError(
            _("That runner waits at another clinic."), code="other_clinic", status_code=403
        )
    services.require_aware(start)
    service = entry.service
    violations = services.session_violations(
        runner=entry.runner, service=service, therapist=therapist, start=start
    )
    if violations:
        raise violation_error(violations[0])
    with transaction.atomic():
        return record_freed(
            therapist_id=therapist.pk,
            start=start,
            end=start + service.duration,
            reason=FreedTime.Reason.BY_HAND,
            entry=entry,
        )


@dataclass(frozen=True)
class Choice:
    entry_id: int
    runner_id: int
    service_id: int
    start: datetime


def choose(freed: FreedTime, *, now: datetime) -> list[Choice]:
    """For each waiting entry the freed time may suit, in join order, the first start in
    it that passes every rule for that runner (or none). A fixed number of queries,
    whatever the number of runners: the entries, the therapist's hours and time held,
    the race window rules, and the runners' sessions and races."""
    therapist = Therapist.objects.select_related("clinic").get(pk=freed.therapist_id)
    clinic = therapist.clinic
    tz = clinic.tz
    first = timeutils.local_date(freed.start, tz)
    last = timeutils.local_date(freed.end - timedelta(microseconds=1), tz)
    entries = waiting(WaitlistEntry.objects.filter(clinic=clinic)).filter(
        Q(therapist__isnull=True) | Q(therapist_id=therapist.pk),
        first_day__lte=last,
        last_day__gte=first,
        service__active=True,
        runner__user__is_active=True,
    )
    if freed.entry_id:
        entries = entries.filter(pk=freed.entry_id)
    rows = list(
        entries.order_by("joined_at", "pk").values_list(
            "pk",
            "runner_id",
            "service_id",
            "service__duration_minutes",
            "service__kind",
            "first_day",
            "last_day",
            "earliest",
            "latest",
        )
    )
    if not rows:
        return []
    span_start, span_end = timeutils.local_day_bounds(tz, first, last)
    ctx = load_context(
        clinic=clinic,
        therapist_ids=[therapist.pk],
        runner=None,
        span_start=span_start,
        span_end=span_end,
        therapists=[therapist],
    )
    info = ctx.therapists[therapist.pk]
    policy = Policy.from_clinic(clinic, list(RaceWindow.objects.filter(clinic=clinic)))
    spacing = timedelta(days=clinic.min_days_between_sessions)
    runners = load_runners(
        Runner.objects.filter(pk__in=entries.values("runner_id")),
        policy=policy,
        span_start=span_start,
        span_end=span_end,
        lookback=spacing,
        lookahead=spacing,
    )
    # The free starts of each service in the freed time, once (no runner yet).
    starts: dict[tuple[int, str], list[datetime]] = {}
    chosen: list[Choice] = []
    for pk, runner_id, service_id, minutes, kind, first_day, last_day, earliest, latest in rows:
        duration = timedelta(minutes=minutes)
        service_policy = policy.for_service(kind)
        key = (minutes, kind)
        if key not in starts:
            starts[key] = [
                s
                for s in rules.free_starts(
                    therapist=info,
                    runner=None,
                    policy=service_policy,
                    now=now,
                    first=first,
                    last=last,
                    duration=duration,
                )
                if s >= freed.start and s + duration <= freed.end
            ]
        runner = runners.get(runner_id) or rules.RunnerInfo(id=runner_id)
        for start in starts[key]:
            local_start, local_end = start.astimezone(tz), (start + duration).astimezone(tz)
            if not (first_day <= local_start.date() <= last_day):
                continue
            if local_start.time() < earliest or local_end.date() != local_start.date():
                continue
            if local_end.time() > latest:
                continue
            if not rules.check(
                start=start,
                end=start + duration,
                therapist=info,
                service_active=True,
                runner=runner,
                policy=service_policy,
                now=now,
                grid_only=True,
            ):
                chosen.append(Choice(pk, runner_id, service_id, start))
                break
    return chosen


def offer_key(freed_id: int) -> str:
    """The offer e-mail's Reminder key: one per freed time and runner."""
    return f"w{freed_id}"


def make_offers(freed_id: int, *, now: datetime | None = None) -> list[int]:
    """Offer a freed time once: the first call chooses and records the offers and their
    e-mails (under the freed time's row lock); every call returns the e-mails not sent
    yet, in join order, for the worker to deliver (a redelivered task resumes)."""
    now = now or timezone.now()
    with transaction.atomic():
        freed = FreedTime.objects.select_for_update().filter(pk=freed_id).first()
        if freed is None:
            return []
        if freed.offered_at is None:
            chosen = choose(freed, now=now)
            expires = now + offer_lifetime()
            WaitlistOffer.objects.bulk_create(
                [
                    WaitlistOffer(
                        freed=freed,
                        entry_id=c.entry_id,
                        runner_id=c.runner_id,
                        therapist_id=freed.therapist_id,
                        service_id=c.service_id,
                        start=c.start,
                        expires_at=min(expires, c.start),
                        created_at=now,
                    )
                    for c in chosen
                ],
                ignore_conflicts=True,
                batch_size=2000,
            )
            Reminder.objects.bulk_create(
                [
                    Reminder(
                        runner_id=c.runner_id,
                        kind=Reminder.Kind.WAITLIST_OFFER,
                        key=offer_key(freed.pk),
                    )
                    for c in chosen
                ],
                ignore_conflicts=True,
                batch_size=2000,
            )
            freed.offered_at = now
            freed.save(update_fields=["offered_at"])
    order = {
        runner_id: i
        for i, runner_id in enumerate(
            WaitlistOffer.objects.filter(freed_id=freed_id)
            .order_by("entry__joined_at", "entry_id")
            .values_list("runner_id", flat=True)
        )
    }
    pending = Reminder.objects.filter(
        kind=Reminder.Kind.WAITLIST_OFFER,
        key=offer_key(freed_id),
        state__in=[Reminder.State.PENDING, Reminder.State.FAILED],
    ).values_list("pk", "runner_id")
    return [pk for pk, runner_id in sorted(pending, key=lambda row: order.get(row[1], 0))]


def offer_for(reminder: Reminder) -> WaitlistOffer | None:
    """The offer an e-mail is about (its key names the freed time)."""
    if not reminder.key.startswith("w") or not reminder.key[1:].isdigit():
        return None
    return (
        WaitlistOffer.objects.select_related("therapist__clinic", "service", "entry")
        .filter(freed_id=int(reminder.key[1:]), runner_id=reminder.runner_id)
        .first()
    )


def offer_state(offer: WaitlistOffer, *, now: datetime) -> str:
    """offered, claimed, taken or expired (an open offer past its time)."""
    if offer.state == WaitlistOffer.State.OFFERED and offer.expires_at <= now:
        return "expired"
    return offer.state


def claim(*, offer: WaitlistOffer, by: User, now: datetime | None = None) -> Session:
    """Book the offered time through the normal engine. The first claim wins (the
    therapist lock and the exclusion constraint decide); the others' offers of that time
    become taken and they stay on the list. WaitlistError: taken (409), expired (410),
    closed (409, the runner left the list); BookingError for any other rule."""
    now = now or timezone.now()
    offer = WaitlistOffer.objects.select_related(
        "runner", "service", "therapist__clinic", "entry"
    ).get(pk=offer.pk)
    if offer.state == WaitlistOffer.State.CLAIMED and offer.session is not None:
        return offer.session
    if offer.state == WaitlistOffer.State.TAKEN:
        raise WaitlistError(
            _("Someone else took this time first."), code=Code.OFFER_TAKEN, status_code=409
        )
    if offer.expires_at <= now:
        raise WaitlistError(
            _("This offer has expired; you are still on the waitlist."),
            code=Code.OFFER_EXPIRED,
            status_code=410,
        )
    if offer.entry.left_at is not None:
        raise WaitlistError(
            _("You are no longer on this waitlist."), code=Code.OFFER_CLOSED, status_code=409
        )
    try:
        session = services.session_book(
            runner=offer.runner,
            service=offer.service,
            therapist=offer.therapist,
            start=offer.start,
            by=by,
            idempotency_key=f"waitlist-offer-{offer.pk}",
            now=now,
            with_suggestions=False,
        )
    except BookingError as exc:
        if exc.code == BookingCode.SLOT_TAKEN:
            WaitlistOffer.objects.filter(pk=offer.pk).update(state=WaitlistOffer.State.TAKEN)
            raise WaitlistError(
                _("Someone else took this time first."), code=Code.OFFER_TAKEN, status_code=409
            ) from exc
        raise
    WaitlistOffer.objects.filter(pk=offer.pk).update(
        state=WaitlistOffer.State.CLAIMED, session=session
    )
    # Everyone else offered this very time: taken (they stay on the list).
    WaitlistOffer.objects.filter(
        therapist_id=offer.therapist_id,
        start__lt=session.end,
        start__gt=session.start - offer.service.duration,
        state=WaitlistOffer.State.OFFERED,
    ).exclude(pk=offer.pk).update(state=WaitlistOffer.State.TAKEN)
    return session
