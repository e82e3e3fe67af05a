"""Writes on therapists' schedules: weekly working hours from a date, time off.

Nothing here touches sessions: which booked sessions are in the way of a new schedule is
a read in `booking` (booking.staff.selectors.sessions_in_the_way), shown to the therapist
to move or cancel, so that nothing is silently dropped.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from clinic.cache import availability_changed
from clinic.errors import CodedError
from clinic.models import Clinic, Therapist, TimeOff, User, WorkingHours


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
    # Serialise schedule changes of one therapist.
    Therapist.objects.select_for_update().filter(pk=therapist.pk).first()
    rows = WorkingHours.objects.filter(therapist=therapist)
    rows.filter(valid_from__gte=valid_from).delete()
    rows.filter(Q(valid_until__isnull=True) | Q(valid_until__gt=valid_from)).update(
        valid_until=valid_from
    )
    availability_changed(therapist_ids={therapist.pk})
    return WorkingHours.objects.bulk_create(
        WorkingHours(
            therapist=therapist,
            weekday=iv.weekday,
            start_time=iv.start,
            end_time=iv.end,
            valid_from=valid_from,
        )
        for iv in intervals
    )


@transaction.atomic
def time_off_add(
    *,
    therapist: Therapist,
    start: datetime,
    end: datetime,
    reason: str = "",
    by: User | None = None,
) -> TimeOff:
    if start.tzinfo is None or end.tzinfo is None:
        raise ScheduleError(_("Give the time off with its time zone."), code=Code.TIME_OFF_NAIVE)
    if end <= start:
        raise ScheduleError(
            _("The time off ends before it starts."), code=Code.TIME_OFF_END_BEFORE_START
        )
    Therapist.objects.select_for_update().filter(pk=therapist.pk).first()
    if TimeOff.objects.filter(therapist=therapist, start__lt=end, end__gt=start).exists():
        raise ScheduleError(
            _("That overlaps time off you already have; remove or change that one first."),
            code=Code.TIME_OFF_OVERLAP,
            status_code=409,
        )
    time_off = TimeOff.objects.create(
        therapist=therapist, start=start, end=end, reason=reason[:200]
    )
    availability_changed(therapist_ids={therapist.pk})
    return time_off


def time_off_remove(*, time_off: TimeOff, by: User | None = None) -> None:
    time_off.delete()
    availability_changed(therapist_ids={time_off.therapist_id})


@transaction.atomic
def clinic_save(*, clinic: Clinic, by: User | None = None) -> Clinic:
    """A clinic's details and booking policy: its therapists' availability is recomputed."""
    clinic.save()
    availability_changed(clinic_id=clinic.pk)
    return clinic
