from django.contrib.admin.apps import AdminConfig


class ClinicAdminConfig(AdminConfig):
    """Django's admin with our site (clinic.admin_site) as `admin.site`."""

    default_site = "clinic.admin_site.ClinicAdminSite"
