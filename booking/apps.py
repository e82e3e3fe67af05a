from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BookingConfig(AppConfig):
    name = "booking"
    verbose_name = _("Booking")

    def ready(self) -> None:
        # Celery's autodiscovery looks for booking.tasks; the tasks live in
        # booking.reminders.tasks (under their booking.tasks.* names), so register them here.
        from booking.reminders import tasks  # noqa: F401
