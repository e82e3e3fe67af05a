"""A runner downloads all their data and deletes their account."""

import json
from datetime import time, timedelta
from decimal import Decimal

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.test import RequestFactory
from django.utils import timezone

from billing import ledger, sales
from billing.models import CreditGrant, LedgerEntry, Membership, Offer, Payment, Sale
from booking.models import (
    FreedTime,
    Reminder,
    Session,
    SessionEvent,
    WaitlistEntry,
    WaitlistOffer,
)
from booking.runner import account
from booking.runner.account import (
    EXPORTED_MODELS,
    NOT_EXPORTED,
    NOT_EXPORTED_MODELS,
    runner_account_delete,
    runner_data_export,
)
from clinic.models import ApiToken, User
from clinic.tokens import token_create
from devtools.factories import PASSWORD, RaceFactory, SessionFactory, TrainingFactory
from runners.models import Race, Runner, Training

NOTE = "Left knee: patellar tendinopathy since March"
# Runner, sessions, their events, races, trainings, reminders, e-mail addresses, tokens,
# groups and permissions, memberships, sales, their payments, credit grants, the ledger,
# waitlist entries and their offers: one query each, whatever the history.
EXPORT_QUERIES = 17


@pytest.fixture
def history(alice, bob, therapist, service):
    """Alice with a note, two races, a past attended and an upcoming session; Bob too."""
    alice.health_notes = NOTE
    alice.phone = "+34 600 111 222"
    alice.discomfort_areas = ["legs"]
    alice.save()
    now = timezone.now()
    races = [
        RaceFactory(runner=alice, name="Valencia Marathon", start=now + timedelta(days=40)),
        RaceFactory(runner=alice, name="San Silvestre", start=now + timedelta(days=60)),
    ]
    past = SessionFactory(
        runner=alice,
        therapist=therapist,
        service=service,
        start=now - timedelta(days=10),
        status=Session.Status.ATTENDED,
        runner_note="My calves are tight",
        therapist_note="Calves and hamstrings, knee spared",
        areas_treated={"calves": "left", "hamstrings": "both"},
        discomfort_before=6,
        discomfort_after=2,
        discomfort_areas=["legs"],
    )
    SessionEvent.objects.create(session=past, kind="booked", by=alice.user, data={"x": 1})
    upcoming = SessionFactory(
        runner=alice, therapist=therapist, service=service, start=now + timedelta(days=5)
    )
    Reminder.objects.create(runner=alice, kind="confirmation", key=f"s{upcoming.pk}")
    bobs = SessionFactory(
        runner=bob, therapist=therapist, service=service, start=now + timedelta(days=6)
    )
    RaceFactory(runner=bob, name="Bob's 10K")
    TrainingFactory(runner=alice, kind="long", minutes=150)
    TrainingFactory(runner=bob)
    return {"races": races, "past": past, "upcoming": upcoming, "bobs": bobs}


