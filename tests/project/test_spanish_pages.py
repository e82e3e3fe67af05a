"""Spanish with no gaps: the runner's pages, the staff pages, the admin and the sign-in
pages render in Spanish with none of the strings that used to show in English (labels
never marked or never translated, raw status codes), in formal *usted* (allauth's own
catalogue) or with English-style dates; the calendar file speaks Spanish too."""

import re
from datetime import date

import pytest
from django.urls import reverse

from booking.models import Session
from devtools.factories import PASSWORD, RaceFactory, SessionFactory
from tests.support.page_fixtures import NOW, local

pytestmark = pytest.mark.django_db

FORMERLY_ENGLISH = [
    # Admin and model labels, the booking-policy settings among them.
    "Booking policy",
    "Minimum notice",
    "Maximum days ahead",
    "Cancellation window",
    "Race windows",
    "Personal info",
    "Important dates",
    "Time zone",
    "Working hours",
    "Time off",
    "Status before",
    "What happened",
    # Staff history lines with the raw status codes.
    "Marked no-show",
    "Marked attended",
    "booked →",
    "→ no_show",
    # The calendar file's title and after-care text.
    "Unloading massage with",
    "The day after",
    # The sign-in pages in allauth's formal usted, and the e-mail's "vete a".
    "¿Ha olvidado su contraseña?",
    "Su contraseña",
    "Si aún no ha creado una cuenta",
    "¿Seguro que desea",
    # Django's own form errors and admin, in usted in Django's catalogue.
    "Introduzca",
    "Seleccione",
    "Está seguro",
    "Por favor, corrija",
    "vete a",
    "Enviadme",
]
# "13 Dic" (capitalised month) and "5 diciembre" (no "de") are English habits.
ENGLISH_STYLE_DATE = re.compile(
    r"\b\d{1,2} (Ene|Feb|Mar|Abr|May|Jun|Jul|Ago|Sep|Oct|Nov|Dic)\b"
    r"|\b\d{1,2} (enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre"
    r"|noviembre|diciembre)\b"
)


def visible_text(html: str) -> str:
    html = re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", html)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def assert_spanish(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    body = response.content.decode()
    text = visible_text(body) if "html" in response["Content-Type"] else body
    assert 'lang="es"' in body or "html" not in response["Content-Type"], url
    found = [s for s in FORMERLY_ENGLISH if s in text]
    assert not found, f"{url}: {found}"
    assert not ENGLISH_STYLE_DATE.search(text), f"{url}: {ENGLISH_STYLE_DATE.search(text)}"
    return text


@pytest.fixture
def spanish(persona):
    """A page client for the named persona (None: anonymous) that asks for Spanish."""

    def make(name):
        client = persona(name).page
        client.cookies["django_language"] = "es"
        return client

    return make


@pytest.fixture
def alices_session(alice, therapist, service):
    return SessionFactory(
        runner=alice, therapist=therapist, service=service, start=local(date(2026, 3, 4), 10)
    )


@pytest.mark.clock(NOW)
def test_the_runners_pages_speak_spanish(spanish, alice, service, alices_session):
    RaceFactory(runner=alice, name="Medio Maratón de Madrid", start=local(date(2026, 3, 29), 9))
    client = spanish("alice")
    for url in [
        reverse("home"),
        reverse("booking:book"),
        reverse("booking:book_slots", args=[service.pk]),
        reverse("booking:session_detail", args=[alices_session.pk]),
        reverse("booking:session_cancel", args=[alices_session.pk]),
        reverse("booking:session_reschedule", args=[alices_session.pk]),
        reverse("runners:profile"),
        reverse("runners:races"),
        reverse("runners:race_add"),
        reverse("runners:race_import"),
        reverse("runners:selfcare"),
        reverse("privacy"),
        reverse("account-devices"),
        reverse("account_email"),
        reverse("account_change_password"),
        reverse("account_logout"),
    ]:
        assert_spanish(client, url)
    mine = assert_spanish(client, reverse("booking:my_sessions"))
    assert "miércoles, 4 de marzo, 10:00" in mine
    assert "Rutinas de autocuidado" in mine
    refused = client.post(reverse("runners:race_add"), {"name": "10K", "start": "mañana"})
    assert "Escribe una fecha y hora válidas." in visible_text(refused.content.decode())
    ics = assert_spanish(client, reverse("booking:session_ics", args=[alices_session.pk]))
    assert "Masaje de descarga con Lucía Martín" in ics
    assert "Al día siguiente" in ics


