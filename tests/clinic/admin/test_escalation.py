"""The attacks from the issue, as a clinic admin (or a therapist) would try them.

1. Take over the superuser: attach it (or another clinic's user) as a therapist of one's
   clinic, then open its password form. With the demo data, the superuser belongs to
   clinic 1, so clinic 1's admin would reach its password form directly.
2. Read another clinic's health notes: point a session at that clinic's runner, then open
   it on the staff pages. A therapist, whose account has no clinic, would not be limited
   at all.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from booking.models import Session
from clinic.models import Therapist, User
from devtools.factories import SessionFactory, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-new-Password-4-takeover"


def therapist_form(user, clinic, name="New colleague"):
    data = {
        "user": user.pk,
        "clinic": clinic.pk,
        "display_name": name,
        "qualifications": "",
        "specialties": "",
        "bio": "",
        "active": "on",
    }
    for prefix in ("hours", "time_off"):
        data |= {
            f"{prefix}-TOTAL_FORMS": "0",
            f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "1000",
        }
    return data


def take_over(client, user) -> int:
    """Try to set the user's password through the admin; the status code."""
    address = reverse("admin:auth_user_password_change", args=[user.pk])
    response = client.post(
        address, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"}
    )
    return response.status_code


def password_unchanged(user) -> bool:
    user.refresh_from_db()
    return not user.check_password(NEW_PASSWORD)


@pytest.mark.parametrize("victim", ["superuser", "therapist_a", "runner_a"])
def test_clinic_b_admin_cannot_attach_someone_outside_their_clinic_as_therapist(
    as_persona, world, victim
):
    client = as_persona("admin_b")
    target = world.users[victim]
    response = client.post(
        reverse("admin:clinic_therapist_add"), therapist_form(target, world.b.clinic)
    )
    assert response.status_code == 200  # the form again, with its error
    assert "user" in response.context["adminform"].form.errors
    assert not Therapist.objects.filter(user=target, clinic=world.b.clinic).exists()
    # ... so the user is not in clinic B's user list, and its password form is closed.
    users = client.get(reverse("admin:clinic_user_changelist"))
    assert target not in users.context["cl"].result_list
    assert take_over(client, target) in (403, 404)
    assert password_unchanged(target)


