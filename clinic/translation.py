"""Texts a clinic writes in each language (django-modeltranslation): a service's name and
description, a therapist's qualifications, specialties and bio. Each gets `_en` and `_es`
columns; reading `service.name` gives the active language's text, else the other one
(MODELTRANSLATION_FALLBACK_LANGUAGES), so pages, e-mails (sent in the runner's language),
.ics files and the API show the runner's language without asking for it."""

from modeltranslation.translator import TranslationOptions, register

from clinic.models import Service, Therapist


@register(Service)
class ServiceTexts(TranslationOptions):
    fields = ("name", "description")
    required_languages = {"en": ("name",)}


@register(Therapist)
class TherapistTexts(TranslationOptions):
    fields = ("qualifications", "specialties", "bio")
