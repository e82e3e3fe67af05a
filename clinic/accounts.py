"""Accounts: the user (one role, at most one clinic) and their API tokens (one a sign-in)."""

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox.models import AbstractAuthToken
from knox.settings import CONSTANTS as KNOX


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("role", User.Role.CLINIC_ADMIN)
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """Logs in with an e-mail address. The role says which side of the product one uses."""

    class Role(models.TextChoices):
        RUNNER = "runner", _("Runner")
        THERAPIST = "therapist", _("Therapist")
        CLINIC_ADMIN = "clinic_admin", _("Clinic admin")

    email = models.EmailField(_("e-mail address"), unique=True)
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Role, default=Role.RUNNER)
    # The clinic a clinic admin manages; None for a superuser (all clinics) and for runners.
    clinic = models.ForeignKey(
        "clinic.Clinic",
        verbose_name=_("managed clinic"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="admins",
    )
    language = models.CharField(
        _("language"), max_length=8, choices=[("en", "English"), ("es", "Español")], default="en"
    )
    is_staff = models.BooleanField(_("staff status"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    # Part of every browser session's auth hash: raising it signs out every browser the
    # user is signed in on, however the session began (site, admin, password reset).
    session_epoch = models.PositiveIntegerField(default=0, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.email

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or self.email

    def get_short_name(self) -> str:
        return self.first_name or self.email

    def save(self, *args, **kwargs):
        """A new password, or deactivation, revokes every credential the user had.

        Here rather than in one view, so that every path that changes them (password
        change and reset, the Django admin, `changepassword`, account deletion) does. A
        new password already changes the session auth hash (Django signs other browsers
        out); deactivation raises session_epoch so that reactivating does not bring old
        browser sessions back. API tokens are deleted in both cases."""
        update_fields = kwargs.get("update_fields")
        saving = set(update_fields) if update_fields is not None else {"password", "is_active"}
        revoke = deactivated = False
        if self.pk is not None and not self._state.adding and saving & {"password", "is_active"}:
            stored = (
                type(self).objects.filter(pk=self.pk).values_list("password", "is_active").first()
            )
            if stored is not None:
                deactivated = "is_active" in saving and stored[1] and not self.is_active
                revoke = deactivated or ("password" in saving and stored[0] != self.password)
        if deactivated:
            self.session_epoch += 1
            if update_fields is not None:
                kwargs["update_fields"] = [*update_fields, "session_epoch"]
        super().save(*args, **kwargs)
        if revoke:
            ApiToken.objects.filter(user=self).delete()

    def get_session_auth_hash(self) -> str:
        return self._with_epoch(super().get_session_auth_hash())

    def get_session_auth_fallback_hash(self):
        return (self._with_epoch(h) for h in super().get_session_auth_fallback_hash())

    def _with_epoch(self, auth_hash: str) -> str:
        # Epoch 0 leaves Django's hash as it was: no one is signed out by this field's arrival.
        return f"{auth_hash}.{self.session_epoch}" if self.session_epoch else auth_hash

    # The roles as clinic.permissions decides them (templates read these).
    @property
    def is_runner(self) -> bool:
        from clinic.permissions import is_runner

        return is_runner(self)

    @property
    def is_therapist(self) -> bool:
        from clinic.permissions import is_therapist

        return is_therapist(self)

    @property
    def is_clinic_staff(self) -> bool:
        from clinic.permissions import is_clinic_staff

        return is_clinic_staff(self)

    @property
    def is_clinic_admin(self) -> bool:
        from clinic.permissions import is_clinic_admin

        return is_clinic_admin(self)

    @property
    def may_use_admin(self) -> bool:
        from clinic.permissions import may_use_admin

        return may_use_admin(self)


class ApiToken(AbstractAuthToken):
    """One API sign-in (a phone, a script): django-rest-knox's token, stored as a hash.

    Each sign-in gets its own, so each can be listed and revoked on its own. An id of its
    own (knox's key is the digest) names it in the API and on the devices page without
    revealing anything of the token."""

    id = models.BigAutoField(primary_key=True)
    digest = models.CharField(max_length=KNOX.DIGEST_LENGTH, unique=True)
    device = models.CharField(_("device"), max_length=200, blank=True)
    last_used = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.device or '?'}"
