"""Writes for runners: sign-up profile, profile changes, the race and training logs."""

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone as django_timezone
from django.utils.translation import gettext as _

from clinic import permissions
from clinic.errors import CodedError
from clinic.models import Clinic, User
from clinic.policy import MAX_RACE_LENGTH
from runners import race_checks
from runners.models import Cadence, Race, Runner, Training
from runners.selectors import NoRunnerProfile

PROFILE_FIELDS = {
    "phone",
    "timezone",
    "cadence",
    "reminders_opt_in",
    "preferred_therapist",
    "health_notes",
    "discomfort_areas",
    "clinic",
}


def unambiguous_clinic() -> Clinic | None:
    """The clinic a new runner belongs to without being asked: the only one there is."""
    clinics = list(Clinic.objects.order_by("pk")[:2])
    return clinics[0] if len(clinics) == 1 else None


def runner_create(*, user: User, clinic: Clinic | None, timezone: str | None = None) -> Runner:
    """The runner profile of a new account (sign-up), with the clinic the runner chose or
    none yet, and the time zone they confirmed; an existing profile is returned as it is."""
    defaults: dict = {"clinic": clinic}
    if timezone:
        defaults["timezone"] = timezone
    runner, _created = Runner.objects.get_or_create(user=user, defaults=defaults)
    return runner


def runner_get_or_create(*, user: User, clinic: Clinic | None = None) -> Runner:
    """The runner profile of a user, made on a write (a POST) if it is missing: with the
    clinic the runner chose, or the only clinic there is. Never call it on a GET: reads
    use runners.selectors.runner_of. NoRunnerProfile when the clinic is ambiguous."""
    runner = Runner.objects.filter(user=user).first()
    if runner is not None:
        return runner
    clinic = clinic or unambiguous_clinic()
    if clinic is None:
        raise NoRunnerProfile()
    return runner_create(user=user, clinic=clinic)


class RunnerError(CodedError):
    pass


def runner_invite(
    *,
    request: HttpRequest,
    clinic: Clinic,
    by: User,
    email: str,
    first_name: str,
    last_name: str = "",
    phone: str = "",
    language: str = "es",
    consent: bool,
) -> Runner:
    """A walk-in's account, made by the clinic's staff at the desk: a runner of the clinic
    with no password yet, their consent recorded (when, by whom). Once committed, the
    account flow's own "set your password" e-mail (allauth's password reset, in the
    runner's language) lets them in; until then they simply cannot sign in."""
    # Imported here: the account forms import this module (through the adapter).
    from allauth.account.models import EmailAddress

    from runners.account_forms import ResetPasswordForm

    if not permissions.acts_for_clinic(by, clinic.pk):
        raise PermissionDenied
    if not consent:
        raise RunnerError(
            _("Ask the runner first: without their consent, no account."), code="consent_required"
        )
    email = User.objects.normalize_email(email).lower()
    taken = RunnerError(
        _("There is already an account with that e-mail: search for it instead."),
        code="email_taken",
        status_code=409,
    )
    with transaction.atomic():
        if User.objects.filter(email__iexact=email).exists():
            raise taken
        try:
            with transaction.atomic():  # the same walk-in added twice at once
                user = User.objects.create_user(
                    email=email,
                    first_name=first_name.strip(),
                    last_name=last_name.strip(),
                    language=language if language in ("en", "es") else "es",
                    role=User.Role.RUNNER,
                )
        except IntegrityError:
            raise taken from None
        EmailAddress.objects.create(user=user, email=email, primary=True, verified=False)
        runner = Runner.objects.create(
            user=user,
            clinic=clinic,
            timezone=clinic.timezone,
            phone=phone.strip(),
            consent_at=django_timezone.now(),
            consent_recorded_by=by,
        )

        def invite() -> None:
            form = ResetPasswordForm(data={"email": email})
            if form.is_valid():
                form.save(request)

        transaction.on_commit(invite)
    return runner


