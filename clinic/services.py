"""Writes of the clinic domain: therapists' schedules (weekly working hours from a date,
one interval, time off), and the clinic's settings, race windows, therapists and services.
Each write says which cached availability it moves (clinic.cache.availability_changed),
and a write that makes time bookable says so (clinic.events.time_freed: the waitlist).

Nothing here touches sessions: which booked sessions are in the way of a new schedule is
a read in `booking` (booking.staff.selectors.sessions_in_the_way), shown to the therapist
to move or cancel, so that nothing is silently dropped.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from clinic import events, timeutils
from clinic.cache import availability_changed
from clinic.errors import CodedError
from clinic.models import (
    Clinic,
    RaceWindow,
    ScheduleChange,
    Service,
    Therapist,
    TimeOff,
    User,
    WorkingHours,
)
from clinic.policy import DEFAULT_RACE_RULES


class ScheduleError(CodedError):
    """A schedule change that cannot be saved; `code` says why, the sentence says how."""


class Code:
    HOURS_END_BEFORE_START = "hours_end_before_start"
    HOURS_OVERLAP = "hours_overlap"
    HOURS_BAD_WEEKDAY = "hours_bad_weekday"
    TIME_OFF_END_BEFORE_START = "time_off_end_before_start"
    TIME_OFF_NAIVE = "time_off_naive"
    TIME_OFF_OVERLAP = "time_off_overlap"


@dataclass(frozen=True, order=True)
class Interval:
    weekday: int
    start: time
    end: time


def _weekday_name(weekday: int) -> str:
    return str(WorkingHours.Weekday(weekday).label)


def validate_intervals(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted intervals, or ScheduleError for the first that ends before it starts or
    overlaps another of the same weekday (touching, 14:00-15:00 then 15:00-16:00, is fine)."""
    result = sorted(intervals)
    by_day: dict[int, list[Interval]] = defaultdict(list)
    for iv in result:
        if not 0 <= iv.weekday <= 6:
            raise ScheduleError(
                _("Weekdays go from 0 (Monday) to 6 (Sunday)."), code=Code.HOURS_BAD_WEEKDAY
            )
        if iv.end <= iv.start:
            raise ScheduleError(
                _("%(day)s: %(start)s–%(end)s ends before it starts.")
                % {
                    "day": _weekday_name(iv.weekday),
                    "start": f"{iv.start:%H:%M}",
                    "end": f"{iv.end:%H:%M}",
                },
                code=Code.HOURS_END_BEFORE_START,
                extra={"weekday": iv.weekday},
            )
        by_day[iv.weekday].append(iv)
    for weekday, day in by_day.items():
        for prev, cur in zip(day, day[1:], strict=False):
            if cur.start < prev.end:
                raise ScheduleError(
                    _("%(day)s: %(a)s and %(b)s overlap.")
                    % {
                        "day": _weekday_name(weekday),
                        "a": f"{prev.start:%H:%M}–{prev.end:%H:%M}",
                        "b": f"{cur.start:%H:%M}–{cur.end:%H:%M}",
                    },
                    code=Code.HOURS_OVERLAP,
                    extra={"weekday": weekday},
                )
    return result


def hours_on(*, therapist: Therapist, on: date) -> list[WorkingHours]:
    """The weekly hours in force on a date (each weekday's intervals, in order)."""
    return list(
        WorkingHours.objects.filter(therapist=therapist)
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=on))
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gt=on))
        .order_by("weekday", "start_time")
    )


@transaction.atomic
def working_hours_replace(
    *, therapist: Therapist, intervals: Iterable[Interval], valid_from: date, by: User | None = None
) -> list[WorkingHours]:
    """From `valid_from` on, the therapist works `intervals` (every later plan is replaced);
    the hours before that date stay as they were, so the past still explains itself."""
    intervals = validate_intervals(intervals)
    _lock_therapist(therapist.pk)
    before = _hours_record(hours_on(therapist=therapist, on=valid_from), valid_from)
    rows = WorkingHours.objects.filter(therapist=therapist)
    rows.filter(valid_from__gte=valid_from).delete()
    rows.filter(Q(valid_until__isnull=True) | Q(valid_until__gt=valid_from)).update(
        valid_until=valid_from
    )
    availability_changed(therapist_ids={therapist.pk})
    _hours_freed(therapist, valid_from)
    created = WorkingHours.objects.bulk_create(
        WorkingHours(
            therapist=therapist,
            weekday=iv.weekday,
            start_time=iv.start,
            end_time=iv.end,
            valid_from=valid_from,
        )
        for iv in intervals
    )
    _audit(therapist.pk, by, ScheduleChange.Kind.HOURS, before, _hours_record(created, valid_from))
    return created


