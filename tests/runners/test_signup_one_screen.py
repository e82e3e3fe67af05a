"""Sign-up in one screen: first name, e-mail, one password, language and a time zone from
a short list of real zones (never "Factory" or "localtime"); the profile page offers the
same short list."""

from email.utils import parseaddr

import pytest
from django.urls import reverse

from clinic.models import User
from runners.zones import COMMON_ZONES, REAL_ZONES

pytestmark = pytest.mark.django_db


def test_the_sign_up_page_is_one_short_form(client, clinic):
    html = client.get(reverse("account_signup")).content.decode()
    for field in ("id_first_name", "id_email", "id_password1", "id_language", "id_timezone"):
        assert f'id="{field}"' in html
    assert "id_password2" not in html
    assert 'data-show="Show"' in html and 'data-hide="Hide"' in html
    assert "data-detect-zone" in html
    assert html.count("<option") < 40
    assert ">Factory<" not in html and "localtime" not in html


def test_signing_up_keeps_the_name_language_and_zone(client, clinic):
    response = client.post(
        reverse("account_signup"),
        {
            "first_name": "Pablo",
            "email": "pablo.corredor@example.com",
            "password1": "a-long-pass-phrase",
            "language": "es",
            "timezone": "America/Mexico_City",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="pablo.corredor@example.com")
    assert user.first_name == "Pablo" and user.language == "es"
    assert user.runner.timezone == "America/Mexico_City"


@pytest.mark.parametrize("zone", ["Factory", "localtime", "posixrules", "Etc/GMT+3", "Mars/Base"])
def test_a_zone_that_is_no_place_is_refused(client, clinic, zone):
    response = client.post(
        reverse("account_signup"),
        {
            "first_name": "Pablo",
            "email": "pablo@example.com",
            "password1": "a-long-pass-phrase",
            "timezone": zone,
        },
    )
    assert response.status_code == 200
    assert "timezone" in response.context["form"].errors
    assert not User.objects.filter(email="pablo@example.com").exists()


def test_a_zone_the_browser_reports_off_the_short_list_is_accepted(client, clinic):
    assert "Asia/Kathmandu" in REAL_ZONES and "Asia/Kathmandu" not in COMMON_ZONES
    response = client.post(
        reverse("account_signup"),
        {
            "first_name": "Ana",
            "email": "ana@example.com",
            "password1": "a-long-pass-phrase",
            "timezone": "Asia/Kathmandu",
        },
    )
    assert response.status_code == 302
    assert User.objects.get(email="ana@example.com").runner.timezone == "Asia/Kathmandu"


def test_the_profile_offers_the_short_list_and_keeps_an_unusual_saved_zone(persona, alice):
    alice.timezone = "Asia/Kathmandu"
    alice.save()
    html = persona("alice").page.get(reverse("runners:profile")).content.decode()
    select = html.split('id="id_timezone"')[1].split("</select>")[0]
    assert select.count("<option") == len(COMMON_ZONES) + 1
    assert 'value="Asia/Kathmandu" selected' in select
    assert "Factory" not in select and "localtime" not in select


def test_the_sign_up_page_in_spanish(client, clinic):
    client.cookies["django_language"] = "es"
    html = client.get(reverse("account_signup")).content.decode()
    assert "Nombre" in html and 'data-show="Mostrar"' in html and "Zona horaria" in html


def test_the_full_zone_list_is_searchable_and_only_real_zones(client, clinic):
    html = client.get(reverse("account_signup")).content.decode()
    url = reverse("runners:time_zones")
    assert f'data-zones="{url}"' in html and "Search all time zones" in html
    zones = dict(client.get(url).json())
    assert zones.keys() == REAL_ZONES and len(zones) > 300
    assert zones["Asia/Kathmandu"] == "Kathmandu (Asia/Kathmandu)"
    assert not {"Factory", "localtime", "posixrules", "Etc/GMT+3"} & zones.keys()


def _sign_up(client, language="es", email="pablo.corredor@example.com"):
    return client.post(
        reverse("account_signup"),
        {
            "first_name": "Pablo",
            "email": email,
            "password1": "a-long-pass-phrase",
            "language": language,
            "timezone": "Europe/Madrid",
        },
    )


def test_the_verification_email_comes_from_the_clinic_in_the_runners_language(
    client, clinic, mailoutbox
):
    _sign_up(client, language="es")
    (message,) = mailoutbox
    assert parseaddr(message.from_email) == (clinic.name, "bookings@demo.clinic")
    assert message.subject == f"[{clinic.name}] Confirma tu dirección de correo"
    assert message.body.startswith("Hola Pablo:")
    assert clinic.name in message.body and "example.com/" not in message.body
    html = message.alternatives[0][0]
    assert "Hola Pablo:" in html and clinic.name in html


def _link(message) -> str:
    return next(w for w in message.body.split() if "/accounts/confirm-email/" in w)


def test_one_tap_confirms_and_signs_in_the_browser_that_signed_up(client, clinic, mailoutbox):
    _sign_up(client)
    response = client.get(_link(mailoutbox[0]))  # a GET: the tap on the link
    assert response.status_code == 302
    user = User.objects.get(email="pablo.corredor@example.com")
    assert user.emailaddress_set.get().verified
    assert client.get(reverse("booking:book")).status_code == 200  # signed in


def test_the_link_opened_elsewhere_confirms_but_does_not_sign_in(client, clinic, mailoutbox):
    from django.test import Client

    _sign_up(client)
    other = Client()
    response = other.get(_link(mailoutbox[0]))
    assert response.status_code == 302
    assert User.objects.get(email="pablo.corredor@example.com").emailaddress_set.get().verified
    assert "/accounts/login/" in other.get(reverse("booking:book")).url
    # The link does one thing only: opened again, it signs no one in either.
    third = Client()
    third.get(_link(mailoutbox[0]))
    assert "/accounts/login/" in third.get(reverse("booking:book")).url
    assert (
        other.post(
            reverse("account_login"),
            {"login": "pablo.corredor@example.com", "password": "a-long-pass-phrase"},
        ).status_code
        == 302
    )
    assert other.get(reverse("booking:book")).status_code == 200


def test_a_forged_link_confirms_nothing(client, clinic, mailoutbox):
    _sign_up(client)
    link = _link(mailoutbox[0])
    response = client.get(link[:-3] + "xyz/")
    assert response.status_code in (200, 404)
    assert not User.objects.get(email="pablo.corredor@example.com").emailaddress_set.get().verified