class TestExport:
    def test_the_export_holds_everything_about_the_runner_and_nothing_else(
        self, alice, history, django_assert_max_num_queries
    ):
        with django_assert_max_num_queries(EXPORT_QUERIES):
            data = runner_data_export(runner=alice)
        json.dumps(data)  # JSON-ready
        assert data["account"]["email"] == alice.user.email
        assert data["profile"]["health_notes"] == NOTE
        assert data["profile"]["phone"] == "+34 600 111 222"
        assert [r["name"] for r in data["races"]] == ["Valencia Marathon", "San Silvestre"]
        assert [s["id"] for s in data["sessions"]] == [history["past"].pk, history["upcoming"].pk]
        past = data["sessions"][0]
        assert past["therapist_note"] == "Calves and hamstrings, knee spared"
        # The treatment record, health data about the runner, is theirs to take.
        assert past["areas_treated"] == {"calves": "left", "hamstrings": "both"}
        assert (past["discomfort_before"], past["discomfort_after"]) == (6, 2)
        assert past["history"][0]["kind"] == "booked"
        assert data["reminders"][0]["kind"] == "confirmation"
        text = json.dumps(data)
        assert "Bob" not in text and "Private" not in text

    def test_query_count_does_not_grow_with_history(
        self, alice, therapist, service, history, django_assert_max_num_queries
    ):
        now = timezone.now()
        for i in range(20):
            s = SessionFactory(
                runner=alice,
                therapist=therapist,
                service=service,
                start=now - timedelta(days=30 + i),
                status="attended",
            )
            SessionEvent.objects.create(session=s, kind="attended")
            RaceFactory(runner=alice, start=now - timedelta(days=100 + i))
        with django_assert_max_num_queries(EXPORT_QUERIES):
            data = runner_data_export(runner=alice)
        assert len(data["sessions"]) == 22

    def test_the_page_download_is_a_json_attachment(self, persona, client, alice, history):
        client = persona("alice").page
        page = client.get("/account/privacy/")
        assert page.status_code == 200
        assert "/account/privacy/download/" in page.content.decode()
        response = client.get("/account/privacy/download/")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/json")
        assert response["Content-Disposition"].startswith("attachment;")
        assert "no-store" in response["Cache-Control"]
        assert json.loads(response.content)["profile"]["health_notes"] == NOTE

    def test_the_api_returns_my_data_only(self, persona, client, alice, bob, history):
        client = persona("bob").page
        data = client.get("/api/v1/me/data/").json()
        assert data["account"]["email"] == bob.user.email
        assert [s["id"] for s in data["sessions"]] == [history["bobs"].pk]
        assert NOTE not in json.dumps(data)

    @pytest.mark.parametrize("url", ["/account/privacy/", "/account/privacy/download/"])
    def test_pages_need_a_signed_in_runner(self, persona, client, therapist, url):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        client = persona("therapist").page
        assert client.get(url).status_code == 403

    def test_the_api_needs_a_signed_in_runner(self, persona, client, therapist):
        assert client.get("/api/v1/me/data/").status_code in (401, 403)
        client = persona("therapist").page
        response = client.get("/api/v1/me/data/")
        assert response.status_code == 403
        assert response.json()["code"]


@pytest.fixture
def everything(alice, history, therapist, clinic_admin, service):
    """One row of every kind the product stores about Alice, each field filled."""
    now = timezone.now()
    user = alice.user
    user.last_login = now
    user.save()
    alice.preferred_therapist = therapist
    alice.save()
    RaceFactory(runner=alice, name="Trail", location="Gredos")
    TrainingFactory(
        runner=alice,
        name="Tempo by the river",
        kind="intervals",
        rpe=8,
        hard=True,
        planned=False,
        avg_hr=162,
        max_hr=181,
        source="fit",
    )
    moved = SessionFactory(
        runner=alice,
        therapist=therapist,
        service=service,
        start=now + timedelta(days=12),
        race_override_reason="Marathon moved to a later date; approved by Lucía",
        race_override_by=clinic_admin,
        idempotency_key="key-1",
        rescheduled_from=history["past"],
        mobilisation_done=True,
    )
    SessionEvent.objects.create(
        session=moved,
        kind="rescheduled",
        by=therapist.user,
        from_status="booked",
        to_status="booked",
        old_start=now + timedelta(days=11),
        new_start=moved.start,
        data={"old_therapist": therapist.pk, "new_therapist": therapist.pk},
    )
    SessionEvent.objects.create(
        session=moved,
        kind="override",
        by=clinic_admin,
        new_start=moved.start,
        data={"reason": moved.race_override_reason, "rules": ["race_rest_day"]},
    )
    Reminder.objects.create(
        runner=alice, kind="reschedule", key="k", session=moved, attempts=2, last_error="timeout"
    )
    # The factory confirmed the address already (sign-in needs it); this keeps it so.
    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    token, _key = token_create(user=user, device="Alice's phone")
    ApiToken.objects.filter(pk=token.pk).update(last_used=now)
    _billing(alice, therapist, clinic_admin, service, session=history["past"])
    _waitlist(alice, therapist, service, session=moved)
    return moved


def _billing(alice, therapist, clinic_admin, service, *, session):
    """A pack sold by the admin and paid in two parts (the second taken by the therapist),
    a membership, a credit used for a session, an adjustment with its reason, a grant
    expired."""
    pack, plan = (
        Offer.objects.create(
            clinic=service.clinic,
            kind=kind,
            name=name,
            sessions=5,
            price=Decimal("200.00"),
            valid_months=3 if kind == Offer.Kind.PACK else None,
        )
        for kind, name in ((Offer.Kind.PACK, "Bono 5"), (Offer.Kind.MEMBERSHIP, "Plan 5"))
    )
    pack.services.set([service])
    plan.services.set([service])
    sale = sales.sell(
        offer=pack,
        runner=alice,
        paid=sales.Paid("card", Decimal("150.00"), "TPV-0042"),
        by=clinic_admin,
    )
    sales.record_payment(
        sale=sale, paid=sales.Paid("bizum", Decimal("50.00"), "BZ-7"), by=therapist.user
    )
    sales.sell(offer=plan, runner=alice, paid=sales.Paid("cash", plan.price), by=clinic_admin)
    grant = CreditGrant.objects.get(sale=sale)
    ledger.use_for_session(
        session_id=session.pk,
        runner_id=alice.pk,
        clinic_id=grant.clinic_id,
        service_id=service.pk,
        day=timezone.localdate(),
        by=therapist.user,
        at=timezone.now(),
    )
    ledger.adjust(
        runner=alice,
        clinic=grant.clinic,
        delta=2,
        reason="Goodwill: session cut short",
        by=clinic_admin,
        expires_on=timezone.localdate() - timedelta(days=1),
    )
    CreditGrant.objects.filter(offer=None, runner=alice).update(expired_at=timezone.now())