def _hours_freed(therapist: Therapist, valid_from: date | None) -> None:
    """New hours from a date: the bookable stretch from then (not before today) to the
    clinic's booking horizon may hold new times (the waitlist checks which)."""
    clinic = therapist.clinic
    today = timeutils.local_date(timezone.now(), clinic.tz)
    first = max(valid_from or today, today)
    start, end = timeutils.local_day_bounds(
        clinic.tz, first, today + timedelta(days=clinic.max_days_ahead)
    )
    events.time_freed(therapist_id=therapist.pk, start=start, end=end, reason="hours")


def _hours_record(rows: Iterable[WorkingHours], valid_from: date | None) -> dict:
    days: dict[str, list[str]] = defaultdict(list)
    for row in sorted(rows, key=lambda r: (r.weekday, r.start_time)):
        days[str(row.weekday)].append(f"{row.start_time:%H:%M}-{row.end_time:%H:%M}")
    return {"hours": dict(days), "from": valid_from.isoformat() if valid_from else None}


def _time_off_record(off: TimeOff | None) -> dict | None:
    if off is None:
        return None
    tz = Therapist.objects.select_related("clinic").get(pk=off.therapist_id).clinic.tz
    return {
        "start": off.start.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
        "end": off.end.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
        "reason": off.reason,
    }


def _audit(
    therapist_id: int, by: User | None, kind: str, before: dict | None, after: dict | None
) -> None:
    if before != after:
        ScheduleChange.objects.create(
            therapist_id=therapist_id,
            by=by if by is not None and by.pk else None,
            kind=kind,
            before=before,
            after=after,
        )


def _lock_therapist(therapist_id: int) -> None:
    """Serialise schedule changes of one therapist."""
    Therapist.objects.select_for_update().filter(pk=therapist_id).first()


def _overlapping_hours(row: WorkingHours) -> WorkingHours | None:
    """Another row of the therapist, the same weekday, in force on a common day, whose
    times overlap `row`'s (touching is fine)."""
    others = WorkingHours.objects.filter(
        therapist_id=row.therapist_id,
        weekday=row.weekday,
        start_time__lt=row.end_time,
        end_time__gt=row.start_time,
    ).exclude(pk=row.pk)
    if row.valid_until is not None:
        others = others.filter(Q(valid_from__isnull=True) | Q(valid_from__lt=row.valid_until))
    if row.valid_from is not None:
        others = others.filter(Q(valid_until__isnull=True) | Q(valid_until__gt=row.valid_from))
    return others.order_by("start_time").first()


@transaction.atomic
def working_hours_save(*, row: WorkingHours, by: User | None = None) -> WorkingHours:
    """One interval of weekly hours, added or changed on its own (the Django admin; the
    staff pages replace a whole week with working_hours_replace). ScheduleError if it ends
    before it starts or overlaps another interval in force on the same weekday."""
    validate_intervals([Interval(row.weekday, row.start_time, row.end_time)])
    _lock_therapist(row.therapist_id)
    clash = _overlapping_hours(row)
    if clash is not None:
        raise ScheduleError(
            _("%(day)s: %(a)s and %(b)s overlap.")
            % {
                "day": _weekday_name(row.weekday),
                "a": f"{clash.start_time:%H:%M}–{clash.end_time:%H:%M}",
                "b": f"{row.start_time:%H:%M}–{row.end_time:%H:%M}",
            },
            code=Code.HOURS_OVERLAP,
            status_code=409,
            extra={"weekday": row.weekday},
        )
    old = WorkingHours.objects.filter(pk=row.pk).first() if row.pk else None
    before = old.therapist_id if old else None
    row.save()
    availability_changed(therapist_ids={row.therapist_id} | ({before} if before else set()))
    _hours_freed(row.therapist, row.valid_from)
    _audit(
        row.therapist_id,
        by,
        ScheduleChange.Kind.HOURS,
        _hours_record([old], old.valid_from) if old else None,
        _hours_record([row], row.valid_from),
    )
    return row


@transaction.atomic
def working_hours_delete(*, row: WorkingHours, by: User | None = None) -> None:
    _lock_therapist(row.therapist_id)
    _audit(
        row.therapist_id, by, ScheduleChange.Kind.HOURS, _hours_record([row], row.valid_from), None
    )
    row.delete()
    availability_changed(therapist_ids={row.therapist_id})


