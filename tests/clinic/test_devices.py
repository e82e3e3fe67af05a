"""Signed-in devices on the pages: a runner's profile and the staff's account page list
each API sign-in, with a Revoke button each and "Sign out everywhere else", as plain
forms that work without JavaScript."""

from html.parser import HTMLParser

import pytest
from django.test import Client

from clinic.models import ApiToken
from clinic.tokens import token_create

pytestmark = pytest.mark.django_db


class Forms(HTMLParser):
    """The page's POST forms as a browser without JavaScript sees them: action, hidden
    fields and the button's text."""

    def __init__(self, html: str):
        super().__init__()
        self.forms: list[dict] = []
        self._in_button = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("method", "get").lower() == "post":
            self.forms.append({"action": attrs.get("action"), "fields": {}, "button": ""})
        elif self.forms and tag == "input" and attrs.get("type") == "hidden":
            self.forms[-1]["fields"][attrs["name"]] = attrs.get("value", "")
        elif self.forms and tag == "button":
            self._in_button = True

    def handle_endtag(self, tag):
        if tag == "button":
            self._in_button = False

    def handle_data(self, data):
        if self._in_button:
            self.forms[-1]["button"] += data

    def labelled(self, text: str) -> list[dict]:
        return [f for f in self.forms if f["button"].strip().startswith(text)]


def submit(client: Client, form: dict):
    return client.post(form["action"], form["fields"], follow=True)


def api_works(key: str) -> bool:
    return Client().get("/api/v1/sessions/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 200


def test_the_profile_lists_devices_and_revoke_works_without_javascript(persona, client, alice, bob):
    _phone, phone_key = token_create(user=alice.user, device="Alice's phone")
    _laptop, laptop_key = token_create(user=alice.user, device="Training log script")
    token_create(user=bob.user, device="Bob's tablet")
    client = persona("alice").page
    page = client.get("/profile/")
    html = page.content.decode()
    assert "Signed-in devices" in html
    assert "Alice&#x27;s phone" in html and "Training log script" in html
    assert "Bob&#x27;s tablet" not in html
    assert phone_key not in html

    forms = Forms(html)
    revoke = forms.labelled("Revoke")
    assert len(revoke) == 2 and all(f["fields"].get("csrfmiddlewaretoken") for f in revoke)
    phone_form = next(f for f in revoke if "Alice's phone" in f["button"])
    after = submit(client, phone_form)
    assert after.redirect_chain[-1][0].startswith("/profile/")
    text = after.content.decode()
    assert "That device is signed out." in text
    assert "Alice&#x27;s phone" not in text and "Training log script" in text
    assert not api_works(phone_key) and api_works(laptop_key)


def test_sign_out_everywhere_else_keeps_only_this_browser(persona, client, alice):
    _t, key = token_create(user=alice.user, device="phone")
    other_browser = Client()
    other_browser.force_login(alice.user)
    client = persona("alice").page
    (form,) = Forms(client.get("/profile/").content.decode()).labelled("Sign out everywhere else")
    after = submit(client, form)
    assert after.status_code == 200
    assert "Signed out everywhere else. This browser stays signed in." in after.content.decode()
    assert not api_works(key)
    assert not ApiToken.objects.filter(user=alice.user).exists()
    assert other_browser.get("/profile/").status_code == 302  # to the login page
    assert client.get("/profile/").status_code == 200


def test_a_runner_cannot_revoke_someone_elses_device(persona, client, alice, bob):
    token, key = token_create(user=alice.user, device="Alice's phone")
    client = persona("bob").page
    response = client.post(f"/account/devices/{token.pk}/revoke/", {"next": "/profile/"})
    assert response.status_code == 404
    assert api_works(key)


def test_revoke_never_redirects_off_the_site(persona, client, alice):
    token, _key = token_create(user=alice.user, device="phone")
    client = persona("alice").page
    response = client.post(
        f"/account/devices/{token.pk}/revoke/", {"next": "https://evil.example/"}
    )
    assert response.status_code == 302 and response["Location"] == "/account/devices/"


def test_staff_reach_their_devices_from_the_menu(persona, client, therapist):
    _t, key = token_create(user=therapist.user, device="Reception tablet")
    client = persona("therapist").page
    agenda = client.get("/staff/agenda/").content.decode()
    assert 'href="/account/devices/"' in agenda and "Your account" in agenda
    page = client.get("/account/devices/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Reception tablet" in html and "Signed-in devices" in html
    (form,) = Forms(html).labelled("Revoke")
    submit(client, form)
    assert not api_works(key)


def test_the_devices_section_in_spanish(es_client, alice):
    token_create(user=alice.user, device="")
    html = es_client.get("/profile/").content.decode()
    assert "Dispositivos con sesión iniciada" in html
    assert "Dispositivo desconocido" in html
    assert "Cerrar sesión en todos los demás sitios" in html
