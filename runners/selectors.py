"""Reads for runners: a user's runner profile, their races."""

from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from clinic import permissions
from clinic.errors import CodedError
from clinic.models import User
from runners.models import Race, Runner


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
