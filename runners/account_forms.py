"""allauth's forms, each refusing control characters in its text fields (clinic.forms).

settings.ACCOUNT_FORMS points every form allauth lets us replace at these classes; they
change nothing else.
"""

from allauth.account import forms as allauth
from django import forms
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from clinic.forms import RefuseControlCharacters
from runners.zones import ZoneField


class LoginForm(RefuseControlCharacters, allauth.LoginForm):
    pass


class SignupForm(RefuseControlCharacters, allauth.SignupForm):
    """One screen: first name, e-mail, one password (with show/hide), language and time
    zone (the browser's, preselected). The adapter stores them (runners.adapter)."""

    first_name = forms.CharField(
        label=_("First name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    language = forms.ChoiceField(
        label=_("Language"), choices=[("en", "English"), ("es", "Español")], required=False
    )
    timezone = ZoneField(detect=True, initial="Europe/Madrid", required=False)
    field_order = ["first_name", "email", "password1", "language", "timezone"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].initial = (translation.get_language() or "en")[:2]
        password = self.fields["password1"].widget
        password.attrs["data-show"] = _("Show")
        password.attrs["data-hide"] = _("Hide")
        self.order_fields(self.field_order)


class ReauthenticateForm(RefuseControlCharacters, allauth.ReauthenticateForm):
    pass


class AddEmailForm(RefuseControlCharacters, allauth.AddEmailForm):
    pass


class ChangeEmailForm(RefuseControlCharacters, allauth.ChangeEmailForm):
    pass


class ChangePasswordForm(RefuseControlCharacters, allauth.ChangePasswordForm):
    pass


class SetPasswordForm(RefuseControlCharacters, allauth.SetPasswordForm):
    pass


class ResetPasswordForm(RefuseControlCharacters, allauth.ResetPasswordForm):
    pass


class ResetPasswordKeyForm(RefuseControlCharacters, allauth.ResetPasswordKeyForm):
    pass


class UserTokenForm(RefuseControlCharacters, allauth.UserTokenForm):
    pass


class RequestLoginCodeForm(RefuseControlCharacters, allauth.RequestLoginCodeForm):
    pass


class ConfirmLoginCodeForm(RefuseControlCharacters, allauth.ConfirmLoginCodeForm):
    pass


class ConfirmEmailVerificationCodeForm(
    RefuseControlCharacters, allauth.ConfirmEmailVerificationCodeForm
):
    pass


class ConfirmPasswordResetCodeForm(RefuseControlCharacters, allauth.ConfirmPasswordResetCodeForm):
    pass


class ConfirmReauthenticationCodeForm(
    RefuseControlCharacters, allauth.ConfirmReauthenticationCodeForm
):
    pass


class ChangePhoneForm(RefuseControlCharacters, allauth.ChangePhoneForm):
    pass


class VerifyPhoneForm(RefuseControlCharacters, allauth.VerifyPhoneForm):
    pass