def test_clinic_b_admin_can_attach_a_user_of_their_own_clinic(as_persona, world):
    """The negative control: the same form works for someone of the admin's clinic."""
    client = as_persona("admin_b")
    colleague = UserFactory(email="new@zebu.test", role=User.Role.THERAPIST, clinic=world.b.clinic)
    response = client.post(
        reverse("admin:clinic_therapist_add"), therapist_form(colleague, world.b.clinic)
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Therapist.objects.filter(user=colleague, clinic=world.b.clinic).exists()


def test_the_superusers_own_clinic_admin_cannot_open_its_password_form(as_persona, world):
    """The demo data's superuser belongs to clinic A: clinic A's admin still cannot see it."""
    assert world.superuser.clinic_id == world.a.clinic.pk
    client = as_persona("admin_a")
    address = reverse("admin:auth_user_password_change", args=[world.superuser.pk])
    assert client.get(address).status_code in (403, 404)
    assert take_over(client, world.superuser) in (403, 404)
    assert password_unchanged(world.superuser)
    change = client.get(reverse("admin:clinic_user_change", args=[world.superuser.pk]))
    assert change.status_code == 302 and change["Location"] == reverse("admin:index")


def test_a_clinic_admin_manages_their_runners_but_not_a_fellow_admin(as_persona, world):
    fellow = UserFactory(
        email="second-admin@quokka.test",
        role=User.Role.CLINIC_ADMIN,
        clinic=world.a.clinic,
        is_staff=True,
    )
    client = as_persona("admin_a")
    assert take_over(client, fellow) == 403
    assert password_unchanged(fellow)
    assert take_over(client, world.a.runner.user) == 302
    assert not password_unchanged(world.a.runner.user)


def test_a_clinic_admin_cannot_set_staff_or_superuser_flags(as_persona, world):
    client = as_persona("admin_a")
    runner_user = world.a.runner.user
    response = client.post(
        reverse("admin:clinic_user_change", args=[runner_user.pk]),
        {
            "email": runner_user.email,
            "first_name": "Quokka",
            "last_name": "Runner",
            "language": "en",
            "role": "runner",
            "clinic": "",
            "is_active": "on",
            "is_staff": "on",
            "is_superuser": "on",
            "groups": [g.pk for g in world.a.admin.groups.all()],
        },
    )
    assert response.status_code == 302
    runner_user.refresh_from_db()
    assert not runner_user.is_staff and not runner_user.is_superuser
    assert not runner_user.groups.exists()
    page = client.get(reverse("admin:clinic_user_change", args=[runner_user.pk])).content
    for flag in (b'name="is_staff"', b'name="is_superuser"', b'name="groups"'):
        assert flag not in page


def session_form(runner, therapist, service, start):
    # A clinic's admin types the clinic's wall-clock time (clinic.admin_site).
    start = start.astimezone(therapist.clinic.tz)
    return {
        "runner": runner.pk,
        "therapist": therapist.pk,
        "service": service.pk,
        "start_0": start.strftime("%Y-%m-%d"),
        "start_1": start.strftime("%H:%M:%S"),
        "discomfort_areas": "[]",
        "runner_note": "",
        "race_override_reason": "",
    }


def next_weekday_at(hour_utc: int):
    day = timezone.now() + timedelta(days=7)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day.replace(hour=hour_utc, minute=0, second=0, microsecond=0)


def test_clinic_b_admin_cannot_book_clinic_a_runner(as_persona, world):
    client = as_persona("admin_b")
    b, runner_a = world.b, world.a.runner
    start = next_weekday_at(9)  # 10:00 or 11:00 in Madrid: working hours
    response = client.post(
        reverse("admin:booking_session_add"),
        session_form(runner_a, b.therapist, b.service, start),
    )
    assert response.status_code == 200
    assert "runner" in response.context["adminform"].form.errors
    assert not Session.objects.filter(runner=runner_a, clinic=b.clinic).exists()
    # Nothing on clinic B's staff pages shows A's runner's health notes.
    client.force_login(b.therapist.user)
    agenda = client.get(reverse("staff:agenda") + f"?day={start.date().isoformat()}")
    assert world.a.runner.health_notes not in agenda.content.decode()


def test_clinic_b_admin_cannot_move_a_session_to_clinic_a_runner(as_persona, world):
    """The runner of a booked session is not a field one changes (read-only). The post
    carries every field the admin's session form ever had."""
    b = world.b
    start = next_weekday_at(9)
    session = SessionFactory(runner=b.runner, therapist=b.therapist, service=b.service, start=start)
    client = as_persona("admin_b")
    address = reverse("admin:booking_session_change", args=[session.pk])
    assert 'name="runner"' not in client.get(address).content.decode()
    end = session.end
    client.post(
        address,
        session_form(world.a.runner, b.therapist, b.service, start)
        | {
            "clinic": b.clinic.pk,
            "end_0": end.strftime("%Y-%m-%d"),
            "end_1": end.strftime("%H:%M:%S"),
            "status": "booked",
            "price": "45.00",
            "areas_treated": "{}",
            "mobilisation_done": "unknown",
            "therapist_note": "",
            "idempotency_key": "",
            "rescheduled_from": "",
            "race_override_by": "",
            "events-TOTAL_FORMS": "0",
            "events-INITIAL_FORMS": "0",
            "events-MIN_NUM_FORMS": "0",
            "events-MAX_NUM_FORMS": "0",
        },
    )
    session.refresh_from_db()
    assert session.runner_id == b.runner.pk


@pytest.mark.parametrize("persona", ["therapist_a", "therapist_b", "runner_a"])
def test_therapists_and_runners_have_no_admin(as_persona, world, persona):
    client = as_persona(persona)
    session = world.a.session
    assert client.get(reverse("admin:index")).status_code == 403
    change = reverse("admin:booking_session_change", args=[session.pk])
    assert client.get(change).status_code == 403
    # Moving clinic A's session into clinic B's agenda.
    moved = session.start + timedelta(days=1)
    response = client.post(
        change,
        {
            "therapist": world.b.therapist.pk,
            "start_0": moved.strftime("%Y-%m-%d"),
            "start_1": moved.strftime("%H:%M:%S"),
            "status": "booked",
        },
    )
    assert response.status_code == 403
    session.refresh_from_db()
    assert session.therapist_id == world.a.therapist.pk and session.clinic_id == world.a.clinic.pk


def test_the_admin_link_is_shown_only_to_those_who_may_use_the_admin(as_persona, world):
    admin_link = f'href="{reverse("admin:index")}"'
    therapist_page = as_persona("therapist_a").get(reverse("staff:agenda"))
    assert therapist_page.status_code == 200
    assert admin_link not in therapist_page.content.decode()
    admin_page = as_persona("admin_a").get(reverse("staff:agenda"))
    assert admin_link in admin_page.content.decode()


def test_a_clinic_admin_without_a_clinic_is_refused(as_persona, world):
    admin = world.a.admin
    admin.clinic = None
    admin.save(update_fields=["clinic"])
    client = as_persona("admin_a")
    assert client.get(reverse("admin:index")).status_code == 403


def test_someone_a_clinic_admin_adds_belongs_to_their_clinic(as_persona, world):
    client = as_persona("admin_b")
    response = client.post(
        reverse("admin:clinic_user_add"),
        {
            "email": "new-colleague@zebu.test",
            "role": "therapist",
            "password1": "a-long-Password-2",
            "password2": "a-long-Password-2",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302
    added = User.objects.get(email="new-colleague@zebu.test")
    assert added.clinic_id == world.b.clinic.pk and not added.is_staff
    users = client.get(reverse("admin:clinic_user_changelist")).context["cl"].result_list
    assert added in users
