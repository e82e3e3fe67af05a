"""django-allauth hooks: every account that signs up on the public site is a runner, and
a runner's pages come back in the language they chose."""

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings

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
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME, lang, max_age=365 * 24 * 3600, samesite="Lax"
            )
        return response
