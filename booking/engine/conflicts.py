"""Booked sessions a race or a demanding training now clashes with (issues 14 and 20):
decided by the validator's own effort rules (booking.engine.rules.race_violations on clinic.policy's windows), on the fly,
so a race logged, moved, imported or deleted later shows at once on every page and in
the API, and a session is never cancelled for it: it is flagged and explained, and the
runner moves it. A session a clinic booked with a race override is not flagged.

A fixed number of queries whatever the number of sessions or races (clinics, their
window rules, the races; plus the sessions when asked from races)."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from booking.engine import outbox, rules
from booking.engine.codes import Code
from booking.engine.context import training_efforts
from booking.engine.exceptions import MESSAGES, format_params
from booking.models import Reminder, Session
from clinic.models import Clinic, RaceWindow, Service
from clinic.policy import EffortKind, Policy, ServiceKind
from runners.models import Race, Training
from runners.selectors import TrainingRow, training_rows

# How far back a training can reach a session: the longest window after one (a week)
# plus the longest training (a day).
TRAINING_REACH = timedelta(days=8)


@dataclass(frozen=True)
class Conflict:
    session_id: int
    session_start: datetime
    race_id: int
    race_name: str
    code: str
    params: dict[str, Any]
    effort: str = EffortKind.RACE  # race_id is then the race's or the training's

    @property
    def detail(self) -> str:
        """The refusal's own sentence, in the active language."""
        return str(MESSAGES[self.code]) % format_params(self.params)

    def for_session(self) -> dict[str, Any]:
        return {
            "effort": self.effort,
            self.effort: self.race_id,
            "code": self.code,
            "detail": self.detail,
        }

    def for_race(self) -> dict[str, Any]:
        return {
            "session": self.session_id,
            "start": self.session_start.isoformat(),  # in the clinic's zone
            "code": self.code,
            "detail": self.detail,
        }


def _policies(
    clinic_ids: set[int], known: Clinic | None = None, sessions: Iterable[Session] = ()
) -> dict[int, Policy]:
    windows: dict[int, list[RaceWindow]] = defaultdict(list)
    for window in RaceWindow.objects.filter(clinic_id__in=clinic_ids):
        windows[window.clinic_id].append(window)
    # The clinics already read (given, or with the sessions) save a query.
    read = {c.pk: c for c in [known] if c is not None}
    read |= {s.clinic_id: s.clinic for s in sessions if Session.clinic.is_cached(s)}
    clinics = (
        [read[pk] for pk in clinic_ids]
        if clinic_ids <= set(read)
        else Clinic.objects.filter(pk__in=clinic_ids)
    )
    return {clinic.pk: Policy.from_clinic(clinic, windows[clinic.pk]) for clinic in clinics}


def _service_kinds(sessions: list[Session]) -> dict[int, str]:
    """Each session's service kind: from the sessions when their service was read with
    them, else one query."""
    if all(Session.service.is_cached(s) for s in sessions):
        return {s.service_id: s.service.kind for s in sessions}
    ids = {s.service_id for s in sessions}
    return dict(Service.objects.filter(pk__in=ids).values_list("pk", "kind"))


def _race_info(race: Race) -> rules.RaceInfo:
    return rules.RaceInfo(
        id=race.pk,
        name=race.name,
        start=race.start.astimezone(UTC),
        finish=race.finish.astimezone(UTC),
        distance_km=race.distance_km,
        priority=race.priority,
        timezone=race.timezone,
    )


def conflicts_for_sessions(
    sessions: Iterable[Session],
    *,
    races: Iterable[Race] | None = None,
    now: datetime | None = None,
    clinic: Clinic | None = None,
    with_trainings: bool = True,
    trainings: Iterable[TrainingRow] | None = None,
) -> dict[int, list[Conflict]]:
    """{session id: its clashes} for each session given (an empty list when clear). Only
    booked sessions still to come can clash. `clinic`: the sessions' clinic, already
    read (saves a query). The demanding trainings are read in one more query, unless
    given (`trainings`: rows read with the page's own, from 8 days before the first
    session and USUAL_DAYS more); `with_trainings=False`: races only."""
    now = now or timezone.now()
    sessions = list(sessions)
    out: dict[int, list[Conflict]] = {s.pk: [] for s in sessions}
    live = [
        s
        for s in sessions
        if s.status == Session.Status.BOOKED and s.end > now and not s.race_override_reason
    ]
    if not live:
        return out
    policies = _policies({s.clinic_id for s in live}, clinic, live)
    if races is None:
        # Wide enough for any window (14-day races, rest days, days after).
        margin = timedelta(days=40)
        races = Race.objects.filter(
            runner_id__in={s.runner_id for s in live},
            start__lt=max(s.end for s in live) + margin,
            finish__gt=min(s.start for s in live) - margin,
        )
    by_runner: dict[int, list[rules.RaceInfo]] = defaultdict(list)
    for race in races:
        by_runner[race.runner_id].append(_race_info(race))
    if with_trainings:
        since = min(s.start for s in live) - TRAINING_REACH
        until = max(s.end for s in live)
        # "Demanding" by the thresholds of the runner's clinic (that of a session).
        runner_policy = {
            s.runner_id: policies[s.clinic_id] for s in live if s.clinic_id in policies
        }
        rows: dict[int, list[Any]] = defaultdict(list)
        read = training_rows(set(runner_policy), since, until) if trainings is None else trainings
        for row in read:
            rows[row.runner_id].append(row)
        for runner_id, own in rows.items():
            efforts = training_efforts(own, runner_policy[runner_id], since, until)
            by_runner[runner_id] += [effort for effort, _planned in efforts.get(runner_id, [])]
    kinds = _service_kinds(live)
    for session in live:
        policy = policies.get(session.clinic_id)
        if policy is None:
            continue
        policy = policy.for_service(kinds.get(session.service_id, ServiceKind.UNLOADING))
        found = rules.race_violations(
            session.start.astimezone(UTC),
            session.end.astimezone(UTC),
            by_runner.get(session.runner_id, ()),
            policy,
        )
        names = {(r.kind, r.id): r.name for r in by_runner.get(session.runner_id, ())}
        out[session.pk] = []
        for v in found:
            effort = (
                EffortKind.TRAINING if v.code == Code.TOO_SOON_AFTER_TRAINING else EffortKind.RACE
            )
            out[session.pk].append(
                Conflict(
                    session_id=session.pk,
                    session_start=session.start.astimezone(policy.tz),
                    race_id=v.race_id or 0,
                    race_name=names.get((effort, v.race_id or 0), ""),
                    code=v.code,
                    params=v.params,
                    effort=effort,
                )
            )
    return out


