"""What a clinic sells (packs, memberships), the sales and their payments, and the credit
ledger: every credit a runner gains or uses is one append-only row (`LedgerEntry`).

A `CreditGrant` is one batch of credits (a pack, a membership month, an adjustment) with
its expiry; its `remaining` is the ledger's sum kept on the row that is locked when a
credit is used, and a CHECK keeps it at zero or more, whatever the code does.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class Offer(models.Model):
    """A pack (N sessions, valid M months) or a membership (K sessions a month, renewing)."""

    class Kind(models.TextChoices):
        PACK = "pack", _("Pack")
        MEMBERSHIP = "membership", _("Membership")

    clinic = models.ForeignKey(
        "clinic.Clinic", on_delete=models.PROTECT, related_name="offers", verbose_name=_("clinic")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind, default=Kind.PACK)
    name = models.CharField(_("name"), max_length=120)
    sessions = models.PositiveSmallIntegerField(
        _("sessions"),
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("In the pack, or each month of the membership."),
    )
    price = models.DecimalField(
        _("price"),
        max_digits=8,
        decimal_places=2,
        validators=[MinValueValidator(0)],
        help_text=_("The pack's price, or the membership's monthly price."),
    )
    valid_months = models.PositiveSmallIntegerField(
        _("valid for (months)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(36)],
        help_text=_("Packs only: the credits expire this many months after the sale."),
    )
    services = models.ManyToManyField(
        "clinic.Service",
        related_name="offers",
        verbose_name=_("services"),
        help_text=_("The services its credits pay for."),
    )
    active = models.BooleanField(_("on sale"), default=True)

    class Meta:
        verbose_name = _("pack or membership")
        verbose_name_plural = _("packs and memberships")
        ordering = ["clinic", "kind", "price"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="membership") | Q(valid_months__isnull=False),
                name="offer_pack_has_validity",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.kind == self.Kind.PACK and not self.valid_months:
            raise ValidationError({"valid_months": _("Say how many months a pack is valid for.")})

    @property
    def price_per_session(self):
        return (self.price / self.sessions).quantize(self.price)


class Membership(models.Model):
    """A runner's membership: renews each month while active (billing.tasks), paused
    months add no credits, ended is for good."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        PAUSED = "paused", _("Paused")
        ENDED = "ended", _("Ended")

    runner = models.ForeignKey(
        "runners.Runner",
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("runner"),
    )
    offer = models.ForeignKey(
        Offer, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("membership")
    )
    clinic = models.ForeignKey(
        "clinic.Clinic",
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("clinic"),
    )
    status = models.CharField(_("status"), max_length=8, choices=Status, default=Status.ACTIVE)
    started_on = models.DateField(_("started on"))
    # The first day of the next month to add credits for (the clinic's local date).
    renews_on = models.DateField(_("renews on"))
    changed_at = models.DateTimeField(_("status changed at"), auto_now=True)

    class Meta:
        verbose_name = _("runner's membership")
        verbose_name_plural = _("runners' memberships")
        ordering = ["-started_on"]
        indexes = [models.Index(fields=["status", "renews_on"])]

    def __str__(self) -> str:
        return f"{self.offer} ({self.get_status_display()})"


class Sale(models.Model):
    """A pack sold, or a membership month due; paid by one or more `Payment`s."""

    clinic = models.ForeignKey(
        "clinic.Clinic", on_delete=models.PROTECT, related_name="sales", verbose_name=_("clinic")
    )
    runner = models.ForeignKey(
        "runners.Runner", on_delete=models.CASCADE, related_name="sales", verbose_name=_("runner")
    )
    offer = models.ForeignKey(
        Offer, on_delete=models.PROTECT, related_name="sales", verbose_name=_("what was sold")
    )
    membership = models.ForeignKey(
        Membership,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="sales",
        verbose_name=_("membership"),
    )
    period_start = models.DateField(_("month starting"), null=True, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=8, decimal_places=2)
    sold_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sold by"),
    )
    sold_at = models.DateTimeField(_("sold at"))

    class Meta:
        verbose_name = _("sale")
        verbose_name_plural = _("sales")
        ordering = ["-sold_at"]
        constraints = [
            # A membership month is charged once, however often the renewal runs.
            models.UniqueConstraint(
                fields=["membership", "period_start"],
                condition=Q(membership__isnull=False),
                name="sale_one_per_membership_month",
            )
        ]
        indexes = [models.Index(fields=["clinic", "sold_at"], name="sale_clinic_sold_at")]

    def __str__(self) -> str:
        return f"{self.offer} · {self.amount}"


