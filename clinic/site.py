"""The Sites framework's one record, kept in step with SITE_DOMAIN and SITE_NAME.

allauth names the product in its e-mails (subject prefix, greeting, signature) from the
current Site, which Django creates as "example.com". A post_migrate hook rather than a data
migration: it also runs after a flush (the browser tests' databases) and picks up a changed
SITE_NAME on the next deploy's migrate.
"""

from django.apps import apps as global_apps
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS


def sync_current_site(*, using: str = DEFAULT_DB_ALIAS, apps=global_apps, **kwargs) -> None:
    try:
        apps.get_model("sites", "Site")
    except LookupError:  # migrating to a state before the sites app's table
        return
    # The real model, not the migration state's: its post_save clears the Site cache.
    from django.contrib.sites.models import Site

    Site.objects.using(using).update_or_create(
        pk=settings.SITE_ID,
        defaults={"domain": settings.SITE_DOMAIN, "name": settings.SITE_NAME},
    )