def conflicts_for_races(
    races: Iterable[Race], *, now: datetime | None = None
) -> dict[int, list[Conflict]]:
    """{race id: the runner's booked sessions to come that clash with it}."""
    now = now or timezone.now()
    races = list(races)
    out: dict[int, list[Conflict]] = {r.pk: [] for r in races}
    if not races:
        return out
    sessions = (
        Session.objects.filter(
            runner_id__in={r.runner_id for r in races},
            status=Session.Status.BOOKED,
            end__gt=now,
            race_override_reason="",
        )
        .select_related("service")
        .order_by("start")
    )
    for found in conflicts_for_sessions(
        sessions, races=races, now=now, with_trainings=False
    ).values():
        for conflict in found:
            if conflict.race_id in out:
                out[conflict.race_id].append(conflict)
    return out


def conflicts_for_trainings(
    trainings: Iterable[Training], *, now: datetime | None = None
) -> dict[int, list[Conflict]]:
    """{training id: the runner's booked sessions to come that it clashes with} (the
    training demanding, its window reaching them)."""
    now = now or timezone.now()
    trainings = list(trainings)
    out: dict[int, list[Conflict]] = {t.pk: [] for t in trainings}
    if not trainings:
        return out
    sessions = (
        Session.objects.filter(
            runner_id__in={t.runner_id for t in trainings},
            status=Session.Status.BOOKED,
            end__gt=now,
            start__lt=max(t.finish for t in trainings) + TRAINING_REACH,
            race_override_reason="",
        )
        .select_related("service", "clinic")
        .order_by("start")
    )
    for found in conflicts_for_sessions(sessions, races=(), now=now).values():
        for conflict in found:
            if conflict.effort == EffortKind.TRAINING and conflict.race_id in out:
                out[conflict.race_id].append(conflict)
    return out


# At most this many races name themselves in an e-mail's key (an import of many).
KEY_RACES = 8


def race_email_key(races: list[Race], conflicts: list[Conflict]) -> str:
    """One e-mail per race change (one race, or the races of one .ics import): the races'
    ids, then a digest of the figures that decide their windows and of the sessions they
    clash with. Saving a race again unchanged gives the same key (no second e-mail);
    moving it, or a new clash, gives a new one."""
    figures = ";".join(
        f"{r.pk}@{r.start.astimezone(UTC):%Y%m%dT%H%M}-{r.finish.astimezone(UTC):%Y%m%dT%H%M}"
        f"-{r.timezone}-{r.distance_km}-{r.priority}"
        for r in races
    )
    sessions = ",".join(str(c.session_id) for c in conflicts)
    digest = hashlib.sha256(f"{figures}:{sessions}".encode()).hexdigest()[:24]
    return f"r{'.'.join(str(r.pk) for r in races[:KEY_RACES])}@{digest}"


def races_of_key(key: str) -> list[int]:
    """The race ids an e-mail's key names (race_email_key)."""
    head = key.split("@", 1)[0]
    if not head.startswith("r"):
        return []
    return [int(part) for part in head[1:].split(".") if part.isdigit()]


def races_changed(races: Iterable[Race]) -> None:
    """Races were logged, edited or imported (one change): if they now clash with booked
    sessions, the runner gets one e-mail (booking.reminders: the clashes and three times
    to move each one to), recorded with the change and sent once committed."""
    races = list(races)
    found = conflicts_for_races(races)
    clashing = [r for r in races if found.get(r.pk)]
    if not clashing:
        return
    every = [c for r in clashing for c in found[r.pk]]
    (reminder,) = Reminder.objects.bulk_create(
        [
            Reminder(
                runner_id=clashing[0].runner_id,
                kind=Reminder.Kind.RACE_CONFLICT,
                key=race_email_key(clashing, every),
                session_id=every[0].session_id,
            )
        ],
        update_conflicts=True,
        unique_fields=["runner", "kind", "key"],
        update_fields=["session"],
    )
    # A row already sent stays sent: only a new one is handed to a worker.
    if reminder.state == Reminder.State.PENDING and reminder.attempts == 0:
        transaction.on_commit(lambda: outbox.queue([reminder.pk]), robust=True)