@transaction.atomic
def time_off_save(*, time_off: TimeOff, by: User | None = None) -> TimeOff:
    """Time off added or changed: tz-aware, ends after it starts, overlaps no other time
    off of the therapist (ScheduleError, with its code, otherwise)."""
    start, end = time_off.start, time_off.end
    if start.tzinfo is None or end.tzinfo is None:
        raise ScheduleError(_("Give the time off with its time zone."), code=Code.TIME_OFF_NAIVE)
    if end <= start:
        raise ScheduleError(
            _("The time off ends before it starts."), code=Code.TIME_OFF_END_BEFORE_START
        )
    _lock_therapist(time_off.therapist_id)
    overlapping = TimeOff.objects.filter(
        therapist_id=time_off.therapist_id, start__lt=end, end__gt=start
    ).exclude(pk=time_off.pk)
    if overlapping.exists():
        raise ScheduleError(
            _("That overlaps time off you already have; remove or change that one first."),
            code=Code.TIME_OFF_OVERLAP,
            status_code=409,
        )
    old = TimeOff.objects.filter(pk=time_off.pk).first() if time_off.pk else None
    before = old.therapist_id if old else None
    time_off.reason = (time_off.reason or "")[:200]
    time_off.save()
    availability_changed(therapist_ids={time_off.therapist_id} | ({before} if before else set()))
    if old is not None:  # what the old time off held may be free now
        events.time_freed(
            therapist_id=old.therapist_id, start=old.start, end=old.end, reason="time_off"
        )
    _audit(
        time_off.therapist_id,
        by,
        ScheduleChange.Kind.TIME_OFF,
        _time_off_record(old),
        _time_off_record(time_off),
    )
    return time_off


def time_off_add(
    *,
    therapist: Therapist,
    start: datetime,
    end: datetime,
    reason: str = "",
    by: User | None = None,
) -> TimeOff:
    return time_off_save(
        time_off=TimeOff(therapist=therapist, start=start, end=end, reason=reason), by=by
    )


@transaction.atomic
def time_off_remove(*, time_off: TimeOff, by: User | None = None) -> None:
    _lock_therapist(time_off.therapist_id)
    _audit(
        time_off.therapist_id, by, ScheduleChange.Kind.TIME_OFF, _time_off_record(time_off), None
    )
    time_off.delete()
    availability_changed(therapist_ids={time_off.therapist_id})
    events.time_freed(
        therapist_id=time_off.therapist_id,
        start=time_off.start,
        end=time_off.end,
        reason="time_off",
    )


# The clinic's own settings and catalogue (the Django admin writes them here).


@transaction.atomic
def clinic_save(*, clinic: Clinic, by: User | None = None) -> Clinic:
    """A clinic's details and booking policy: its therapists' availability is recomputed."""
    clinic.save()
    availability_changed(clinic_id=clinic.pk)
    return clinic


def race_window_save(*, window: RaceWindow, by: User | None = None) -> RaceWindow:
    window.save()
    return window


def race_window_delete(*, window: RaceWindow, by: User | None = None) -> None:
    window.delete()


@transaction.atomic
def therapist_save(*, therapist: Therapist, by: User | None = None) -> Therapist:
    before = Therapist.objects.filter(pk=therapist.pk).values_list("clinic_id", flat=True).first()
    therapist.save()
    availability_changed(therapist_ids={therapist.pk}, clinic_id=therapist.clinic_id)
    if before is not None and before != therapist.clinic_id:
        availability_changed(clinic_id=before)
    return therapist


@transaction.atomic
def therapist_delete(*, therapist: Therapist, by: User | None = None) -> None:
    therapist_id, clinic_id = therapist.pk, therapist.clinic_id
    therapist.delete()
    availability_changed(therapist_ids={therapist_id}, clinic_id=clinic_id)


@transaction.atomic
def service_save(*, service: Service, by: User | None = None) -> Service:
    service.save()
    availability_changed(clinic_id=service.clinic_id)
    return service


@transaction.atomic
def service_delete(*, service: Service, by: User | None = None) -> None:
    clinic_id = service.clinic_id
    service.delete()
    availability_changed(clinic_id=clinic_id)


@transaction.atomic
def clinic_delete(*, clinic: Clinic, by: User | None = None) -> None:
    therapist_ids = set(clinic.therapists.values_list("pk", flat=True))
    clinic.delete()
    availability_changed(therapist_ids=therapist_ids)


def clinic_seed_race_rules(*, clinic: Clinic) -> int:
    """Give a clinic without race window rules the starting points of
    clinic.policy.DEFAULT_RACE_RULES (docs/race-rules.md), which it may then edit.
    Idempotent: a clinic that has rules keeps them. Returns how many were created."""
    if RaceWindow.objects.filter(clinic=clinic).exists():
        return 0
    rows = RaceWindow.objects.bulk_create(
        RaceWindow(
            clinic=clinic,
            min_distance_km=km,
            priority=priority,
            rest_days_before=rest_days,
            days_after=days_after,
            after_race_hours=hours_after,
        )
        for km, priority, rest_days, days_after, hours_after in DEFAULT_RACE_RULES
    )
    availability_changed(clinic_id=clinic.pk)
    return len(rows)


def staff_profile_update(*, user: User, first_name: str, last_name: str, language: str) -> User:
    """A staff member's own settings. The language is kept on the user and applied at
    every sign-in (runners.adapter.AccountAdapter.post_login)."""
    if language not in {code for code, _name in User._meta.get_field("language").choices or ()}:
        raise CodedError(_("Choose English or Spanish."), code="invalid_language")
    user.first_name, user.last_name, user.language = first_name, last_name, language
    user.save(update_fields=["first_name", "last_name", "language"])
    return user