def _waitlist(alice, therapist, service, *, session):
    """A waitlist entry for one therapist and the time offered from it, claimed."""
    today = timezone.localdate()
    entry = WaitlistEntry.objects.create(
        runner=alice,
        clinic=service.clinic,
        service=service,
        therapist=therapist,
        first_day=today,
        last_day=today + timedelta(days=14),
        earliest=time(8),
        latest=time(13),
        left_at=timezone.now(),
        left_reason=WaitlistEntry.Left.BOOKED,
    )
    freed = FreedTime.objects.create(
        therapist=therapist,
        start=session.start,
        end=session.end,
        reason=FreedTime.Reason.BY_HAND,
        entry=entry,
    )
    WaitlistOffer.objects.create(
        freed=freed,
        entry=entry,
        runner=alice,
        therapist=therapist,
        service=service,
        start=session.start,
        expires_at=session.start - timedelta(days=1),
        state=WaitlistOffer.State.CLAIMED,
        session=session,
    )


# Which records of the export stand for each exported model.
RECORDS = {
    "clinic.User": lambda d: [d["account"]],
    "runners.Runner": lambda d: [d["profile"]],
    "runners.Race": lambda d: d["races"],
    "runners.Training": lambda d: d["trainings"],
    "booking.Session": lambda d: d["sessions"],
    "booking.SessionEvent": lambda d: [e for s in d["sessions"] for e in s["history"]],
    "booking.Reminder": lambda d: d["reminders"],
    "account.EmailAddress": lambda d: d["email_addresses"],
    "clinic.ApiToken": lambda d: d["api_tokens"],
    "billing.Membership": lambda d: d["memberships"],
    "billing.Sale": lambda d: d["purchases"],
    "billing.Payment": lambda d: [p for s in d["purchases"] for p in s["payments"]],
    "billing.CreditGrant": lambda d: d["credit_grants"],
    "billing.LedgerEntry": lambda d: d["credit_ledger"],
    "booking.WaitlistEntry": lambda d: d["waitlist"],
    "booking.WaitlistOffer": lambda d: [o for w in d["waitlist"] for o in w["offers"]],
}


def _fields(model) -> set[str]:
    return {f.name for f in model._meta.concrete_fields} | {
        f.name for f in model._meta.many_to_many
    }


