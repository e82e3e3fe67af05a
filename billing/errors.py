"""Refusals of the billing services: a stable code and a sentence (clinic.errors)."""

from clinic.errors import CodedError


class BillingError(CodedError):
    default_code = "billing_invalid"
