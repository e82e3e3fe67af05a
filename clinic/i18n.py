"""The language cookie, set as Django's own language switcher sets it."""

from django.conf import settings


def set_language_cookie(response, language: str) -> None:
    """Remember the language on this browser, with the LANGUAGE_COOKIE_* settings (Secure
    in production), like django.views.i18n.set_language."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