class TestExportIsComplete:
    """A field or model added later is exported, or named with its reason in
    booking.runner.account.NOT_EXPORTED / NOT_EXPORTED_MODELS."""

    def test_every_field_of_every_exported_model_is_in_the_export(self, alice, everything):
        data = runner_data_export(runner=alice)
        assert set(RECORDS) == set(EXPORTED_MODELS)
        missing = []
        for label, renamed in EXPORTED_MODELS.items():
            model = apps.get_model(label)
            records = RECORDS[label](data)
            assert records, f"the fixture has no {label}"
            left_out = set(NOT_EXPORTED.get(label, {}))
            assert left_out <= _fields(model), f"{label}: stale NOT_EXPORTED entries"
            for field in sorted(_fields(model) - left_out):
                key = renamed.get(field, field)
                if any(key not in record for record in records):
                    missing.append(f"{label}.{field}")
        assert not missing, f"fields stored but not exported: {missing}"

    def test_every_model_pointing_at_a_runners_rows_is_exported_or_excluded(self):
        personal = {apps.get_model(label) for label in EXPORTED_MODELS}
        unaccounted = []
        for model in apps.get_models():
            if model._meta.proxy:
                continue
            label = model._meta.label
            points_at = {
                f.related_model
                for f in model._meta.get_fields()
                if f.is_relation and f.concrete and f.related_model in personal
            }
            if points_at and label not in EXPORTED_MODELS and label not in NOT_EXPORTED_MODELS:
                unaccounted.append(label)
        assert not unaccounted, f"models holding a runner's rows, not exported: {unaccounted}"
        assert not set(EXPORTED_MODELS) & set(NOT_EXPORTED_MODELS)

    def test_the_values_are_the_stored_ones(
        self, alice, everything, therapist, history, django_assert_max_num_queries
    ):
        with django_assert_max_num_queries(EXPORT_QUERIES):
            data = runner_data_export(runner=alice)
        moved = next(s for s in data["sessions"] if s["id"] == everything.pk)
        assert moved["race_override_reason"] == everything.race_override_reason
        assert moved["race_override_by"] == {"role": "clinic_admin"}
        assert moved["rescheduled_from"] == history["past"].pk
        assert moved["idempotency_key"] == "key-1" and moved["mobilisation_done"] is True
        rescheduled, override = moved["history"]
        assert rescheduled["kind"] == "rescheduled"
        assert rescheduled["by"] == {"role": "therapist", "name": "Lucía Martín"}
        assert rescheduled["old_start"] and rescheduled["new_start"]
        assert override["data"]["reason"] == everything.race_override_reason
        past = next(s for s in data["sessions"] if s["id"] == history["past"].pk)
        assert past["history"][0]["by"] == {"role": "runner", "you": True}
        assert data["reminders"][-1]["last_error"] == "timeout"
        assert data["email_addresses"] == [
            {
                "id": data["email_addresses"][0]["id"],
                "email": alice.user.email,
                "verified": True,
                "primary": True,
            }
        ]
        assert data["profile"]["preferred_therapist"] == "Lucía Martín"
        text = json.dumps(data)
        # Staff are named as the runner knows them, never by their e-mail; no credential.
        assert "lucia@clinic.test" not in text and "admin@clinic.test" not in text
        token = ApiToken.objects.get(user=alice.user)
        assert token.digest not in text and token.token_key not in text
        assert data["api_tokens"][0]["device"] == "Alice's phone"
        assert alice.user.password not in text

    def test_purchases_credits_and_waitlist_are_in_it(self, alice, everything, therapist, history):
        data = runner_data_export(runner=alice)
        lucia = {"role": "therapist", "name": "Lucía Martín"}
        pack, plan = data["purchases"]
        assert (pack["offer"], pack["amount"], pack["sold_by"]) == (
            "Bono 5",
            "200.00",
            {"role": "clinic_admin"},
        )
        assert [(p["method"], p["amount"], p["reference"]) for p in pack["payments"]] == [
            ("card", "150.00", "TPV-0042"),
            ("bizum", "50.00", "BZ-7"),
        ]
        assert pack["payments"][1]["recorded_by"] == lucia and pack["payments"][1]["recorded_at"]
        assert plan["membership"] == data["memberships"][0]["id"]
        assert data["memberships"][0]["offer"] == "Plan 5"
        assert data["memberships"][0]["status"] == "active"
        used = next(e for e in data["credit_ledger"] if e["kind"] == "use")
        assert (used["delta"], used["session"], used["by"]) == (-1, history["past"].pk, lucia)
        grants = {g["id"]: g for g in data["credit_grants"]}
        assert (grants[used["grant"]]["quantity"], grants[used["grant"]]["remaining"]) == (5, 4)
        adjustment = next(g for g in grants.values() if g["offer"] is None)
        assert adjustment["expired_at"] and adjustment["quantity"] == 2
        adjusted = next(e for e in data["credit_ledger"] if e["kind"] == "adjust")
        assert adjusted["reason"] == "Goodwill: session cut short"
        assert adjusted["by"] == {"role": "clinic_admin"}
        (entry,) = data["waitlist"]
        assert (entry["therapist"], entry["earliest"], entry["left_reason"]) == (
            "Lucía Martín",
            "08:00:00",
            "booked",
        )
        (offer,) = entry["offers"]
        assert (offer["state"], offer["session"]) == ("claimed", everything.pk)
        text = json.dumps(data)
        assert "lucia@clinic.test" not in text and "admin@clinic.test" not in text


