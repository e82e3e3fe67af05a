"""django-allauth hooks: every account that signs up on the public site is a runner, and
a runner's pages and account e-mails come back in the language they chose."""

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import translation

from clinic import permissions
from clinic.branding import brand_for_account, sender
from clinic.i18n import set_language_cookie
from runners.services import runner_create, unambiguous_clinic


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        data = getattr(form, "cleaned_data", {})
        if data.get("first_name"):
            user.first_name = data["first_name"]
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            lang = data.get("language") or (getattr(request, "LANGUAGE_CODE", "") or "")[:2]
            if lang in ("en", "es") and user.language != lang:
                user.language = lang
                user.save(update_fields=["language"])
            # The runner's profile, with their clinic when there is only one to choose.
            runner_create(
                user=user, clinic=unambiguous_clinic(), timezone=data.get("timezone") or None
            )
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
        if user.is_authenticated and not permissions.is_runner(user):
            return reverse("staff:home")
        return super().get_login_redirect_url(request)

    def format_email_subject(self, subject: str) -> str:
        return subject  # the sender's name is added in render_mail, clinic first

    def render_mail(self, template_prefix, email, context, headers=None):
        """In the clinic's name: "Clinic <bookings@…>" and "[Clinic] subject"."""
        message = super().render_mail(template_prefix, email, context, headers=headers)
        name = context.get("sender_name") or settings.SITE_NAME
        message.subject = f"[{name}] {message.subject}"
        message.from_email = sender(name)
        return message

    def send_mail(self, template_prefix, email, context):
        # An e-mail about an account goes out in its owner's language, whoever asked
        # ("someone tried to sign up with your address" reaches the owner, not the
        # stranger); an address with no account gets the language of the page it came from.
        owner = get_user_model().objects.filter(email__iexact=email).first()
        language = getattr(owner, "language", "") or translation.get_language()
        clinic = brand_for_account(owner)
        context = {
            "clinic": clinic,
            "sender_name": clinic.name if clinic else settings.SITE_NAME,
            "first_name": getattr(owner, "first_name", ""),
            **context,
        }
        with translation.override(language):
            super().send_mail(template_prefix, email, context)
