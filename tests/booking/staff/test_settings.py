"""Staff settings: a profile page whose language is kept across sign-ins, no Django admin
link for therapists, and the admin in the clinic's time zone."""

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from clinic.permissions import CLINIC_ADMINS, ensure_role_groups
from devtools.factories import PASSWORD
from tests.booking.staff.conftest import at

pytestmark = pytest.mark.django_db

NOW = at(2026, 11, 18, 9)


@pytest.mark.clock(NOW)
def test_the_language_chosen_on_the_profile_is_kept_across_sign_ins(persona, client, therapist):
    page = persona("therapist").page
    r = page.get(reverse("staff:profile"))
    assert r.status_code == 200 and "lucia@clinic.test" in r.content.decode()
    r = page.post(
        reverse("staff:profile"), {"first_name": "Lucía", "last_name": "Martín", "language": "xx"}
    )
    assert r.status_code == 400
    r = page.post(
        reverse("staff:profile"), {"first_name": "Lucía", "last_name": "Martín", "language": "es"}
    )
    assert r.status_code == 302 and r.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    therapist.user.refresh_from_db()
    assert (therapist.user.first_name, therapist.user.language) == ("Lucía", "es")
    # Another browser, no cookie: signing in brings the language back.
    other = Client()
    r = other.post(reverse("account_login"), {"login": "lucia@clinic.test", "password": PASSWORD})
    assert r.status_code == 302 and r.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    html = other.get(reverse("staff:agenda")).content.decode()
    assert 'lang="es"' in html and "Tus ajustes" in html


@pytest.mark.clock(NOW)
def test_only_who_may_use_the_django_admin_sees_its_link(persona, client, therapist, clinic_admin):
    admin_url = f'href="{reverse("admin:index")}"'
    assert admin_url not in persona("therapist").page.get(reverse("staff:agenda")).content.decode()
    assert (
        admin_url in persona("clinic_admin").page.get(reverse("staff:dashboard")).content.decode()
    )


@pytest.mark.clock(NOW)
def test_the_django_admin_shows_the_clinics_time_zone(
    persona, client, clinic_admin, superuser, make_session
):
    ensure_role_groups()
    clinic_admin.groups.add(Group.objects.get(name=CLINIC_ADMINS))
    s = make_session(at(2026, 11, 20, 10))  # 10:00 in Madrid, 09:00 UTC
    url = reverse("admin:booking_session_change", args=[s.pk])
    html = persona("clinic_admin").page.get(url).content.decode()
    assert 'name="start_1" value="10:00:00"' in html
    html = persona("superuser").page.get(url).content.decode()
    assert 'name="start_1" value="09:00:00"' in html
