"""Reads for runners: a user's runner profile, their races and trainings."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from clinic import permissions
from clinic.errors import CodedError
from clinic.models import User
from clinic.policy import USUAL_DAYS, DemandingThresholds, Policy, demanding_reasons
from runners.models import Race, Runner, Training


class NoRunnerProfile(CodedError):
    """A runner account without its profile (made at sign-up, or on a first write with the
    clinic the runner chose): a read never makes one."""

    def __init__(self) -> None:
        super().__init__(
            _("Choose your clinic first: your runner profile is made with it."),
            code="no_runner_profile",
            status_code=403,
        )


def runner_of(user: User) -> Runner | None:
    """The runner profile of a runner account, or None (no role, or no profile yet)."""
    if not permissions.is_runner(user):
        return None
    if User.runner.is_cached(user):  # read with the user (clinic.authentication)
        return getattr(user, "runner", None)
    return Runner.objects.select_related("user", "clinic").filter(user=user).first()


def own_runner(user: User) -> Runner:
    """The requester's own runner profile, or NoRunnerProfile (403, with its code)."""
    runner = runner_of(user)
    if runner is None:
        raise NoRunnerProfile()
    return runner


def races_for(runner: Runner) -> QuerySet[Race]:
    return Race.objects.filter(runner=runner).order_by("start")


def upcoming_races(runner: Runner, *, now: datetime | None = None) -> QuerySet[Race]:
    return races_for(runner).filter(finish__gte=now or timezone.now())


def trainings_for(runner: Runner) -> QuerySet[Training]:
    return Training.objects.filter(runner=runner).order_by("-start", "-id")


@dataclass(frozen=True)
class TrainingRow:
    """A training as the rules read it (clinic.policy.TrainingFields), without the model."""

    id: int
    runner_id: int
    start: datetime
    finish: datetime
    minutes: int
    distance_km: Decimal | None
    kind: str
    rpe: int | None
    hard: bool
    planned: bool
    timezone: str


_ROW_FIELDS = [
    "id",
    "runner_id",
    "start",
    "finish",
    "minutes",
    "distance_km",
    "kind",
    "rpe",
    "hard",
    "planned",
    "timezone",
]


def training_rows(runner_ids: set[int], since: datetime, until: datetime) -> list[TrainingRow]:
    """One query: the runners' trainings that end after `since` and start before `until`,
    with the USUAL_DAYS before `since` that "demanding" compares with, in start order.
    Plain rows: a runner with years of log reads only these weeks."""
    rows = (
        Training.objects.filter(
            runner_id__in=runner_ids,
            start__lt=until,
            finish__gt=since - timedelta(days=USUAL_DAYS),
        )
        .order_by("runner_id", "start", "id")
        .values_list(*_ROW_FIELDS)
    )
    return [TrainingRow(*row) for row in rows]


def demanding_reasons_for(trainings: list[Training]) -> dict[int, str]:
    """{training id: why it is demanding, or ""}, by its runner's clinic's thresholds
    (clinic.policy decides), in one query for the weeks they and their history span."""
    if not trainings:
        return {}
    runner = trainings[0].runner
    policy = Policy.from_clinic(runner.clinic) if runner.clinic_id else None
    thresholds = policy.demanding if policy else DemandingThresholds()
    rows = training_rows(
        {t.runner_id for t in trainings},
        min(t.start for t in trainings),
        max(t.finish for t in trainings),
    )
    reasons = dict(zip((r.id for r in rows), demanding_reasons(rows, thresholds), strict=True))
    return {t.pk: reasons.get(t.pk, "") for t in trainings}


def existing_training_starts(runner: Runner) -> set[datetime]:
    """The starts (UTC, to the minute) already in the log: an import skips them."""
    return {
        start.astimezone(UTC).replace(second=0, microsecond=0)
        for start in Training.objects.filter(runner=runner).values_list("start", flat=True)
    }
