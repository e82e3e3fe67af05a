"""The packs pages and API: staff sell at the desk (and only to their clinic's runners),
the runner reads their balance on the home page, My sessions and the API, prices per
session alone / in a pack / in a membership, the monthly report with its query count and
its formula-safe CSV."""

import csv
import io
from decimal import Decimal

import pytest

from billing import ledger
from billing.models import LedgerEntry, Offer, Sale
from booking.models import Reminder
from booking.reminders import messages

pytestmark = [pytest.mark.django_db, pytest.mark.clock]


def sell_form(offer, email="alice@runners.test", **extra):
    return {
        "runner": email,
        "offer": offer.pk,
        "method": "card",
        "amount": "200.00",
        "reference": "TPV 1",
        **extra,
    }


def test_a_therapist_sells_a_pack_at_the_desk(persona, pack, alice, therapist):
    page = persona("therapist").page
    response = page.post("/staff/packs/", sell_form(pack))
    assert response.status_code == 302
    sale = Sale.objects.get()
    assert (sale.runner, sale.sold_by, sale.amount) == (alice, therapist.user, Decimal("200"))
    payment = sale.payments.get()
    assert (payment.method, payment.reference, payment.provider) == ("card", "TPV 1", "desk")
    page_text = page.get(response["Location"]).content.decode()
    assert "5 sessions left in your pack, valid until 27 February." in page_text


def test_the_other_clinic_cannot_sell_to_our_runner_nor_our_pack(persona, pack, alice):
    other = persona("other_admin").page
    response = other.post("/staff/packs/", sell_form(pack))
    assert response.status_code == 400  # our pack is not among their choices
    api = persona("other_admin").api
    body = {"runner": alice.pk, "offer": pack.pk, "method": "cash", "amount": "200"}
    assert api.post("/api/v1/sales/", body, format="json").status_code == 404
    assert not Sale.objects.exists()


def test_staff_sell_through_the_api_and_bad_input_is_a_400_with_a_code(persona, pack, alice):
    api = persona("clinic_admin").api
    body = {"runner": alice.pk, "offer": pack.pk, "method": "bizum", "amount": "200.00"}
    created = api.post("/api/v1/sales/", body, format="json")
    assert created.status_code == 201 and created.json()["credits"] == 5
    bad = api.post("/api/v1/sales/", body | {"amount": "0"}, format="json")
    assert bad.status_code == 400 and bad.json()["code"] and bad.json()["detail"]
    pack.active = False
    pack.save()
    gone = api.post("/api/v1/sales/", body, format="json")
    assert gone.status_code == 400 and gone.json()["code"] == "not_on_sale"


def test_the_runner_reads_their_balance_and_ledger_and_nobody_elses(
    persona, pack, alice, bob, sell
):
    sell(pack, alice)
    mine = persona("alice").api.get("/api/v1/me/credits/").json()
    assert (mine["credits"], mine["next_expiry"], mine["kind"]) == (5, "2027-02-27", "pack")
    assert [e["kind"] for e in mine["ledger"]] == ["grant"]
    assert persona("bob").api.get("/api/v1/me/credits/").json()["credits"] == 0
    assert persona("therapist").api.get("/api/v1/me/credits/").status_code == 403


def test_home_and_my_sessions_show_the_balance_and_book_my_plan_first(persona, pack, alice, sell):
    sell(pack, alice)
    page = persona("alice").page
    for url in ("/", "/sessions/"):
        text = page.get(url).content.decode()
        assert "5 sessions left in your pack, valid until 27 February." in text
        assert text.index('id="book-my-plan"') < text.index(">Book a session<")


def test_the_confirmation_says_the_session_is_paid_with_the_pack(persona, pack, alice, sell, book):
    sell(pack, alice)
    session = book(alice)
    detail = persona("alice").page.get(f"/sessions/{session.pk}/?booked=1").content.decode()
    assert "4 sessions left in your pack, valid until 27 February." in detail
    assert "One session of your pack or membership" in detail and "45.00 EUR" not in detail


def test_prices_per_session_alone_in_a_pack_and_in_a_membership(
    client, pack, membership_offer, service
):
    text = client.get("/").content.decode()
    assert "45.00 EUR" in text  # alone
    assert "40.00 EUR" in text  # 200 / 5 in the pack
    assert "80.00 EUR a month" in text and "In a membership:" in text
    offers = client.get("/api/v1/offers/").json()
    assert {o["name"]: o["price_per_session"] for o in offers} == {
        "Bono 5": "40.00",
        "Plan 2": "40.00",
    }


