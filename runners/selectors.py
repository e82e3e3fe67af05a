"""Reads for runners."""

from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone

from runners.models import Race, Runner


def races_for(runner: Runner) -> QuerySet[Race]:
    return Race.objects.filter(runner=runner).order_by("start")


def upcoming_races(runner: Runner, *, now: datetime | None = None) -> QuerySet[Race]:
    return races_for(runner).filter(finish__gte=now or timezone.now())
