from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BookingConfig(AppConfig):
    name = "booking"
    verbose_name = _("Booking")

    def ready(self) -> None:
        # Celery's autodiscovery looks for booking.tasks; the tasks live in
        # booking.reminders.tasks (under their booking.tasks.* names), so register them here.
        # A race change re-checks the runner's booked sessions (runners asks through
        # runners.race_checks: it never imports booking).
        # A write that frees time says so (clinic.events); the waitlist records and offers it.
        from booking.engine import conflicts, waitlist
        from booking.reminders import tasks  # noqa: F401
        from clinic import events
        from runners import race_checks

        race_checks.connect(
            affected=_affected_sessions,
            changed=conflicts.races_changed,
            training_affected=_training_affected_sessions,
        )
        events.connect(waitlist.record_freed)


def _affected_sessions(races):
    from booking.engine import conflicts

    found = conflicts.conflicts_for_races(races)
    return {race_id: [c.for_race() for c in items] for race_id, items in found.items()}


def _training_affected_sessions(trainings):
    from booking.engine import conflicts

    found = conflicts.conflicts_for_trainings(trainings)
    return {pk: [c.for_race() for c in items] for pk, items in found.items()}
