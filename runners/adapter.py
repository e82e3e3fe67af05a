"""django-allauth hooks: every account that signs up on the public site is a runner."""

from allauth.account.adapter import DefaultAccountAdapter

from .services import runner_get_or_create


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            lang = getattr(request, "LANGUAGE_CODE", "") or ""
            if lang[:2] in ("en", "es") and user.language != lang[:2]:
                user.language = lang[:2]
                user.save(update_fields=["language"])
            runner_get_or_create(user=user)
        return user
