"""The credit ledger at its edges: a pack's credit used by a booking, given back by an
in-time cancellation, kept by a late one or a no-show as the clinic's policy says; expiry
exactly once; adjustments and refunds with reasons; never below zero."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction

from billing import ledger, sales, selectors
from billing.errors import BillingError
from billing.models import CreditGrant, LedgerEntry
from billing.tasks import expire_credits, renew_memberships
from booking.engine import services
from booking.models import Session
from booking.staff.services import session_mark_attendance

pytestmark = [pytest.mark.django_db, pytest.mark.clock]


def credits(runner):
    return selectors.balance(runner).credits


def test_a_pack_sold_adds_its_credits_valid_for_its_months(pack, alice, sell):
    sale = sell(pack, alice)
    found = selectors.balance(alice)
    assert found.credits == 5 and found.kind == "pack"
    # Sold on 30 November for 3 months: 28 February is "the same day", so until the 27th.
    assert found.next_expiry.isoformat() == "2027-02-27"
    assert sale.payments.get().amount == pack.price
    assert list(LedgerEntry.objects.values_list("kind", "delta")) == [("grant", 5)]


def test_booking_uses_a_credit_and_an_in_time_cancellation_gives_it_back(
    pack, alice, sell, book, persona
):
    sell(pack, alice)
    session = book(alice, days=3)
    assert credits(alice) == 4
    page = persona("alice").page.get(f"/sessions/{session.pk}/cancel/").content.decode()
    assert "The session goes back to your pack or membership." in page
    services.session_cancel(session=session, by=alice.user)
    session.refresh_from_db()
    assert session.status == Session.Status.CANCELLED
    assert credits(alice) == 5
    kinds = list(LedgerEntry.objects.filter(session=session).values_list("kind", "delta"))
    assert kinds == [("use", -1), ("return", 1)]


def test_a_late_cancellation_uses_the_credit(pack, alice, sell, book, clock):
    sell(pack, alice)
    session = book(alice, days=1, hour=10)  # tomorrow 10:00, the window is 24 h
    clock.shift(timedelta(hours=3))
    services.session_cancel(session=session, by=alice.user)
    session.refresh_from_db()
    assert session.status == Session.Status.LATE_CANCELLED
    assert credits(alice) == 4


def test_a_late_cancellation_gives_it_back_when_the_clinic_says_so(
    pack, alice, sell, book, clock, clinic
):
    clinic.late_cancel_uses_credit = False
    clinic.save()
    sell(pack, alice)
    session = book(alice, days=1, hour=10)
    clock.shift(timedelta(hours=3))
    services.session_cancel(session=session, by=alice.user)
    assert credits(alice) == 5


def test_a_late_cancellation_without_a_pack_touches_no_ledger(alice, book, clock):
    session = book(alice, days=1, hour=10)
    clock.shift(timedelta(hours=3))
    services.session_cancel(session=session, by=alice.user)
    session.refresh_from_db()
    assert session.status == Session.Status.LATE_CANCELLED
    assert LedgerEntry.objects.count() == 0 and credits(alice) == 0


@pytest.mark.parametrize(("policy", "left"), [(True, 4), (False, 5)])
def test_a_no_show_per_the_clinic_policy_and_a_correction_to_attended(
    pack, alice, sell, book, clock, clinic, therapist, policy, left
):
    clinic.no_show_uses_credit = policy
    clinic.save()
    sell(pack, alice)
    session = book(alice, days=1, hour=10)
    clock.move_to(session.start + timedelta(minutes=70))
    session_mark_attendance(session=session, status="no_show", by=therapist.user)
    assert credits(alice) == left
    # Turned up late after all: attended, the credit is used.
    session_mark_attendance(session=session, status="attended", by=therapist.user)
    assert credits(alice) == 4


def test_credits_expire_on_their_date_exactly_once(pack, alice, sell, book, clock):
    sell(pack, alice)
    book(alice, days=3)
    grant = CreditGrant.objects.get()
    assert grant.remaining == 4
    clock.move_to(clock.start + timedelta(days=89))  # 27 February: the last valid day
    assert expire_credits() == 0
    clock.move_to(clock.start + timedelta(days=91))
    assert expire_credits() == 4
    assert expire_credits() == 0  # a second beat, the same day: nothing more
    grant.refresh_from_db()
    assert grant.remaining == 0 and grant.expired_at is not None
    assert LedgerEntry.objects.filter(kind="expire").count() == 1
    assert credits(alice) == 0
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(
            grant=grant,
            clinic=grant.clinic,
            runner=alice,
            kind="expire",
            delta=0,
            at=clock.now(),
        )


def test_a_booking_after_the_last_valid_day_is_paid_alone(pack, alice, sell, book, clock):
    sell(pack, alice)
    clock.move_to(clock.start + timedelta(days=88))  # Thursday 25 February
    session = book(alice, days=4)  # Monday 1 March, after the last valid day
    assert not LedgerEntry.objects.filter(session=session).exists()
    assert credits(alice) == 5


def test_adjustments_need_a_reason_and_never_go_below_zero(pack, alice, sell, clinic, clinic_admin):
    sell(pack, alice)
    with pytest.raises(BillingError) as err:
        ledger.adjust(runner=alice, clinic=clinic, delta=-1, reason="  ", by=clinic_admin)
    assert err.value.code == "reason_required"
    with pytest.raises(BillingError) as err:
        ledger.adjust(runner=alice, clinic=clinic, delta=-6, reason="typo", by=clinic_admin)
    assert err.value.code == "insufficient_credits" and err.value.status_code == 409
    ledger.adjust(runner=alice, clinic=clinic, delta=-2, reason="sold twice", by=clinic_admin)
    assert credits(alice) == 3
    entry = LedgerEntry.objects.get(kind="adjust")
    assert (entry.reason, entry.by, entry.delta) == ("sold twice", clinic_admin, -2)


def test_the_ledger_is_append_only_and_the_grant_never_negative(pack, alice, sell):
    sell(pack, alice)
    entry = LedgerEntry.objects.get()
    entry.delta = 50
    with pytest.raises(ValueError):
        entry.save()
    with pytest.raises(IntegrityError), transaction.atomic():
        CreditGrant.objects.update(remaining=-1)


def test_a_refund_takes_back_the_credits_left_with_its_reason(
    pack, alice, sell, book, clinic_admin, therapist
):
    sale = sell(pack, alice)
    book(alice, days=3)
    with pytest.raises(BillingError):
        sales.refund(sale=sale, paid=sales.Paid("card", 160), reason="", by=clinic_admin)
    with pytest.raises(Exception):  # noqa: B017 - a therapist may not refund
        sales.refund(sale=sale, paid=sales.Paid("card", 160), reason="moved", by=therapist.user)
    sales.refund(sale=sale, paid=sales.Paid("card", 160), reason="moving away", by=clinic_admin)
    assert credits(alice) == 0
    refund = LedgerEntry.objects.get(kind="refund")
    assert (refund.delta, refund.reason) == (-4, "moving away")
    assert sorted(sale.payments.values_list("amount", flat=True)) == [-160, 200]


def test_a_membership_renews_monthly_exactly_once_and_a_pause_skips_months(
    membership_offer, alice, sell, clock, clinic_admin
):
    sale = sell(membership_offer, alice)
    membership = sale.membership
    assert credits(alice) == 2
    assert renew_memberships() == 0
    clock.move_to(clock.start + timedelta(days=31))  # 31 December: renews on 30 December
    assert renew_memberships() == 1
    assert renew_memberships() == 0
    assert credits(alice) == 2  # December's month; November's ended on 29 December
    membership.refresh_from_db()
    assert membership.renews_on.isoformat() == "2027-01-30"
    sales.membership_set_status(membership=membership, status="paused", by=clinic_admin)
    clock.move_to(clock.start + timedelta(days=70))
    assert renew_memberships() == 0
    assert membership.sales.count() == 2
    assert membership.sales.filter(payments__isnull=True).count() == 1  # due at the desk
