"""Service and therapist texts per language (clinic/translation.py): written in the admin
in English and Spanish, shown in the runner's language on pages, e-mails, .ics and the
API, and the other language when one is empty."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from booking.reminders import delivery
from clinic.models import Service, Therapist
from clinic.permissions import CLINIC_ADMINS, ensure_role_groups
from devtools.factories import ServiceFactory, SessionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def texts(service, therapist):
    Service.objects.filter(pk=service.pk).update(
        name_en="Unloading massage",
        name_es="Masaje de descarga",
        description_en="Legs and glutes.",
        description_es="Piernas y glúteos.",
    )
    Therapist.objects.filter(pk=therapist.pk).update(
        qualifications_en="", qualifications_es="Fisioterapeuta colegiada", bio_en="Ran Boston."
    )
    service.refresh_from_db()
    therapist.refresh_from_db()
    return service, therapist


def pages(client, url: str) -> tuple[str, str]:
    """The page in English, then in Spanish (the language the runner's cookie says)."""
    out = []
    for language in ("en", "es"):
        client.cookies["django_language"] = language
        out.append(client.get(url).content.decode())
    return out[0], out[1]


def test_pages_show_the_runners_language_and_fall_back_to_the_other(persona, texts):
    english, spanish = pages(persona("alice").page, reverse("booking:book"))
    assert "Unloading massage" in english and "Legs and glutes." in english
    assert "Masaje de descarga" in spanish and "Piernas y glúteos." in spanish
    assert "Unloading massage" not in spanish
    home_en, home_es = pages(persona("alice").page, "/")
    # Qualifications written only in Spanish show in English too; the bio only in English
    # shows in Spanish.
    assert "Fisioterapeuta colegiada" in home_en and "Ran Boston." in home_es


def test_a_service_with_no_spanish_name_shows_the_english_one(es_client, clinic, texts):
    ServiceFactory(clinic=clinic, name="Deep tissue", duration_minutes=30)
    assert "Deep tissue" in es_client.get(reverse("booking:book")).content.decode()


def test_the_email_and_its_ics_speak_the_runners_language(alice, texts, mailoutbox):
    service, therapist = texts
    alice.user.language = "es"
    alice.user.save()
    session = SessionFactory(
        runner=alice,
        therapist=therapist,
        service=service,
        start=timezone.now() + timedelta(days=3),
    )
    delivery.send_session_email(session.pk, "confirmation")
    (message,) = mailoutbox
    assert "Masaje de descarga" in message.body and "Unloading massage" not in message.body
    (event,) = Calendar.from_ical(message.attachments[0][1]).walk("VEVENT")
    assert str(event["description"]).startswith("Masaje de descarga en Fisio Running Madrid")


def test_the_ics_download_follows_the_page_language(es_client, alice, texts):
    service, therapist = texts
    session = SessionFactory(
        runner=alice, therapist=therapist, service=service, start=timezone.now() + timedelta(days=3)
    )
    body = es_client.get(reverse("booking:session_ics", args=[session.pk])).content.decode()
    assert "Masaje de descarga" in body


def test_the_api_answers_in_the_asked_language(client, texts):
    service, therapist = texts
    url = f"/api/v1/services/{service.pk}/"
    assert client.get(url).json()["name"] == "Unloading massage"
    spanish = client.get(url, HTTP_ACCEPT_LANGUAGE="es").json()
    assert (spanish["name"], spanish["description"]) == ("Masaje de descarga", "Piernas y glúteos.")
    person = client.get(f"/api/v1/therapists/{therapist.pk}/").json()
    assert person["qualifications"] == "Fisioterapeuta colegiada"  # the other language


def test_the_clinic_admin_writes_both_languages(persona, clinic_admin, texts, other_clinic):
    service, _therapist = texts
    ensure_role_groups()
    clinic_admin.groups.add(Group.objects.get(name=CLINIC_ADMINS))
    admin = persona("clinic_admin").page
    url = reverse("admin:clinic_service_change", args=[service.pk])
    form = admin.get(url).content.decode()
    for field in ("id_name_en", "id_name_es", "id_description_en", "id_description_es"):
        assert f'id="{field}"' in form
    response = admin.post(
        url,
        {
            "clinic": service.clinic_id,
            "name_en": "Unloading massage",
            "name_es": "Descarga para corredores",
            "description_en": "",
            "description_es": "",
            "duration_minutes": 60,
            "price": "45.00",
            "body_areas": '["legs"]',
            "kind": service.kind,
            "active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    service.refresh_from_db()
    assert (service.name_en, service.name_es) == ("Unloading massage", "Descarga para corredores")
    # Scoped as every admin: another clinic's service cannot be opened.
    theirs = ServiceFactory(clinic=other_clinic)
    assert admin.get(reverse("admin:clinic_service_change", args=[theirs.pk])).status_code in (
        302,
        404,
    )
    therapist_form = admin.get(
        reverse("admin:clinic_therapist_change", args=[_therapist.pk])
    ).content.decode()
    for field in ("qualifications_en", "qualifications_es", "bio_en", "bio_es"):
        assert f'id="id_{field}"' in therapist_form
