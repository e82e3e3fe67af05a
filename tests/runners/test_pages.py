"""Public and runner pages (no booking engine needed): home, accounts, profile, self-care,
errors; in English and Spanish."""

import re

import pytest
from django.urls import reverse

from clinic.models import User
from devtools.factories import ServiceFactory, UserFactory
from runners.models import Runner

pytestmark = pytest.mark.django_db


def test_home_shows_services_with_areas_and_prices_therapists_and_advice(
    client, clinic, service, therapist
):
    ServiceFactory(clinic=clinic, name="Full unloading", price="55.00", body_areas=["lumbar"])
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Unloading massage" in html and "45.00 EUR" in html
    assert "Legs, Glutes" in html and "Lumbar" in html
    assert "Lucía Martín" in html and "MSc sports physiotherapy" in html
    assert "Book a session" in html
    assert "Never right after a race" in html
    assert "does not replace the massage" in html


def test_home_in_spanish_from_the_browser(client, clinic, service):
    response = client.get("/", headers={"accept-language": "es"})
    html = response.content.decode()
    assert 'lang="es"' in html
    assert "Reservar una sesión" in html
    assert "Piernas, Glúteos" in html


def test_language_switcher_sets_spanish(client, clinic):
    response = client.post(reverse("set_language"), {"language": "es", "next": "/"})
    assert response.status_code == 302
    assert "Masaje de descarga para corredores" in client.get("/").content.decode()


