"""allauth's forms, each refusing control characters in its text fields (clinic.forms).

settings.ACCOUNT_FORMS points every form allauth lets us replace at these classes; they
change nothing else.
"""

from allauth.account import forms as allauth

from clinic.forms import RefuseControlCharacters


class LoginForm(RefuseControlCharacters, allauth.LoginForm):
    pass


class SignupForm(RefuseControlCharacters, allauth.SignupForm):
    pass


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
