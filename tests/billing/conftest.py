"""Billing fixtures: a pack of 5 and a membership of 2 a month at Alice's clinic, and a
helper that sells one to a runner at the desk (billing.sales.sell)."""

from datetime import timedelta
from decimal import Decimal

import pytest

from billing import sales
from billing.models import Offer
from booking.engine import services
from tests.support.clock import MADRID


@pytest.fixture
def pack(clinic, service):
    offer = Offer.objects.create(
        clinic=clinic,
        kind=Offer.Kind.PACK,
        name="Bono 5",
        sessions=5,
        price=Decimal("200.00"),
        valid_months=3,
    )
    offer.services.set([service])
    return offer


@pytest.fixture
def membership_offer(clinic, service):
    offer = Offer.objects.create(
        clinic=clinic,
        kind=Offer.Kind.MEMBERSHIP,
        name="Plan 2",
        sessions=2,
        price=Decimal("80.00"),
    )
    offer.services.set([service])
    return offer


@pytest.fixture
def sell(clinic_admin):
    def sell(offer, runner, amount=None, by=None):
        return sales.sell(
            offer=offer,
            runner=runner,
            paid=sales.Paid("card", amount or offer.price, "T-1"),
            by=by or clinic_admin,
        )

    return sell


@pytest.fixture
def book(therapist, service):
    """Book Alice (or a runner) on a working day at `hour` local, `days` ahead."""

    def book(runner, *, days=3, hour=10, by=None):
        from django.utils import timezone

        day = timezone.now().astimezone(MADRID).date() + timedelta(days=days)
        from datetime import datetime, time

        start = datetime.combine(day, time(hour), tzinfo=MADRID)
        return services.session_book(
            runner=runner,
            service=service,
            therapist=therapist,
            start=start,
            by=by or runner.user,
            with_suggestions=False,
        )

    return book