class Payment(models.Model):
    """Money taken for a sale: at the desk today (billing.payments), online later."""

    class Method(models.TextChoices):
        CASH = "cash", _("Cash")
        CARD = "card", _("Card")
        TRANSFER = "transfer", _("Bank transfer")
        BIZUM = "bizum", _("Bizum")

    sale = models.ForeignKey(
        Sale, on_delete=models.CASCADE, related_name="payments", verbose_name=_("sale")
    )
    provider = models.CharField(_("taken by"), max_length=20, default="desk")
    method = models.CharField(_("method"), max_length=10, choices=Method)
    # Negative for money given back (billing.sales.refund).
    amount = models.DecimalField(_("amount"), max_digits=8, decimal_places=2)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-recorded_at"]
        indexes = [models.Index(fields=["recorded_at"], name="payment_recorded_at")]

    def __str__(self) -> str:
        return f"{self.amount} ({self.method})"


class CreditGrant(models.Model):
    """One batch of credits and its expiry (the last local day it can be used on)."""

    runner = models.ForeignKey(
        "runners.Runner",
        on_delete=models.CASCADE,
        related_name="credit_grants",
        verbose_name=_("runner"),
    )
    clinic = models.ForeignKey(
        "clinic.Clinic",
        on_delete=models.PROTECT,
        related_name="credit_grants",
        verbose_name=_("clinic"),
    )
    offer = models.ForeignKey(
        Offer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="grants",
        verbose_name=_("from"),
        help_text=_("Empty for an adjustment: good for any service of the clinic."),
    )
    sale = models.ForeignKey(
        Sale,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="grants",
        verbose_name=_("sale"),
    )
    quantity = models.PositiveSmallIntegerField(_("credits"))
    remaining = models.IntegerField(_("credits left"))
    expires_on = models.DateField(_("valid until"))
    expired_at = models.DateTimeField(_("expired at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("credit grant")
        verbose_name_plural = _("credit grants")
        ordering = ["expires_on", "pk"]
        constraints = [
            # The last word on "never below zero": a use that would overdraw fails here.
            models.CheckConstraint(condition=Q(remaining__gte=0), name="grant_never_negative"),
            models.CheckConstraint(
                condition=Q(remaining__lte=F("quantity")), name="grant_at_most_granted"
            ),
        ]
        indexes = [
            models.Index(fields=["runner", "expires_on"], name="grant_runner_expires"),
            models.Index(
                fields=["expires_on"],
                condition=Q(expired_at__isnull=True),
                name="grant_to_expire",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.remaining}/{self.quantity} until {self.expires_on}"


class LedgerEntry(models.Model):
    """One change of a runner's credits; never updated, never deleted (the sum of a grant's
    rows is its `remaining`)."""

    class Kind(models.TextChoices):
        GRANT = "grant", _("Credits added")
        USE = "use", _("Session")
        RETURN = "return", _("Session credit returned")
        EXPIRE = "expire", _("Expired")
        ADJUST = "adjust", _("Adjustment")
        REFUND = "refund", _("Refund")

    grant = models.ForeignKey(
        CreditGrant,
        on_delete=models.CASCADE,
        related_name="entries",
        verbose_name=_("credit grant"),
    )
    # Denormalised from the grant: the monthly report reads one index.
    clinic = models.ForeignKey(
        "clinic.Clinic",
        on_delete=models.PROTECT,
        related_name="ledger_entries",
        verbose_name=_("clinic"),
    )
    runner = models.ForeignKey(
        "runners.Runner",
        on_delete=models.CASCADE,
        related_name="ledger_entries",
        verbose_name=_("runner"),
    )
    kind = models.CharField(_("what"), max_length=8, choices=Kind)
    delta = models.IntegerField(_("credits"))
    session = models.ForeignKey(
        "booking.Session",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ledger_entries",
        verbose_name=_("session"),
    )
    reason = models.TextField(_("reason"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("when"))

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind__in=["adjust", "refund"]) | ~Q(reason=""),
                name="ledger_adjustment_has_reason",
            ),
            # A grant expires once (a credit given back after that expires with its session).
            models.UniqueConstraint(
                fields=["grant"],
                condition=Q(kind="expire", session__isnull=True),
                name="ledger_one_expiry_per_grant",
            ),
        ]
        indexes = [
            # The monthly report reads kind and delta from the index alone.
            models.Index(
                fields=["clinic", "at"], name="ledger_clinic_at", include=["kind", "delta"]
            ),
            models.Index(fields=["runner", "at"], name="ledger_runner_at"),
            models.Index(fields=["session"], name="ledger_session"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.delta:+d} for runner {self.runner_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Ledger entries are append-only.")
        super().save(*args, **kwargs)