def test_the_sign_in_pages_speak_spanish_with_tu(spanish):
    client = spanish(None)
    login = assert_spanish(client, reverse("account_login"))
    assert "¿Has olvidado tu contraseña?" in login
    assert "Si todavía no tienes cuenta" in login
    signup = assert_spanish(client, reverse("account_signup"))
    assert "Tu contraseña tiene que tener al menos" in signup
    assert "¿Ya tienes cuenta?" in signup
    reset = assert_spanish(client, reverse("account_reset_password"))
    assert "Escribe tu dirección de correo electrónico" in reset


@pytest.mark.clock(NOW)
def test_the_staff_pages_speak_spanish(spanish, alices_session):
    alices_session.status = Session.Status.NO_SHOW
    alices_session.save()
    alices_session.events.create(
        kind="no_show", from_status=Session.Status.BOOKED, to_status=Session.Status.NO_SHOW
    )
    client = spanish("therapist")
    day = "?date=2026-03-04"
    for url in [
        reverse("staff:agenda-week") + day,
        reverse("staff:hours"),
        reverse("staff:time-off"),
        reverse("staff:in-the-way"),
    ]:
        assert_spanish(client, url)
    agenda = assert_spanish(client, reverse("staff:agenda") + day)
    assert "miércoles, 4 de marzo de 2026" in agenda
    assert "Rutinas de autocuidado" not in agenda  # the runner's footer stays on their pages
    session = assert_spanish(client, reverse("staff:session", args=[alices_session.pk]))
    assert "Marcada como no presentada (Reservada → No se presentó)" in session
    admin = spanish("clinic_admin")
    assert_spanish(admin, reverse("staff:dashboard"))
    assert_spanish(admin, reverse("staff:adherence"))


def test_the_admin_speaks_spanish(spanish, superuser, clinic, alices_session):
    alices_session.events.create(kind="booked", to_status=Session.Status.BOOKED)
    client = spanish("superuser")
    for url in [
        reverse("admin:index"),
        reverse("admin:booking_session_change", args=[alices_session.pk]),
        reverse("admin:booking_sessionevent_changelist"),
        reverse("admin:booking_sessionevent_change", args=[alices_session.events.get().pk]),
        reverse("admin:booking_reminder_changelist"),
        reverse("admin:runners_race_changelist"),
        reverse("admin:clinic_user_change", args=[superuser.pk]),
        reverse("admin:runners_race_add"),
        reverse("admin:clinic_timeoff_changelist"),
    ]:
        assert_spanish(client, url)
    policy = assert_spanish(client, reverse("admin:clinic_clinic_change", args=[clinic.pk]))
    assert "Política de reservas" in policy
    assert "Antelación mínima (minutos)" in policy


USTED = re.compile(
    r"\b(usted|su cuenta|su contraseña|Haga clic|Está recibiendo|ha indicado)\b", re.I
)


def test_the_account_emails_speak_spanish_with_tu(spanish, alice, mailoutbox):
    alice.user.language = "es"  # e-mails to an account go in its owner's language
    alice.user.save()
    signup = {"first_name": "Pablo", "password1": PASSWORD}
    for email in ["nueva@runners.test", "alice@runners.test"]:  # the second one is taken
        spanish(None).post(reverse("account_signup"), {"email": email, **signup})
    for email in ["alice@runners.test", "nadie@runners.test"]:
        spanish(None).post(reverse("account_reset_password"), {"email": email})
    assert len(mailoutbox) == 4
    for message in mailoutbox:
        whole = message.subject + "\n" + message.body
        assert not [s for s in FORMERLY_ENGLISH if s in whole], whole
        assert not USTED.search(whole), whole
        # Greeted by first name when the address has an account ("Hola Pablo:"), else "Hola:".
        assert re.match(r"Hola( \w+)?:\n", message.body), whole
    confirmation = mailoutbox[0].body
    assert "Abre este enlace para confirmarla:" in confirmation
