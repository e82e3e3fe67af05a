"""No account enumeration: signing up or asking for a password reset answers the same
whether the address has an account or not; the address's owner is told by e-mail.

Sign-up used to say "A user is already registered with this email address."
"""

import re

import pytest
from django.test import Client

from clinic.models import User
from devtools.factories import PASSWORD

pytestmark = pytest.mark.django_db

SIGNUP = "/accounts/signup/"
RESET = "/accounts/password/reset/"
NEW_PASSWORD = "a-long-pass-phrase"
GIVEAWAYS = ("already", "taken", "registered", "exists", "unknown", "no account", "not assigned")


def _as_seen(client: Client, response, email: str) -> tuple:
    """What the person at the keyboard sees: every page the answer leads to, with the CSRF
    token and the address they typed set aside."""
    pages = []
    while response.status_code in (301, 302):
        pages.append((response.status_code, response["Location"]))
        response = client.get(response["Location"])
    html = re.sub(r'value="[A-Za-z0-9]{64}"', "", response.content.decode()).replace(email, "@")
    pages.append((response.status_code, html))
    return tuple(pages)


def _sign_up(email: str, lang: str = "en"):
    client = Client()
    client.cookies["django_language"] = lang
    response = client.post(
        SIGNUP, {"first_name": "Pablo", "email": email, "password1": NEW_PASSWORD}
    )
    return _as_seen(client, response, email)


def _reset(email: str, lang: str = "en"):
    client = Client()
    client.cookies["django_language"] = lang
    return _as_seen(client, client.post(RESET, {"email": email}), email)


def test_signing_up_with_a_taken_address_looks_exactly_like_a_fresh_sign_up(
    alice, clinic, mailoutbox
):
    fresh = _sign_up("new@runners.test")
    taken = _sign_up(alice.user.email)
    assert taken == fresh
    assert fresh[0] == (302, "/accounts/confirm-email/")
    seen = taken[-1][1].lower()
    assert not any(word in seen for word in GIVEAWAYS), seen
    # The new address is asked to confirm itself; the owner of the taken one is told.
    to_new, to_alice = mailoutbox
    assert to_new.to == ["new@runners.test"] and "Confirm your e-mail address" in to_new.subject
    assert to_alice.to == [alice.user.email]
    assert "Someone tried to sign up with your e-mail address" in to_alice.subject
    assert "no new account was made and nothing in yours has changed" in to_alice.body
    assert "/accounts/password/reset/" in to_alice.body
    # Alice's account is as it was.
    alice.user.refresh_from_db()
    assert alice.user.check_password(PASSWORD) and not alice.user.check_password(NEW_PASSWORD)
    assert User.objects.filter(email__iexact=alice.user.email).count() == 1


def test_the_owner_is_told_in_their_own_language(alice, clinic, mailoutbox):
    alice.user.language = "es"
    alice.user.save()
    _sign_up(alice.user.email, lang="en")
    (mail,) = mailoutbox
    assert "Alguien ha intentado registrarse con tu dirección de correo" in mail.subject
    assert "Ya tienes una, así que no se ha creado ninguna cuenta nueva" in mail.body
    html, kind = mail.alternatives[0]
    assert kind == "text/html" and 'lang="es"' in html and "Ya tienes una" in html


def test_a_password_reset_for_an_unknown_address_looks_like_one_for_a_known_address(
    alice, mailoutbox
):
    known = _reset(alice.user.email)
    unknown = _reset("nobody@runners.test")
    assert unknown == known
    assert known[0] == (302, "/accounts/password/reset/done/")
    seen = unknown[-1][1].lower()
    assert not any(word in seen for word in GIVEAWAYS), seen
    to_alice, to_nobody = mailoutbox
    assert to_alice.to == [alice.user.email] and "Choose a new password" in to_alice.subject
    assert "/accounts/password/reset/key/" in to_alice.body
    assert to_nobody.to == ["nobody@runners.test"]
    assert "There is no account with this e-mail address" in to_nobody.subject
    assert "/accounts/signup/" in to_nobody.body


def test_the_reset_e_mails_are_in_spanish_too(alice, mailoutbox):
    alice.user.language = "es"
    alice.user.save()
    _reset(alice.user.email, lang="en")
    _reset("nadie@runners.test", lang="es")
    to_alice, to_nobody = mailoutbox
    assert "Elige una nueva contraseña" in to_alice.subject
    assert "tu contraseña sigue siendo la misma" in to_alice.body
    assert "No hay ninguna cuenta con esta dirección de correo" in to_nobody.subject
    assert "quizá te registraste con otra dirección" in to_nobody.body


def test_a_fresh_sign_up_confirms_its_address_and_is_signed_in(clinic, mailoutbox):
    client = Client()
    client.cookies["django_language"] = "es"
    client.post(
        SIGNUP,
        {"first_name": "Nuria", "email": "nueva@runners.test", "password1": NEW_PASSWORD},
    )
    (mail,) = mailoutbox
    assert "Confirma tu dirección de correo" in mail.subject
    assert "Para terminar de registrarte con nueva@runners.test" in mail.body
    link = re.search(r"http://testserver(/accounts/confirm-email/\S+/)", mail.body)[1]
    assert client.post(link).status_code == 302
    assert client.get("/profile/").status_code == 200
