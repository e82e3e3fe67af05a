from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RunnersConfig(AppConfig):
    name = "runners"
    verbose_name = _("Runners")