@transaction.atomic
def runner_update_profile(
    *, runner: Runner, user_fields: dict[str, Any] | None = None, **fields: Any
) -> Runner:
    unknown = set(fields) - PROFILE_FIELDS
    if unknown:
        raise ValueError(f"Unknown profile fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(runner, name, value)
    runner.full_clean(exclude=["user"])
    runner.save()
    if user_fields:
        user = runner.user
        for name in ("first_name", "last_name", "language"):
            if name in user_fields:
                setattr(user, name, user_fields[name])
        user.save(
            update_fields=[n for n in ("first_name", "last_name", "language") if n in user_fields]
        )
    return runner


@transaction.atomic
def runner_profile_forget(*, runner: Runner) -> Runner:
    """The runner side of an account deletion: the race and training logs go, and with them
    what the profile says about their health, phone and wishes (reminders off)."""
    runner.races.all().delete()
    runner.trainings.all().delete()
    runner.phone = ""
    runner.health_notes = ""
    runner.discomfort_areas = []
    runner.reminders_opt_in = False
    runner.cadence = Cadence.OFF
    runner.preferred_therapist = None
    runner.save()
    return runner


def _to_the_metre(distance_km: Decimal | None) -> Decimal | None:
    """42.195 km is kept; 21.0975 km (a half marathon) becomes 21.098."""
    return None if distance_km is None else Decimal(distance_km).quantize(Decimal("0.001"))


def _check_race_times(start: datetime, finish: datetime) -> None:
    if start.tzinfo is None or finish.tzinfo is None:
        raise ValidationError({"start": _("Give the race time with its time zone.")})
    if finish <= start:
        raise ValidationError({"finish": _("The expected finish must be after the start.")})
    if finish - start > MAX_RACE_LENGTH:
        raise ValidationError(
            {"finish": _("A race can last up to 14 days: check the expected finish.")}
        )


def _race_new(
    *,
    runner: Runner,
    name: str,
    start: datetime,
    finish: datetime | None = None,
    distance_km: Decimal | None = None,
    priority: str = Race.Priority.B,
    location: str = "",
    timezone: str = "",
) -> Race:
    finish = finish or Race.finish_for(start, distance_km)
    _check_race_times(start, finish)
    race = Race(
        runner=runner,
        name=name.strip(),
        start=start,
        finish=finish,
        distance_km=_to_the_metre(distance_km),
        priority=priority,
        location=location,
        timezone=timezone or runner.timezone,
    )
    race.full_clean()
    race.save()
    return race


def race_create(*, runner: Runner, **fields: Any) -> Race:
    """Log a race (the fields of `_race_new`). Without a finish, it is estimated from the
    distance; without a zone, it is run in the runner's."""
    race = _race_new(runner=runner, **fields)
    race_checks.races_changed([race])
    return race


@transaction.atomic
def races_import(*, runner: Runner, candidates: list[dict[str, Any]]) -> list[Race]:
    """The races of one .ics import (each a `_race_new`'s fields): those that do not
    pass are left out; the clashes of all of them are one race change (one e-mail)."""
    created = []
    for fields in candidates:
        try:
            with transaction.atomic():
                created.append(_race_new(runner=runner, **fields))
        except ValidationError:
            continue
    race_checks.races_changed(created)
    return created


def race_update(*, race: Race, **fields: Any) -> Race:
    allowed = {"name", "start", "finish", "distance_km", "priority", "location", "timezone"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"Unknown race fields: {sorted(unknown)}")
    re_estimate = "finish" not in fields and ({"start", "distance_km"} & set(fields))
    if "distance_km" in fields:
        fields["distance_km"] = _to_the_metre(fields["distance_km"])
    for name, value in fields.items():
        setattr(race, name, value)
    if re_estimate or race.finish is None:
        race.finish = Race.finish_for(race.start, race.distance_km)
    _check_race_times(race.start, race.finish)
    race.full_clean()
    race.save()
    race_checks.races_changed([race])
    return race


def race_delete(*, race: Race) -> None:
    race.delete()


# The longest training the log takes (an ultra run as training: a day).
MAX_TRAINING_LENGTH = timedelta(hours=24)
TRAINING_FIELDS = {
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
}


def _check_training(training: Training) -> None:
    if training.start.tzinfo is None or training.finish.tzinfo is None:
        raise ValidationError({"start": _("Give the training's time with its time zone.")})
    if training.minutes < 1:
        raise ValidationError({"minutes": _("A training lasts at least a minute.")})
    if training.finish <= training.start or training.finish - training.start > MAX_TRAINING_LENGTH:
        raise ValidationError({"minutes": _("A training lasts from a minute to 24 hours.")})
    if training.rpe is not None and not 1 <= training.rpe <= 10:
        raise ValidationError({"rpe": _("RPE goes from 1 (very easy) to 10 (all out).")})


def training_create(*, runner: Runner, **fields: Any) -> Training:
    """Log a training (done or planned). Without an end, it ends `minutes` after the
    start; without a zone, it is in the runner's. Its clashes with booked sessions are
    shown at once (runners.race_checks, as for races)."""
    unknown = set(fields) - TRAINING_FIELDS
    if unknown:
        raise ValueError(f"Unknown training fields: {sorted(unknown)}")
    training = Training(runner=runner, **fields)
    training.timezone = training.timezone if fields.get("timezone") else runner.timezone
    if not fields.get("finish"):
        training.finish = training.start + timedelta(minutes=training.minutes or 0)
    training.distance_km = _to_the_metre(training.distance_km)
    _check_training(training)
    training.full_clean()
    training.save()
    return training


def trainings_import(*, runner: Runner, items: list[dict[str, Any]]) -> list[Training]:
    """Many at once (an import's chosen rows), in one statement."""
    made = []
    for fields in items:
        training = Training(runner=runner, **fields)
        training.timezone = fields.get("timezone") or runner.timezone
        training.distance_km = _to_the_metre(training.distance_km)
        _check_training(training)
        made.append(training)
    return Training.objects.bulk_create(made)


def training_update(*, training: Training, **fields: Any) -> Training:
    unknown = set(fields) - TRAINING_FIELDS
    if unknown:
        raise ValueError(f"Unknown training fields: {sorted(unknown)}")
    if "finish" not in fields and {"start", "minutes"} & set(fields):
        fields["finish"] = fields.get("start", training.start) + timedelta(
            minutes=fields.get("minutes", training.minutes)
        )
    for name, value in fields.items():
        setattr(training, name, value)
    training.distance_km = _to_the_metre(training.distance_km)
    _check_training(training)
    training.full_clean()
    training.save()
    return training


def training_delete(*, training: Training) -> None:
    training.delete()