def test_signup_creates_a_runner_and_logs_in_once_the_address_is_confirmed(
    client, clinic, mailoutbox
):
    response = client.post(
        reverse("account_signup"),
        {
            "first_name": "Pablo",
            "email": "new@runner.test",
            "password1": "a-long-pass-phrase",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="new@runner.test")
    assert user.role == User.Role.RUNNER
    assert Runner.objects.get(user=user).clinic == clinic
    # Verification is mandatory (no enumeration at sign-up): signed in after confirming.
    assert client.get(reverse("runners:profile")).status_code == 302
    link = re.search(r"http://testserver(/accounts/confirm-email/\S+/)", mailoutbox[0].body)[1]
    client.post(link)
    assert client.get(reverse("runners:profile")).status_code == 200


@pytest.mark.parametrize(
    "name",
    [
        "account_login",
        "account_signup",
        "account_reset_password",
        "account_reset_password_done",
    ],
)
@pytest.mark.parametrize("lang,word", [("en", "skip-link"), ("es", 'lang="es"')])
def test_account_pages_use_our_layout(client, name, lang, word):
    client.cookies["django_language"] = lang
    response = client.get(reverse(name))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="site-header"' in html and word in html
    assert "<label" in html or name == "account_reset_password_done"


def test_login_page_labels_every_field(client):
    html = client.get(reverse("account_login")).content.decode()
    assert '<label for="id_login"' in html and '<label for="id_password"' in html


def test_failed_logins_are_rate_limited(client, alice):
    for _ in range(5):
        response = client.post(
            reverse("account_login"), {"login": "alice@runners.test", "password": "wrong"}
        )
        assert response.status_code == 200
    response = client.post(
        reverse("account_login"), {"login": "alice@runners.test", "password": "wrong"}
    )
    assert "Too many failed login attempts" in response.content.decode()
    # Even the right password is refused until the limit passes.
    response = client.post(
        reverse("account_login"),
        {"login": "alice@runners.test", "password": "correct-horse-battery"},
    )
    assert "Too many failed login attempts" in response.content.decode()


def test_password_reset_sends_a_mail(client, alice, mailoutbox):
    response = client.post(reverse("account_reset_password"), {"email": "alice@runners.test"})
    assert response.status_code == 302
    assert len(mailoutbox) == 1


def test_runner_pages_need_login(client):
    for name in ("runners:profile", "runners:races", "booking:book", "booking:my_sessions"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert reverse("account_login") in response["Location"]


def test_staff_get_a_friendly_403_on_runner_pages(persona, client, therapist):
    client = persona("therapist").page
    response = client.get(reverse("booking:book"))
    assert response.status_code == 403
    assert "You cannot open this page" in response.content.decode()


def test_404_page_is_friendly_in_spanish(client, settings):
    settings.DEBUG = False
    response = client.get("/no-such-page/", headers={"accept-language": "es"})
    assert response.status_code == 404
    assert "No hemos encontrado esa página" in response.content.decode()


def test_500_page_is_plain_and_bilingual(rf):
    from clinic.views import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert b"Something went wrong" in response.content and b"Algo ha fallado" in response.content


def test_expired_session_on_a_form_says_so(alice):
    from django.test import Client

    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(alice.user)
    response = csrf_client.post(reverse("runners:profile"), {})
    assert response.status_code == 403
    assert "Your session has expired" in response.content.decode()


def test_profile_saves_cadence_notes_and_language(persona, alice, therapist):
    alice_client = persona("alice").page
    response = alice_client.post(
        reverse("runners:profile"),
        {
            "first_name": "Alice",
            "last_name": "Runner",
            "phone": "+34 600 000 000",
            "language": "es",
            "timezone": "Europe/Madrid",
            "cadence": "monthly",
            "reminders_opt_in": "",
            "preferred_therapist": therapist.pk,
            "discomfort_areas": ["legs", "lumbar"],
            "health_notes": "Sore left calf",
        },
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    alice.user.refresh_from_db()
    assert alice.cadence == "monthly" and not alice.reminders_opt_in
    assert alice.preferred_therapist == therapist
    assert alice.discomfort_areas == ["legs", "lumbar"]
    assert alice.health_notes == "Sore left calf"
    assert alice.user.language == "es"
    page = alice_client.get(reverse("runners:profile")).content.decode()
    assert "Tu perfil" in page


def test_profile_rejects_an_unknown_time_zone(persona):
    alice_client = persona("alice").page
    response = alice_client.post(
        reverse("runners:profile"),
        {"language": "en", "timezone": "Mars/Olympus", "cadence": "off"},
    )
    assert response.status_code == 200
    assert "aria-invalid" in response.content.decode()


def test_profile_only_offers_therapists_of_the_runners_clinic(persona, therapist, other_therapist):
    alice_client = persona("alice").page
    html = alice_client.get(reverse("runners:profile")).content.decode()
    assert "Lucía Martín" in html and "João Silva" not in html


def test_health_notes_of_another_runner_are_never_shown(persona, bob):
    alice_client = persona("alice").page
    html = alice_client.get(reverse("runners:profile")).content.decode()
    assert "Bob's private knee note" not in html


@pytest.mark.parametrize(
    "lang,phrase",
    [("en", "Between sessions, not instead of them."), ("es", "Entre sesiones, no en su lugar.")],
)
def test_selfcare_page_lists_routines(client, lang, phrase):
    client.cookies["django_language"] = lang
    html = client.get(reverse("runners:selfcare")).content.decode()
    assert phrase in html
    for slug in ("quadriceps", "calves", "hamstrings", "glutes", "lower-back"):
        assert f'id="{slug}"' in html


def test_a_user_without_runner_profile_gets_one(client, clinic):
    """Issue 13: the read asks for the clinic and writes nothing; the POST makes it."""
    user = UserFactory(email="late@runner.test")
    client.force_login(user)
    assert client.get(reverse("runners:races")).status_code == 200
    assert not Runner.objects.filter(user=user).exists()
    client.post(reverse("runners:races"), {"runner_clinic": clinic.pk})
    assert Runner.objects.filter(user=user).exists()


@pytest.mark.parametrize(
    "lang,word", [("en", "Log in to continue"), ("es", "Inicia sesión para continuar")]
)
def test_login_after_an_expired_session_says_why(client, lang, word):
    client.cookies["django_language"] = lang
    response = client.get(reverse("booking:my_sessions"), follow=True)
    assert word in response.content.decode()


@pytest.mark.parametrize("lang", ["en", "es"])
def test_logged_in_account_pages_use_our_layout(persona, lang):
    alice_client = persona("alice").page
    alice_client.cookies["django_language"] = lang
    for name in ("account_logout", "account_change_password", "account_email"):
        response = alice_client.get(reverse(name))
        html = response.content.decode()
        assert response.status_code == 200, name
        assert 'class="site-header"' in html and f'lang="{lang}"' in html


def test_email_verification_pages(persona, client, alice, mailoutbox):
    from allauth.account.models import EmailAddress

    EmailAddress.objects.filter(user=alice.user).update(verified=False)
    client = persona("alice").page
    response = client.post(reverse("account_email"), {"action_send": "", "email": alice.user.email})
    assert response.status_code in (200, 302)
    assert len(mailoutbox) == 1
    bad = client.get(reverse("account_confirm_email", args=["not-a-key"]))
    assert bad.status_code == 200 and 'class="site-header"' in bad.content.decode()
    assert client.get(reverse("account_email_verification_sent")).status_code == 200


def test_logging_in_brings_back_the_runners_language(client, alice):
    alice.user.language = "es"
    alice.user.save()
    response = client.post(
        reverse("account_login"),
        {"login": "alice@runners.test", "password": "correct-horse-battery"},
    )
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "es"


@pytest.mark.parametrize("lang,word", [("en", "Too many attempts"), ("es", "Demasiados intentos")])
def test_rate_limited_pages_are_friendly(client, rf, lang, word):
    from allauth.core.internal.ratelimit import handler429
    from django.contrib.auth.models import AnonymousUser
    from django.utils import translation

    request = rf.get("/accounts/password/reset/")
    request.user = AnonymousUser()
    with translation.override(lang):
        response = handler429(request)
    assert response.status_code == 429 and word in response.content.decode()


def test_an_expired_session_during_an_htmx_swap_sends_the_page_to_log_in(client, service):
    url = reverse("booking:book_slots", args=[service.pk])
    response = client.get(
        url, headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/book/1/"}
    )
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(reverse("account_login") + "?next=")


def test_home_reminds_a_runner_of_the_next_session(persona, alice, therapist, service):
    alice_client = persona("alice").page
    from datetime import timedelta

    from django.utils import timezone

    from devtools.factories import SessionFactory

    SessionFactory(
        runner=alice, therapist=therapist, service=service, start=timezone.now() + timedelta(days=2)
    )
    html = alice_client.get("/").content.decode()
    assert "Your next session:" in html and "with Lucía Martín" in html
