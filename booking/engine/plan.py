"""Plan my season (issue 14): from the runner's races and cadence, the sessions to book
over the next weeks, each with its reason:

1. before each A race, an unloading massage on the last day its window leaves free
   (or up to two days earlier), unless one is already booked in the week before;
2. after it, a light recovery massage when the clinic offers one (`Service.kind`), from
   the clinic's hours after the finish to `RECOVERY_WITHIN` after it, the day after the
   finish first;
3. the cadence in between: every 14 or 30 days from the last session had or booked
   (or today for a runner with none), a race's sessions counting as a step of it.

Nothing here decides a rule: the slot sweep (`rules.free_starts`) finds candidates and
every proposal passes the validator (`rules.check`) with the proposals before it, so a
plan never offers what booking would refuse. Recomputed on every read: a race change
re-plans at once. `propose` is pure; `season_plan` reads in a fixed number of queries;
`plan_book` books the chosen ones through booking.engine.series.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from booking.engine import rules
from booking.engine.context import COUNTED_STATUSES, load_context
from booking.engine.idempotency import request_fingerprint, utc_iso
from booking.engine.series import SeriesResult, book_occurrences
from booking.models import Session
from clinic import timeutils
from clinic.models import Clinic, Service, Therapist, User
from clinic.policy import Policy, ServiceKind
from runners.models import Runner

DEFAULT_WEEKS = 12
MAX_WEEKS = 26
# A plan's POST books at most this many sessions (the "#n" of the idempotency key).
MAX_PROPOSALS = 40
# The race's massage may move this many days earlier when its last day is full.
PRE_RACE_DAYS = 3
# The articles' "from a few hours to 48 h after a finish" for the recovery massage.
RECOVERY_WITHIN = timedelta(hours=48)
# A cadence session may slip this many days past its due day when that day is full.
CADENCE_SLIP_DAYS = 6


class Reason:
    BEFORE_RACE = "before_race"
    AFTER_RACE = "after_race"
    CADENCE = "cadence"


@dataclass(frozen=True)
class Offer:
    """A service the plan may propose: its id, kind and length."""

    id: int
    kind: str
    duration: timedelta


@dataclass(frozen=True)
class Proposal:
    start: datetime  # UTC
    end: datetime
    therapist_id: int
    service_id: int
    reason: str  # Reason.*
    race_id: int | None = None
    race_name: str = ""
    cadence_days: int | None = None

    @property
    def label(self) -> str:
        """Why this session, in the active language."""
        if self.reason == Reason.BEFORE_RACE:
            return _("Your last unloading massage before %(race)s, leaving its rest days") % {
                "race": self.race_name
            }
        if self.reason == Reason.AFTER_RACE:
            return _("A light recovery massage after %(race)s") % {"race": self.race_name}
        return _("Your cadence: one unloading massage every %(days)s days") % {
            "days": self.cadence_days
        }

    @property
    def value(self) -> str:
        """The proposal as a form value: service, therapist and start."""
        return f"{self.service_id}:{self.therapist_id}:{utc_iso(self.start)}"


@dataclass
class _Work:
    """The runner and therapists as the proposals so far leave them."""

    runner: rules.RunnerInfo
    therapists: list[rules.TherapistInfo]
    proposals: list[Proposal] = field(default_factory=list)
    # (service kind, therapist id, local day): its free starts, swept once. A proposal
    # only takes time away, so a start missing here never becomes free; one listed may
    # have been taken since: the validator says so.
    swept: dict[tuple[str, int, date], list[datetime]] = field(default_factory=dict)

    def free_on(
        self, therapist: rules.TherapistInfo, offer: Offer, policy: Policy, now: datetime, day: date
    ) -> list[datetime]:
        key = (offer.kind, therapist.id, day)
        if key not in self.swept:
            self.swept[key] = rules.free_starts(
                therapist=therapist,
                runner=self.runner,
                policy=policy,
                now=now,
                first=day,
                last=day,
                duration=offer.duration,
            )
        return self.swept[key]

    def add(self, proposal: Proposal) -> Proposal:
        busy = rules.Busy(proposal.start, proposal.end)
        self.runner.busy.append(busy)
        self.runner.sessions.append(busy)
        for therapist in self.therapists:
            if therapist.id == proposal.therapist_id:
                therapist.busy.append(busy)
        self.proposals.append(proposal)
        return proposal


def _first_passing(
    work: _Work,
    offer: Offer,
    policy: Policy,
    now: datetime,
    day: date,
    *,
    preferred: time | None,
    not_before: datetime | None = None,
    not_after: datetime | None = None,
) -> tuple[int, datetime] | None:
    """(therapist id, start) of the best time on a local day that the validator passes:
    the therapists in the order given, the time nearest `preferred` (else the earliest)."""
    kind_policy = policy.for_service(offer.kind)
    order = {t.id: i for i, t in enumerate(work.therapists)}
    wanted = preferred.hour * 60 + preferred.minute if preferred else 0
    candidates: list[tuple[int, int, datetime, rules.TherapistInfo]] = []
    for therapist in work.therapists:
        for start in work.free_on(therapist, offer, kind_policy, now, day):
            if not_before is not None and start < not_before:
                continue
            if not_after is not None and start + offer.duration > not_after:
                continue
            local = start.astimezone(policy.tz)
            distance = abs(local.hour * 60 + local.minute - wanted)
            candidates.append((distance, order[therapist.id], start, therapist))
    for _distance, _order, start, therapist in sorted(candidates, key=lambda c: c[:3]):
        if not rules.check(
            start=start,
            end=start + offer.duration,
            therapist=therapist,
            service_active=True,
            runner=work.runner,
            policy=kind_policy,
            now=now,
            grid_only=True,
        ):
            return therapist.id, start
    return None


def propose(
    *,
    therapists: Sequence[rules.TherapistInfo],
    runner: rules.RunnerInfo,
    policy: Policy,
    unloading: Offer,
    recovery: Offer | None,
    cadence_days: int | None,
    now: datetime,
    first: date,
    last: date,
    preferred: time | None = None,
) -> list[Proposal]:
    """The season's proposals on local days first..last (pure; see the module's doc).
    `therapists`: in the runner's order of preference; `runner`: their sessions (booked
    or attended, from a cadence before `first`) and races; `preferred`: the local time of
    day to aim at (their usual one)."""
    now = now.astimezone(UTC)
    work = _Work(
        runner=replace(runner, busy=list(runner.busy), sessions=list(runner.sessions)),
        therapists=[replace(t, busy=list(t.busy)) for t in therapists],
    )
    tz = policy.tz
    range_start, range_end = timeutils.local_day_bounds(tz, first, last)
    unloading_policy = policy.for_service(unloading.kind)
    existing = sorted(b.start for b in runner.sessions)

    def pick(
        day: date,
        offer: Offer,
        reason: str,
        race: rules.RaceInfo | None = None,
        **bounds: datetime | None,
    ) -> Proposal | None:
        """The best time on `day` that passes, proposed; None when there is none."""
        if not first <= day <= last:
            return None
        found = _first_passing(work, offer, policy, now, day, preferred=preferred, **bounds)
        if found is None:
            return None
        therapist_id, start = found
        return work.add(
            Proposal(
                start,
                start + offer.duration,
                therapist_id,
                offer.id,
                reason,
                race.id if race else None,
                race.name if race else "",
                cadence_days if reason == Reason.CADENCE else None,
            )
        )

    races = sorted(
        (r for r in runner.races if r.priority == "A" and range_start <= r.start < range_end),
        key=lambda r: r.start,
    )
    for race in races:
        window = unloading_policy.forbidden_window(race)
        week_before = timeutils.local_midnight(
            window.last_day - timedelta(days=policy.min_days_between - 1), tz
        )
        if not any(week_before <= s < window.starts for s in existing):
            for back in range(PRE_RACE_DAYS):
                day = window.last_day - timedelta(days=back)
                if pick(day, unloading, Reason.BEFORE_RACE, race):
                    break
        if recovery is None:
            continue
        opens = policy.for_service(recovery.kind).forbidden_window(race).ends
        closes = race.finish + RECOVERY_WITHIN
        finish_day = timeutils.local_date(race.finish, tz)
        for day in (finish_day + timedelta(days=1), finish_day, finish_day + timedelta(days=2)):
            if pick(day, recovery, Reason.AFTER_RACE, race, not_before=opens, not_after=closes):
                break

    if cadence_days:
        # The steps of the cadence: the sessions had or booked, and the race sessions
        # just proposed (a recovery massage is not an unloading one).
        anchors = sorted(
            {timeutils.local_date(s, tz) for s in existing}
            | {
                timeutils.local_date(p.start, tz)
                for p in work.proposals
                if p.reason == Reason.BEFORE_RACE
            }
        )
        before = [d for d in anchors if d < first]
        due = before[-1] + timedelta(days=cadence_days) if before else first
        due = max(due, first)
        gap = timedelta(days=max(policy.min_days_between, 1))
        while due <= last:
            following = next((d for d in anchors if d >= due - gap + timedelta(days=1)), None)
            if following is not None and following < due + gap:
                # A session already there (or one a race needs) is this step.
                due = max(due, following) + timedelta(days=cadence_days)
                continue
            placed = None
            for slip in range(CADENCE_SLIP_DAYS + 1):
                day = due + timedelta(days=slip)
                if following is not None and day > following - gap:
                    break
                placed = pick(day, unloading, Reason.CADENCE)
                if placed is not None:
                    break
            if placed is not None:
                due = timeutils.local_date(placed.start, tz) + timedelta(days=cadence_days)
            elif following is not None and following < due + gap + timedelta(
                days=CADENCE_SLIP_DAYS
            ):
                due = max(due, following) + timedelta(days=cadence_days)
            else:
                due += timedelta(days=CADENCE_SLIP_DAYS + 1)
    return sorted(work.proposals, key=lambda p: p.start)


@dataclass
class SeasonPlan:
    clinic: Clinic | None
    proposals: list[Proposal] = field(default_factory=list)
    services: dict[int, Service] = field(default_factory=dict)
    therapists: dict[int, str] = field(default_factory=dict)  # id: name
    weeks: int = DEFAULT_WEEKS


def _offer(service: Service) -> Offer:
    return Offer(id=service.pk, kind=service.kind, duration=service.duration)


def season_plan(
    runner: Runner, *, weeks: int = DEFAULT_WEEKS, now: datetime | None = None
) -> SeasonPlan:
    """The runner's plan for the next `weeks` weeks at their home clinic (never past the
    clinic's booking horizon). Six queries whatever the number of races and sessions:
    the clinic's services, the runner's last session, and the validator's context (hours,
    time off and sessions, window rules, races)."""
    now = now or timezone.now()
    clinic = runner.clinic
    plan = SeasonPlan(clinic=clinic, weeks=weeks)
    if clinic is None:
        return plan
    services = list(Service.objects.filter(clinic=clinic, active=True).order_by("pk"))
    last = (
        Session.objects.filter(runner=runner, clinic=clinic, status__in=COUNTED_STATUSES)
        .filter(start__lt=now)
        .order_by("-start")
        .values_list("service_id", "therapist_id", "start")
        .first()
    )
    unloadings = [s for s in services if s.kind == ServiceKind.UNLOADING]
    if not unloadings:
        return plan
    # The runner's usual service, else the clinic's first.
    unloading = next((s for s in unloadings if last and s.pk == last[0]), unloadings[0])
    recovery = next((s for s in services if s.kind == ServiceKind.RECOVERY), None)
    tz = clinic.tz
    first = timeutils.local_date(now, tz)
    horizon = min(timedelta(weeks=weeks), timedelta(days=clinic.max_days_ahead))
    last_day = timeutils.local_date(now + horizon, tz)
    span_start, span_end = timeutils.local_day_bounds(tz, first, last_day)
    reach = timedelta(days=max(runner.cadence_days or 0, clinic.min_days_between_sessions) + 1)
    ctx = load_context(
        clinic=clinic,
        therapist_ids=None,
        runner=runner,
        span_start=span_start,
        span_end=span_end,
        lookback=reach,
        lookahead=reach,
    )
    # The preferred therapist, then the last session's, then the others by name.
    rank = {pk: i for i, pk in enumerate([runner.preferred_therapist_id, last and last[1]]) if pk}
    therapists = sorted(ctx.therapists.values(), key=lambda t: (rank.get(t.id, 2), t.name))
    preferred = last[2].astimezone(tz).time() if last else None
    if ctx.runner is None:  # never: a runner was given (for the type checker)
        return plan
    plan.proposals = propose(
        therapists=therapists,
        runner=ctx.runner,
        policy=ctx.policy,
        unloading=_offer(unloading),
        recovery=_offer(recovery) if recovery is not None else None,
        cadence_days=runner.cadence_days,
        now=now,
        first=first,
        last=last_day,
        preferred=preferred,
    )
    plan.services = {s.pk: s for s in services}
    plan.therapists = {t.id: t.name for t in ctx.therapists.values()}
    return plan


def plan_book(
    *,
    runner: Runner,
    chosen: Sequence[tuple[Service, Therapist, datetime]],
    by: User,
    now: datetime | None = None,
    all_or_nothing: bool = False,
    idempotency_key: str | None = None,
) -> SeriesResult:
    """Book the chosen proposals, each validated on its own, as a series is
    (booking.engine.series): 201/207/400 follow from the result."""
    fingerprint = None
    if idempotency_key:
        fingerprint = request_fingerprint(
            {
                "plan": True,
                "chosen": [[s.pk, t.pk, utc_iso(start)] for s, t, start in chosen],
                "all_or_nothing": all_or_nothing,
            }
        )
    return book_occurrences(
        runner=runner,
        items=list(chosen),
        by=by,
        now=now or timezone.now(),
        all_or_nothing=all_or_nothing,
        idempotency_key=idempotency_key,
        fingerprint=fingerprint,
    )
