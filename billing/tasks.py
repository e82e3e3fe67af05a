"""Celery beat tasks: expire credits on their date and renew memberships, each clinic on
its own local date. Both are safe to run twice or on two workers (billing.ledger,
billing.sales: rows claimed under SKIP LOCKED, unique keys)."""

from celery import shared_task
from django.utils import timezone

from billing import ledger, sales
from clinic.models import Clinic


@shared_task(acks_late=True, name="billing.tasks.expire_credits")
def expire_credits() -> int:
    now = timezone.now()
    return sum(
        ledger.expire_due(clinic, today=sales.local_today(clinic, now), at=now).credits
        for clinic in Clinic.objects.all()
    )


@shared_task(acks_late=True, name="billing.tasks.renew_memberships")
def renew_memberships() -> int:
    now = timezone.now()
    return sum(sales.renew_due(clinic, now=now) for clinic in Clinic.objects.all())
