"""Whose name and colours a page wears: the runner's home clinic, the staff member's
clinic, or, for a visitor of a one-clinic deployment, that clinic. The header, the
favicon's theme colour and the web app manifest read it; the clinic admin sets it
(name, accent colour, logo) through clinic.services.clinic_save."""

import json
import mimetypes
from email.utils import formataddr, parseaddr

from django.conf import settings
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
)
from django.shortcuts import get_object_or_404
from django.templatetags.static import static
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from clinic import colours, permissions
from clinic.models import Clinic

FIELDS = ("id", "name", "slug", "accent_colour", "logo")
ICON_SIZES = (192, 512)


def brand_for(request: HttpRequest) -> Clinic | None:
    """One query at most."""
    clinics = Clinic.objects.only(*FIELDS)
    user = request.user
    runner = getattr(request, "runner", None)
    if runner is not None:
        return clinics.filter(pk=runner.clinic_id).first() if runner.clinic_id else None
    if user.is_authenticated:
        ids = permissions.clinic_ids(user)
        if ids:
            return clinics.filter(pk__in=ids).order_by("pk").first()
        return clinics.filter(runners__user=user).first()
    only = list(clinics.order_by("pk")[:2])
    return only[0] if len(only) == 1 else None


def brand_for_account(user) -> Clinic | None:
    """Whose name an account e-mail (address confirmation, password reset) carries: the
    clinic of the account's owner as their pages show it, else the only clinic there is."""
    clinics = Clinic.objects.only(*FIELDS)
    if user is not None and user.pk:
        ids = permissions.clinic_ids(user)
        own = clinics.filter(pk__in=ids) if ids else clinics.filter(runners__user=user)
        found = own.order_by("pk").first()
        if found is not None:
            return found
    only = list(clinics.order_by("pk")[:2])
    return only[0] if len(only) == 1 else None


def sender(name: str) -> str:
    """The From header of an e-mail in `name` (a clinic's, else the product's), from the
    address bookings are sent from: "Fisio Running Madrid <bookings@…>"."""
    return formataddr((name, parseaddr(settings.DEFAULT_FROM_EMAIL)[1]))


def context(request: HttpRequest) -> dict:
    """Template context processor: `brand`, read only when a template uses it."""
    return {"brand": SimpleLazyObject(lambda: brand_for(request))}


@require_GET
@cache_control(max_age=60 * 60 * 24 * 365, public=True)
def brand_css(request: HttpRequest, slug: str) -> HttpResponse:
    """The clinic's accent as CSS custom properties (the pages allow no inline styles)."""
    clinic = get_object_or_404(Clinic.objects.only(*FIELDS), slug=slug)
    accent = clinic.accent_colour if colours.accent_problem(clinic.accent_colour) is None else ""
    body = f":root{{--accent:{accent or colours.DEFAULT_ACCENT};}}\n"
    return HttpResponse(body, content_type="text/css; charset=utf-8")


@require_GET
@cache_control(max_age=60 * 60, public=True)
def brand_logo(request: HttpRequest, slug: str) -> FileResponse:
    clinic = get_object_or_404(Clinic.objects.only(*FIELDS), slug=slug)
    if not clinic.logo:
        raise Http404
    kind = mimetypes.guess_type(clinic.logo.name)[0] or ""
    if kind not in ("image/png", "image/jpeg", "image/webp"):
        raise Http404
    return FileResponse(clinic.logo.open("rb"), content_type=kind)


@require_GET
def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    """Browsers ask for /favicon.ico before reading the page's icon links."""
    return HttpResponsePermanentRedirect(static("icons/icon-32.png"))


@require_GET
@cache_control(max_age=60 * 60, public=True)
def manifest(request: HttpRequest) -> HttpResponse:
    """The web app manifest: runners add the booking pages to their home screen."""
    clinic = brand_for(request)
    name = clinic.name if clinic else _("Runners' unloading massage")
    icons = [
        {"src": static(f"icons/icon-{size}.png"), "sizes": f"{size}x{size}", "type": "image/png"}
        for size in ICON_SIZES
    ]
    icons.append(
        {
            "src": static("icons/icon-maskable-512.png"),
            "sizes": "512x512",
            "type": "image/png",
            "purpose": "maskable",
        }
    )
    data = {
        "name": name,
        "short_name": name[:12],
        "description": _("Book your unloading massage, clear of your races."),
        "lang": request.LANGUAGE_CODE,
        "start_url": "/?source=homescreen",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": clinic.accent_colour if clinic else colours.DEFAULT_ACCENT,
        "icons": icons,
    }
    return HttpResponse(
        json.dumps(data, ensure_ascii=False), content_type="application/manifest+json"
    )