class TestDeletion:
    def test_deleting_keeps_sessions_anonymised_and_removes_the_rest(self, alice, history):
        user_id, runner_id = alice.user_id, alice.pk
        runner_account_delete(runner=alice)

        user = User.objects.get(pk=user_id)
        assert not user.is_active and not user.has_usable_password()
        assert user.email.endswith("@deleted.invalid")
        assert user.first_name == "" and user.last_name == ""
        runner = Runner.objects.get(pk=runner_id)
        assert runner.health_notes == "" and runner.phone == "" and runner.discomfort_areas == []
        assert runner.cadence == "off" and not runner.reminders_opt_in
        assert not Race.objects.filter(runner_id=runner_id).exists()
        assert not Training.objects.filter(runner_id=runner_id).exists()
        assert not Reminder.objects.filter(runner_id=runner_id).exists()

        past = Session.objects.get(pk=history["past"].pk)
        assert past.status == Session.Status.ATTENDED  # the clinic's record stays
        assert past.areas_treated == {"calves": "left", "hamstrings": "both"}
        assert past.discomfort_before is None and past.discomfort_after is None
        assert past.runner_note == "" and past.therapist_note == "" and past.discomfort_areas == []
        assert SessionEvent.objects.get(session=past, kind="booked").data == {}
        upcoming = Session.objects.get(pk=history["upcoming"].pk)
        assert upcoming.status == Session.Status.CANCELLED  # the slot is free again
        assert upcoming.events.filter(kind="cancelled", data__reason="account_deleted").exists()

        # Bob is untouched.
        assert Session.objects.get(pk=history["bobs"].pk).status == Session.Status.BOOKED
        assert Race.objects.filter(runner__user__email="bob@runners.test").count() == 1
        assert NOTE not in json.dumps(runner_data_export(runner=runner))

    def test_the_clinic_keeps_its_billing_records_and_the_waitlist_goes(self, alice, everything):
        books = {
            model: sorted(model.objects.filter(**{path: alice}).values_list("pk", flat=True))
            for model, path in (
                (Sale, "runner"),
                (Payment, "sale__runner"),
                (CreditGrant, "runner"),
                (LedgerEntry, "runner"),
            )
        }
        assert all(books.values())
        assert WaitlistEntry.objects.filter(runner=alice).exists()

        runner_account_delete(runner=alice)

        # The bookkeeping stays whole, pointing at the anonymous placeholder.
        for model, pks in books.items():
            assert sorted(model.objects.filter(pk__in=pks).values_list("pk", flat=True)) == pks
        placeholder = Runner.objects.select_related("user").get(pk=alice.pk)
        assert placeholder.user.email.endswith("@deleted.invalid")
        assert set(Sale.objects.filter(pk__in=books[Sale]).values_list("runner", flat=True)) == {
            alice.pk
        }
        assert Payment.objects.get(reference="TPV-0042").amount == Decimal("150.00")
        # No month is charged to a deleted account.
        assert set(Membership.objects.filter(runner=alice).values_list("status", flat=True)) == {
            "ended"
        }
        assert not WaitlistEntry.objects.filter(runner=alice).exists()
        assert not WaitlistOffer.objects.filter(runner=alice).exists()

    def test_the_admin_log_keeps_what_staff_did_but_no_longer_names_the_runner(
        self, alice, bob, history, superuser
    ):
        request = RequestFactory().post("/admin/")
        request.user = superuser
        race = history["races"][0]
        registry = admin.site._registry
        registry[Runner].log_change(
            request,
            alice,
            [
                {"changed": {"fields": ["Health notes"]}},
                {"added": {"name": "race", "object": str(race)}},
            ],
        )
        registry[User].log_change(request, alice.user, [{"changed": {"fields": ["First name"]}}])
        registry[Session].log_change(request, history["past"], [{"changed": {"fields": ["End"]}}])
        registry[Race].log_addition(request, race, [{"added": {}}])
        registry[Runner].log_change(request, bob, [{"changed": {"fields": ["Phone"]}}])
        about_alice = LogEntry.objects.exclude(object_repr__startswith="Bob")
        before = list(about_alice.order_by("pk").values_list("pk", "action_flag", "object_id"))
        assert "Alice" in " ".join(e.object_repr for e in about_alice)

        runner_account_delete(runner=alice)

        entries = LogEntry.objects.filter(pk__in=[pk for pk, *_ in before]).order_by("pk")
        # The clinic's audit trail is whole: who did what to which row, and when.
        assert [(e.pk, e.action_flag, e.object_id) for e in entries] == before
        assert all(e.user_id == superuser.pk for e in entries)
        text = json.dumps([[e.object_repr, e.change_message] for e in entries])
        for name in ("Alice", "alice@runners.test", "Valencia", "Runner with"):
            assert name not in text
        runner_entry = entries.get(content_type__model="runner")
        assert runner_entry.object_repr == f"deleted runner #{alice.pk}"
        assert json.loads(runner_entry.change_message) == [
            {"changed": {"fields": ["Health notes"]}},
            {"added": {"name": "race", "object": f"race of deleted runner #{alice.pk}"}},
        ]
        assert entries.get(content_type__model="session").object_repr == (
            f"session #{history['past'].pk} of deleted runner #{alice.pk}"
        )
        assert LogEntry.objects.get(object_repr__startswith="Bob").object_id == str(bob.pk)

    def test_through_the_page_with_password_then_login_is_impossible(
        self, persona, client, alice, history
    ):
        client = persona("alice").page
        other_device = client.__class__()
        other_device.force_login(alice.user)
        response = client.post(
            "/account/privacy/delete/", {"password": PASSWORD, "confirm": "on"}, follow=True
        )
        assert response.status_code == 200
        assert "Your account has been deleted" in response.content.decode()
        assert "_auth_user_id" not in client.session
        # The other device is signed out on its next request.
        assert not other_device.get("/").wsgi_request.user.is_authenticated
        # Neither the old e-mail nor the password lets anyone in again.
        assert not client.login(email="alice@runners.test", password=PASSWORD)
        client.post("/accounts/login/", {"login": "alice@runners.test", "password": PASSWORD})
        assert "_auth_user_id" not in client.session

    def test_a_wrong_password_or_no_confirmation_changes_nothing(
        self, persona, client, alice, history
    ):
        client = persona("alice").page
        wrong = client.post("/account/privacy/delete/", {"password": "nope", "confirm": "on"})
        assert wrong.status_code == 400
        unconfirmed = client.post("/account/privacy/delete/", {"password": PASSWORD})
        assert unconfirmed.status_code == 400
        alice.refresh_from_db()
        assert alice.health_notes == NOTE and alice.user.is_active
        assert Race.objects.filter(runner=alice).count() == 2

    def test_deletion_is_a_post(self, persona, client, alice):
        client = persona("alice").page
        assert client.get("/account/privacy/delete/").status_code == 405

    def test_through_the_api_the_token_dies_too(self, client, alice, history):
        token, key = token_create(user=alice.user, device="Alice's phone")
        auth = {"HTTP_AUTHORIZATION": f"Token {key}"}
        refused = client.post(
            "/api/v1/me/delete/",
            {"password": PASSWORD, "confirm": False},
            content_type="application/json",
            **auth,
        )
        assert refused.status_code == 400 and refused.json()["code"] == "not_confirmed"
        wrong = client.post(
            "/api/v1/me/delete/",
            {"password": "nope", "confirm": True},
            content_type="application/json",
            **auth,
        )
        assert wrong.status_code == 400
        ok = client.post(
            "/api/v1/me/delete/",
            {"password": PASSWORD, "confirm": True},
            content_type="application/json",
            **auth,
        )
        assert ok.status_code == 204
        assert client.get("/api/v1/me/data/", **auth).status_code == 401
        assert not ApiToken.objects.filter(pk=token.pk).exists()

    def test_a_failure_halfway_leaves_the_account_as_it_was(self, alice, history, monkeypatch):
        def explode(user):
            raise RuntimeError("disk full")

        monkeypatch.setattr(account, "_anonymise_user", explode)
        with pytest.raises(RuntimeError):
            runner_account_delete(runner=alice)
        alice.refresh_from_db()
        assert alice.health_notes == NOTE
        assert Race.objects.filter(runner=alice).count() == 2
        assert Session.objects.get(pk=history["upcoming"].pk).status == Session.Status.BOOKED


def test_deleting_forgets_the_idempotency_fingerprint(alice, therapist, service):
    """The fingerprint hashes the booking request, the runner's note included."""
    from booking.engine.services import session_book

    start = timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(days=30)
    while start.astimezone(therapist.clinic.tz).weekday() > 4:
        start += timedelta(days=1)
    start = start.astimezone(therapist.clinic.tz).replace(hour=10)
    session = session_book(
        runner=alice,
        service=service,
        therapist=therapist,
        start=start,
        by=alice.user,
        runner_note=NOTE,
        idempotency_key="k-1",
    )
    assert session.idempotency_fingerprint
    runner_account_delete(runner=alice)
    session.refresh_from_db()
    assert session.idempotency_key is None and session.idempotency_fingerprint == ""
