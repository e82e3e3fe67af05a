"""The waitlist API (`GET/POST/DELETE /api/v1/waitlist/`), the runner's page, the staff's
day list and their offer by hand: what each person sees and may do, the codes of a bad
request, and the query counts of the lists."""

from datetime import date, time

import pytest

from booking.engine import waitlist
from booking.models import FreedTime, WaitlistEntry
from devtools.factories import RunnerFactory, ServiceFactory, UserFactory
from tests.booking.waitlist.conftest import WED_10

pytestmark = pytest.mark.usefixtures("clock")

BODY = {"first_day": "2026-12-01", "last_day": "2026-12-04", "earliest": "17:00", "latest": "20:00"}


def test_a_runner_joins_lists_and_leaves_through_the_api(persona, service, alice):
    api = persona("alice").api
    made = api.post("/api/v1/waitlist/", {**BODY, "service": service.pk}, format="json")
    assert made.status_code == 201, made.content
    assert made.json()["earliest"] == "17:00:00"
    listed = api.get("/api/v1/waitlist/").json()
    assert [e["id"] for e in listed["results"]] == [made.json()["id"]]
    assert api.delete(f"/api/v1/waitlist/{made.json()['id']}/").status_code == 204
    assert api.get("/api/v1/waitlist/").json()["results"] == []
    assert WaitlistEntry.objects.get().left_reason == "removed"


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"earliest": "20:00", "latest": "17:00"}, 400, "waitlist_times_reversed"),
        ({"first_day": "2026-12-04", "last_day": "2026-12-01"}, 400, "waitlist_days_reversed"),
        ({"first_day": "2025-01-01"}, 400, "waitlist_in_the_past"),
        ({"earliest": "nine"}, 400, "invalid"),
    ],
)
def test_bad_input_is_a_400_with_its_code(persona, service, alice, change, status, code):
    answer = persona("alice").api.post(
        "/api/v1/waitlist/", {**BODY, "service": service.pk, **change}, format="json"
    )
    assert answer.status_code == status, answer.content
    assert answer.json()["code"] == code
    assert answer.json()["detail"]


def test_another_clinics_therapist_is_refused(persona, service, alice, other_therapist):
    answer = persona("alice").api.post(
        "/api/v1/waitlist/",
        {**BODY, "service": service.pk, "therapist": other_therapist.pk},
        format="json",
    )
    assert answer.status_code == 400
    assert answer.json()["code"] == "therapist_other_clinic"


def test_each_sees_only_their_own_or_their_clinics(
    persona, service, alice, bob, join, other_clinic, other_therapist
):
    mine = join(alice)
    join(bob)
    foreign = RunnerFactory(clinic=other_clinic, user=UserFactory(email="f@runners.test"))
    join(foreign, service=ServiceFactory(clinic=other_clinic))
    assert [e["id"] for e in persona("alice").api.get("/api/v1/waitlist/").json()["results"]] == [
        mine.pk
    ]
    staff = persona("therapist").api.get("/api/v1/waitlist/").json()["results"]
    assert {e["runner"] for e in staff} == {alice.pk, bob.pk}
    assert persona("bob").api.delete(f"/api/v1/waitlist/{mine.pk}/").status_code == 404
    assert persona("other_therapist").api.delete(f"/api/v1/waitlist/{mine.pk}/").status_code == 404
    # Staff do not join lists themselves.
    staff_join = persona("therapist").api.post(
        "/api/v1/waitlist/", {**BODY, "service": service.pk}, format="json"
    )
    assert staff_join.status_code == 403


def test_the_api_list_has_a_fixed_number_of_queries(
    persona, service, join, make_runners, django_assert_num_queries
):
    api = persona("therapist").api
    for runner in make_runners(3, prefix="x"):
        join(runner)
    api.get("/api/v1/waitlist/")  # warm the session/user caches
    with django_assert_num_queries(2) as few:  # the count and the page
        api.get("/api/v1/waitlist/")
    for runner in make_runners(10, prefix="y"):
        join(runner)
    with django_assert_num_queries(len(few)):
        api.get("/api/v1/waitlist/")


def test_the_runner_page_joins_and_leaves(persona, service, alice):
    page = persona("alice").page
    shown = page.get("/waitlist/")
    assert shown.status_code == 200
    assert "Join the waitlist" in shown.content.decode()
    joined = page.post(
        "/waitlist/",
        {
            "service": service.pk,
            "first_day": "2026-12-01",
            "last_day": "2026-12-04",
            "earliest": "17:00",
            "latest": "20:00",
        },
        follow=True,
    )
    assert "You are on the waitlist" in joined.content.decode()
    entry = WaitlistEntry.objects.get(runner=alice)
    refused = page.post(
        "/waitlist/",
        {
            "service": service.pk,
            "first_day": "2026-12-02",
            "last_day": "2026-12-03",
            "earliest": "17:00",
            "latest": "20:00",
        },
    )
    assert refused.status_code == 400
    assert "already waiting" in refused.content.decode()
    page.post(f"/waitlist/{entry.pk}/leave/")
    entry.refresh_from_db()
    assert entry.left_reason == "removed"


def test_the_runner_page_speaks_spanish(persona, alice):
    page = persona("alice").page
    page.cookies["django_language"] = "es"
    body = page.get("/waitlist/").content.decode()
    assert "Lista de espera" in body


def test_staff_see_the_day_in_join_order_and_offer_a_time_by_hand(
    persona, service, therapist, join, make_runners, django_assert_max_num_queries
):
    first, second = make_runners(2)
    join(first)
    join(second, earliest=time(16))
    page = persona("therapist").page
    with django_assert_max_num_queries(20):
        body = page.get("/staff/waitlist/?date=2026-12-02").content.decode()
    assert body.index("Runner0") < body.index("Runner1")
    for runner in make_runners(8, prefix="z"):
        join(runner)
    with django_assert_max_num_queries(20):
        page.get("/staff/waitlist/?date=2026-12-02")

    entry = WaitlistEntry.objects.get(runner=first)
    slot = f"{therapist.pk}|{WED_10.isoformat()}"
    done = page.post(
        f"/staff/waitlist/{entry.pk}/offer/", {"slot": slot, "date": "2026-12-02"}, follow=True
    )
    assert "Offered to" in done.content.decode()
    freed = FreedTime.objects.get(reason="by_hand")
    assert freed.entry == entry
    offers = waitlist.make_offers(freed.pk)
    assert len(offers) == 1  # to that runner only


def test_staff_of_another_clinic_cannot_offer(persona, service, join, alice, therapist):
    entry = join(alice)
    answer = persona("other_therapist").page.post(
        f"/staff/waitlist/{entry.pk}/offer/",
        {"slot": f"{therapist.pk}|{WED_10.isoformat()}"},
    )
    assert answer.status_code == 404
    assert not FreedTime.objects.exists()


def test_a_by_hand_offer_that_breaks_a_rule_says_why(persona, service, therapist, join, alice):
    entry = join(alice, first_day=date(2026, 12, 1))
    saturday = WED_10.replace(day=5)
    answer = persona("therapist").page.post(
        f"/staff/waitlist/{entry.pk}/offer/",
        {"slot": f"{therapist.pk}|{saturday.isoformat()}"},
        follow=True,
    )
    assert "does not work at that time" in answer.content.decode()
    assert not FreedTime.objects.exists()
