"""Who is due a reminder, and under which unique key.

Reads only: the scans (booking.reminders.tasks) call these, record a Reminder row under
the key, and booking.reminders.delivery sends it.

Cadence rule (booking.engine.cadence, the one definition of "due"), in the clinic's
calendar: a runner with a cadence (runners.models.CADENCE_DAYS), reminders on and an
active account, is due on local day D when their last attended session started on day
D - cadence or earlier (or there has never been one) and nothing is booked ahead. A session still marked "booked" after it happened counts as
attended here: a therapist who has not marked attendance yet must not trigger a "time to
book" e-mail to someone who was on the table yesterday.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Exists, F, Max, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.fields import CharField
from django.db.models.functions import Cast, Coalesce, Concat

from booking.engine.cadence import cadence_period, counting_since, counting_until
from booking.models import Reminder, Session, SessionEvent
from clinic import timeutils
from clinic.models import Clinic
from runners.models import CADENCE_DAYS, Runner

BATCH_SIZE = 500
# Statuses that mean "has had (or has) a massage" for the cadence rule.
CADENCE_COUNTING = (Session.Status.ATTENDED, Session.Status.BOOKED)
APPOINTMENT_LEAD = timedelta(hours=24)


def clinics_at_reminder_hour(*, now: datetime) -> list[Clinic]:
    """Clinics whose local time is now in their reminder hour (one query)."""
    return [c for c in Clinic.objects.all() if c.local(now).hour == c.reminder_hour]


def _cadence_thresholds(clinic: Clinic, today: date) -> dict[str, tuple[datetime, datetime]]:
    # booking.engine.cadence.is_due as a query: due on `today` when nothing counting
    # started on or after local day counting_since(today, days) and before
    # counting_until(today, days) (a session booked further ahead does not count).
    return {
        cadence: (
            timeutils.local_midnight(counting_since(today, days), clinic.tz),
            timeutils.local_midnight(counting_until(today, days), clinic.tz),
        )
        for cadence, days in CADENCE_DAYS.items()
    }


def due_runners(
    *, clinic: Clinic, now: datetime, skip_recently_reminded: bool = True
) -> QuerySet[Runner]:
    """Runners of the clinic due a cadence reminder on the clinic-local day of `now`.

    One set-based query whatever the number of runners. `skip_recently_reminded` leaves
    out those who already had a cadence reminder in this period (an optimisation for the
    daily scan; the unique key is what makes it once)."""
    today = timeutils.local_date(now, clinic.tz)
    due = Q()
    for cadence, (threshold, until) in _cadence_thresholds(clinic, today).items():
        counting = Session.objects.filter(
            runner=OuterRef("pk"),
            status__in=CADENCE_COUNTING,
            start__gte=threshold,
            start__lt=until,
        )
        due |= Q(cadence=cadence) & ~Q(Exists(counting))
    qs = Runner.objects.filter(
        due,
        clinic=clinic,
        reminders_opt_in=True,
        user__is_active=True,
        cadence__in=list(CADENCE_DAYS),
    )
    if skip_recently_reminded:
        for cadence, days in CADENCE_DAYS.items():
            # Keys are the ISO dates periods start on; one that started within the last
            # `days` days is the current period.
            recent = Reminder.objects.filter(
                runner=OuterRef("pk"),
                kind=Reminder.Kind.CADENCE,
                key__gte=counting_since(today, days).isoformat(),
            )
            qs = qs.exclude(Q(cadence=cadence) & Exists(recent))
    return qs


def iter_batches(ids: Iterable[int], size: int | None = None) -> Iterator[list[int]]:
    size = size or BATCH_SIZE
    batch: list[int] = []
    for pk in ids:
        batch.append(pk)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def due_runner_id_batches(
    *, clinic: Clinic, now: datetime, size: int | None = None
) -> Iterator[list[int]]:
    """Due runner ids in batches, streamed (a server-side cursor on PostgreSQL), so memory
    stays flat however many runners there are."""
    ids = (
        due_runners(clinic=clinic, now=now)
        .order_by("pk")
        .values_list("pk", flat=True)
        .iterator(chunk_size=size or BATCH_SIZE)
    )
    return iter_batches(ids, size)


@dataclass(frozen=True)
class CadenceDue:
    runner_id: int
    key: str  # the due period: the clinic-local date it began


def cadence_due_keys(*, runner_ids: list[int], now: datetime) -> list[CadenceDue]:
    """Re-check a batch against the rule (one query) and give each due runner its key."""
    if not runner_ids:
        return []
    rows = (
        Runner.objects.filter(pk__in=runner_ids, clinic__isnull=False)
        .select_related("clinic")
        .annotate(
            last_start=Max(
                "sessions__start",
                filter=Q(sessions__status__in=CADENCE_COUNTING, sessions__start__lt=now),
            )
        )
        .only("pk", "cadence", "created_at", "clinic")
    )
    due_ids: set[int] = set()
    by_clinic: dict[int, list[int]] = {}
    clinics: dict[int, Clinic] = {}
    for runner in rows:
        if runner.clinic is not None:
            by_clinic.setdefault(runner.clinic.pk, []).append(runner.pk)
            clinics[runner.clinic.pk] = runner.clinic
    for clinic_id, ids in by_clinic.items():
        due_ids |= set(
            due_runners(clinic=clinics[clinic_id], now=now, skip_recently_reminded=False)
            .filter(pk__in=ids)
            .values_list("pk", flat=True)
        )
    out = []
    for runner in rows:
        clinic = runner.clinic
        if runner.pk not in due_ids or clinic is None:
            continue
        days = CADENCE_DAYS[runner.cadence]
        tz = clinic.tz
        last = timeutils.local_date(runner.last_start, tz) if runner.last_start else None
        period = cadence_period(
            last=last,
            joined=timeutils.local_date(runner.created_at, tz),
            today=timeutils.local_date(now, tz),
            days=days,
        )
        out.append(CadenceDue(runner_id=runner.pk, key=period.isoformat()))
    return out


def cadence_still_due(runner: Runner, *, now: datetime) -> bool:
    if runner.clinic_id is None or runner.clinic is None:
        return False
    return (
        due_runners(clinic=runner.clinic, now=now, skip_recently_reminded=False)
        .filter(pk=runner.pk)
        .exists()
    )


def appointment_key_expression() -> Concat:
    """The appointment reminder key, computed by the database (session id and its start),
    so the scan can leave out sessions already reminded in the same query."""
    return Concat(
        Value("s"),
        Cast("pk", CharField()),
        Value("@"),
        Cast("start", CharField()),
        output_field=CharField(),
    )


def sessions_due_appointment_reminder(*, now: datetime) -> QuerySet[Session]:
    """Booked sessions starting within the next 24 hours that were booked at least 24
    hours before their start and have no appointment reminder yet (one query)."""
    reminded = Reminder.objects.filter(
        session=OuterRef("pk"), kind=Reminder.Kind.APPOINTMENT, key=OuterRef("reminder_key")
    )
    return (
        with_booked_at(
            Session.objects.filter(
                status=Session.Status.BOOKED,
                start__gt=now,
                start__lte=now + APPOINTMENT_LEAD,
                runner__user__is_active=True,
            )
        )
        .filter(Q(booked_at__lte=F("start") - APPOINTMENT_LEAD))
        .annotate(reminder_key=appointment_key_expression())
        .exclude(Exists(reminded))
    )


def with_booked_at(qs: QuerySet[Session]) -> QuerySet[Session]:
    """Annotate when the session got its current time: booked, or last moved (sessions
    are moved in place). A session moved to within 24 hours gets no reminder either."""
    last_move = (
        SessionEvent.objects.filter(session=OuterRef("pk"), kind=SessionEvent.Kind.RESCHEDULED)
        .order_by("-at")
        .values("at")[:1]
    )
    return qs.annotate(booked_at=Coalesce(Subquery(last_move), F("created_at")))


def appointment_still_due(session: Session, *, now: datetime) -> bool:
    return (
        with_booked_at(Session.objects.filter(pk=session.pk))
        .filter(
            Q(booked_at__lte=F("start") - APPOINTMENT_LEAD),
            status=Session.Status.BOOKED,
            start__gt=now,
            start__lte=now + APPOINTMENT_LEAD,
        )
        .exists()
    )
