"""The Django admin site, with its doors where clinic.permissions says.

- Only superusers and clinic admins (with the staff flag) get in; anyone else signed in
  gets a 403, anyone anonymous goes to the site's sign-in page.
- There is one sign-in: `/admin/login/` sends to allauth's, which is rate-limited and
  locks an address out after repeated failures. The admin's own form would be a second,
  unlimited way to try passwords.
- A ModelAdmin that does not scope its rows by clinic (Django's groups, sites, tokens,
  allauth's e-mail addresses, or a new one someone forgets to scope) is for superusers only.
- Every registered ModelAdmin's forms refuse control characters, as every form of the
  project does (clinic.forms), whoever wrote the ModelAdmin.

Installed as the default site by clinic.admin_apps.ClinicAdminConfig.
"""

from functools import update_wrapper

from django.conf import settings
from django.contrib.admin import AdminSite, ModelAdmin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache


class SuperuserOnlyAdmin:
    """Mixed into every registered ModelAdmin that is not clinic-scoped."""

    def _superuser(self, request) -> bool:
        from clinic.permissions import is_superuser

        return is_superuser(request.user)

    def has_module_permission(self, request):
        return self._superuser(request) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return self._superuser(request) and super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args, **kwargs):
        return self._superuser(request) and super().has_add_permission(request, *args, **kwargs)

    def has_change_permission(self, request, obj=None):
        return self._superuser(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._superuser(request) and super().has_delete_permission(request, obj)


def _refusing_control_characters(form):
    from clinic.forms import RefuseControlCharacters

    if issubclass(form, RefuseControlCharacters):
        return form
    return type(form.__name__, (RefuseControlCharacters, form), {"__module__": form.__module__})


class RefuseControlCharactersAdmin:
    """Mixed into every registered ModelAdmin: its add, change and list-editable forms and
    its inlines' forms refuse control characters (clinic.forms)."""

    def get_form(self, request, obj=None, **kwargs):
        return _refusing_control_characters(super().get_form(request, obj, **kwargs))

    def get_changelist_form(self, request, **kwargs):
        return _refusing_control_characters(super().get_changelist_form(request, **kwargs))

    def get_formsets_with_inlines(self, request, obj=None):
        for formset, inline in super().get_formsets_with_inlines(request, obj):
            formset.form = _refusing_control_characters(formset.form)  # a class per request
            yield formset, inline


def _in_clinic_time(request, view, *args, **kwargs):
    """A clinic's admin reads and types times in the clinic's own zone, as on the staff
    pages (a superuser, who may see several clinics, in UTC). The response is rendered
    here, while the zone is active."""
    from clinic.models import Clinic
    from clinic.permissions import single_clinic_id

    clinic_id = single_clinic_id(request.user)
    clinic = Clinic.objects.filter(pk=clinic_id).only("timezone").first() if clinic_id else None
    if clinic is None:
        return view(request, *args, **kwargs)
    timezone.activate(clinic.tz)
    try:
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and not getattr(response, "is_rendered", True):
            response.render()
        return response
    finally:
        timezone.deactivate()


class ClinicAdminSite(AdminSite):
    def has_permission(self, request):
        from clinic.permissions import may_use_admin

        return may_use_admin(request.user)

    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or ModelAdmin
        bases = (RefuseControlCharactersAdmin, admin_class)
        if not getattr(admin_class, "clinic_scoped", False):
            bases = (RefuseControlCharactersAdmin, SuperuserOnlyAdmin, admin_class)
        admin_class = type(admin_class.__name__, bases, {"__module__": admin_class.__module__})
        super().register(model_or_iterable, admin_class, **options)

    def _refuse(self, request):
        """None for someone who may use the admin; otherwise a 403 (signed in) or the
        site's sign-in page (anonymous)."""
        if self.has_permission(request):
            return None
        if request.user.is_authenticated:
            raise PermissionDenied
        return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)

    def admin_view(self, view, cacheable=False):
        guarded = super().admin_view(view, cacheable)

        def inner(request, *args, **kwargs):
            return self._refuse(request) or _in_clinic_time(request, guarded, *args, **kwargs)

        return update_wrapper(inner if cacheable else never_cache(inner), guarded)

    @method_decorator(never_cache)
    def login(self, request, extra_context=None):
        next_url = request.GET.get(REDIRECT_FIELD_NAME, "")
        if not url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            next_url = reverse("admin:index", current_app=self.name)
        if not request.user.is_authenticated:
            return redirect_to_login(next_url, settings.LOGIN_URL)
        if not self.has_permission(request):
            raise PermissionDenied
        return HttpResponseRedirect(next_url)
