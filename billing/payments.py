"""The payment seam: how money for a sale is taken. Today the desk records what it took
(cash, card, transfer, Bizum); an online provider would implement the same `take` (and
be registered in PROVIDERS) without the sales or the ledger changing."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Protocol

from billing.models import Payment, Sale
from clinic.models import User


class PaymentProvider(Protocol):
    name: str

    def take(
        self,
        sale: Sale,
        *,
        method: str,
        amount: Decimal,
        reference: str,
        by: User | None,
        at: datetime,
    ) -> Payment: ...


class DeskPayment:
    """Money already taken at the desk: recording it is all there is to do."""

    name = "desk"

    def take(
        self,
        sale: Sale,
        *,
        method: str,
        amount: Decimal,
        reference: str,
        by: User | None,
        at: datetime,
    ) -> Payment:
        return Payment.objects.create(
            sale=sale,
            provider=self.name,
            method=method,
            amount=amount,
            reference=reference,
            recorded_by=by,
            recorded_at=at,
        )


PROVIDERS: dict[str, PaymentProvider] = {"desk": DeskPayment()}
