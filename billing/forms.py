"""Forms of the packs and memberships pages (rendered by booking.staff.pages.billing)."""

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from billing.models import Offer, Payment
from clinic.forms import Form, ModelForm


class OfferForm(ModelForm):
    class Meta:
        model = Offer
        fields = ["kind", "name", "sessions", "price", "valid_months", "services", "active"]
        widgets = {"services": forms.CheckboxSelectMultiple}

    def __init__(self, *args, services=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["services"].queryset = services


class PaymentFields(Form):
    method = forms.ChoiceField(label=_("Paid by"), choices=Payment.Method.choices)
    amount = forms.DecimalField(label=_("Amount"), max_digits=8, decimal_places=2, min_value=0.01)
    reference = forms.CharField(
        label=_("Reference"),
        max_length=100,
        required=False,
        help_text=_("A receipt or card terminal number, if any."),
    )


class SellForm(PaymentFields):
    runner = forms.CharField(
        label=_("Runner's e-mail"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    offer = forms.ModelChoiceField(label=_("Pack or membership"), queryset=Offer.objects.none())
    field_order = ["runner", "offer", "method", "amount", "reference"]

    def __init__(self, *args, offers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["offer"].queryset = offers


class AdjustForm(Form):
    delta = forms.IntegerField(
        label=_("Credits"),
        min_value=-100,
        max_value=100,
        help_text=_("Positive to add, negative to take."),
    )
    reason = forms.CharField(label=_("Reason"), max_length=500)
    expires_on = forms.DateField(
        label=_("Valid until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("For credits added."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expires_on"].initial = timezone.localdate() + timedelta(days=90)


class RefundForm(PaymentFields):
    reason = forms.CharField(label=_("Reason"), max_length=500)
