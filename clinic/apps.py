from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ClinicConfig(AppConfig):
    name = "clinic"
    verbose_name = _("Clinic")

    def ready(self) -> None:
        from clinic.permissions import ensure_role_groups

        # Permissions exist only after migrate has run, so the role groups are
        # (re)built then rather than in a data migration.
        post_migrate.connect(ensure_role_groups, sender=self)

        from clinic.site import sync_current_site

        post_migrate.connect(sync_current_site, sender=self)

        # Registers the OpenAPI scheme of our token authentication with drf-spectacular.
