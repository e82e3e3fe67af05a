"""django-allauth hooks: every account that signs up on the public site is a runner, and
a runner's pages come back in the language they chose."""

from allauth.account.adapter import DefaultAccountAdapter
from django.urls import reverse

from clinic.i18n import set_language_cookie

from .services import runner_get_or_create


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            lang = (getattr(request, "LANGUAGE_CODE", "") or "")[:2]
            if lang in ("en", "es") and user.language != lang:
                user.language = lang
                user.save(update_fields=["language"])
            runner_get_or_create(user=user)
        return user

    def post_login(self, request, user, **kwargs):
        response = super().post_login(request, user, **kwargs)
        lang = getattr(user, "language", "")
        if lang in ("en", "es") and hasattr(response, "set_cookie"):
            set_language_cookie(response, lang)
        return response

    def get_login_redirect_url(self, request):
        # Staff land on their working page: a therapist on today's agenda, an admin on
        # the attendance dashboard (the staff home decides which).
        user = request.user
        if user.is_authenticated and (user.is_superuser or user.role != "runner"):
            return reverse("staff:home")
        return super().get_login_redirect_url(request)
