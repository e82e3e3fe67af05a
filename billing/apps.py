from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "billing"
    verbose_name = _("Packs and memberships")

    def ready(self) -> None:
        # Celery's autodiscovery finds billing.tasks itself; imported here for the beat.
        from billing import tasks  # noqa: F401