def test_the_cadence_reminder_mentions_the_credits_left(pack, alice, sell, clock):
    sell(pack, alice)
    alice.cadence = "fortnightly"
    alice.save()
    reminder = Reminder.objects.create(runner=alice, kind="cadence", key="2026-11-30")
    message = messages.build_message(reminder, now=clock.now())
    assert "5 sessions left in your pack, valid until 27 February." in message.body


def test_the_monthly_report_counts_and_its_query_count_is_fixed(
    persona,
    pack,
    membership_offer,
    alice,
    bob,
    sell,
    book,
    clinic,
    clinic_admin,
    django_assert_num_queries,
):
    sell(pack, alice)
    sell(membership_offer, bob)
    book(alice)
    ledger.adjust(runner=alice, clinic=clinic, delta=-1, reason="=HYPERLINK()", by=clinic_admin)
    page = persona("clinic_admin").page
    page.get("/staff/reports/packs/")  # warm the session and the user
    with django_assert_num_queries(9):
        response = page.get("/staff/reports/packs/")
    text = response.content.decode()
    assert "November 2026" in text
    report = response.context["report"]
    (month,) = report.months
    assert (month.sales, month.sold, month.credits_sold, month.credits_used) == (
        2,
        Decimal("280.00"),
        7,
        1,
    )
    assert report.outstanding == 5 and report.memberships["active"] == 1
    assert report.outstanding_value == Decimal("3") * 40 + Decimal("2") * 40
    csv_text = b"".join(persona("clinic_admin").page.get("/staff/reports/packs.csv")).decode()
    rows = list(csv.reader(io.StringIO(csv_text)))
    assert rows[1][:6] == ["2026-11", "2", "280.00", "280.00", "7", "1"]


def test_a_csv_cell_that_would_be_a_formula_is_quoted(persona, clinic, clinic_admin):
    Offer.objects.create(
        clinic=clinic, name="=cmd|' /C calc'!A0", sessions=1, price=1, valid_months=1
    )
    response = persona("clinic_admin").page.get("/staff/reports/packs.csv")
    text = b"".join(response.streaming_content).decode()
    assert "Memberships" in text and not any(
        line.startswith("=") or line.startswith('"=') for line in text.splitlines()
    )


def test_the_runner_page_lists_the_ledger_without_n_plus_one(
    persona, pack, alice, sell, book, django_assert_max_num_queries
):
    sell(pack, alice)
    for days in (1, 2, 3):
        book(alice, days=days)
    page = persona("therapist").page
    page.get(f"/staff/packs/runners/{alice.pk}/")
    with django_assert_max_num_queries(14) as ctx:
        page.get(f"/staff/packs/runners/{alice.pk}/")
    few = len(ctx.captured_queries)
    book(alice, days=4)
    with django_assert_max_num_queries(few):
        page.get(f"/staff/packs/runners/{alice.pk}/")
    assert LedgerEntry.objects.filter(kind="use").count() == 4


def test_an_adjustment_without_a_reason_is_refused_on_the_page(persona, pack, alice, sell):
    sell(pack, alice)
    page = persona("clinic_admin").page
    page.post(f"/staff/packs/runners/{alice.pk}/adjust/", {"delta": "-1", "reason": ""})
    assert not LedgerEntry.objects.filter(kind="adjust").exists()
    page.post(f"/staff/packs/runners/{alice.pk}/adjust/", {"delta": "-1", "reason": "gift"})
    assert LedgerEntry.objects.get(kind="adjust").reason == "gift"


def test_the_clinic_admin_sets_up_a_pack_and_a_therapist_may_not(persona, service):
    form = {
        "kind": "pack",
        "name": "Bono 10",
        "sessions": "10",
        "price": "380.00",
        "valid_months": "",
        "services": [service.pk],
        "active": "on",
    }
    admin = persona("clinic_admin").page
    refused = admin.post("/staff/packs/new/", form)
    assert refused.status_code == 400 and not Offer.objects.exists()  # a pack needs months
    assert admin.post("/staff/packs/new/", form | {"valid_months": "6"}).status_code == 302
    offer = Offer.objects.get()
    assert (offer.price_per_session, list(offer.services.all())) == (Decimal("38.00"), [service])
    assert persona("therapist").page.get("/staff/packs/new/").status_code == 403


def test_the_offers_api_lists_every_clinic_in_a_fixed_number_of_queries(
    client, pack, membership_offer, django_assert_num_queries
):
    with django_assert_num_queries(2):  # the offers with their clinics, their services
        assert len(client.get("/api/v1/offers/").json()) == 2
