"""Middleware for faults, sessions and caching: a clean 503 when the database is away, a
hard cap on how long a staff member's session lives, and no cache keeps what a signed-in
person was shown."""

from __future__ import annotations

import logging
import re
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers
from django.utils.functional import LazyObject, empty
from django.utils.translation import gettext as _

from clinic.permissions import has_short_sign_ins
from clinic.text import CODE, MESSAGE, first_with_control_characters, has_control_characters

logger = logging.getLogger("clinic.faults")

DB_UNAVAILABLE = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 5


def wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/") or "application/json" in request.headers.get(
        "Accept", ""
    )


def unavailable_response(request: HttpRequest) -> HttpResponse:
    """503 with a sentence, JSON for the API. Renders no template that needs the database."""
    detail = _("The service is briefly unavailable. Please try again in a few seconds.")
    if wants_json(request):
        response: HttpResponse = JsonResponse({"code": "unavailable", "detail": detail}, status=503)
    else:
        html = loader.get_template("errors/503.html").render()
        response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def is_database_unavailable(exc: BaseException | None) -> bool:
    return isinstance(exc, DB_UNAVAILABLE)


class DatabaseUnavailableMiddleware:
    """A view (or template) that loses the database answers 503, not 500 with a traceback.

    Errors raised in other middleware (sessions, authentication) reach handler500, which
    makes the same decision (clinic.views.server_error). Whatever the view had written is
    rolled back by its transaction: the services book inside one atomic block.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if not is_database_unavailable(exception):
            return None
        logger.warning(
            "Database unavailable during %s %s: %s",
            request.method,
            request.path,
            exception.__class__.__name__,
        )
        return unavailable_response(request)


_SESSION_KEY = re.compile(r"^[a-z0-9]{8,40}$")


class SessionCookieSanityMiddleware:
    """Drop a session cookie that cannot be a session key before anything looks it up.

    Django's session keys are lowercase letters and digits; a forged cookie with a NUL
    byte reaches PostgreSQL as a DataError (a 500) the moment request.user is read.
    Such a request simply goes on as anonymous.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        name = settings.SESSION_COOKIE_NAME
        value = request.COOKIES.get(name)
        if value is not None and not _SESSION_KEY.match(value):
            del request.COOKIES[name]
        return self.get_response(request)


STAFF_SESSION_KEY = "_staff_session_started"


class StaffSessionExpiryMiddleware:
    """Staff sessions end STAFF_SESSION_AGE seconds after sign-in, however active.

    Staff see runners' health notes; a shared reception computer must not stay signed in
    for the two weeks a runner's session lasts. The cap is absolute (from the first staff
    request of the session), and the cookie is given the same lifetime.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if has_short_sign_ins(user) and hasattr(request, "session"):
            age = int(settings.STAFF_SESSION_AGE)
            started = request.session.get(STAFF_SESSION_KEY)
            now = time.time()
            if started is None:
                request.session[STAFF_SESSION_KEY] = now
                request.session.set_expiry(age)
            elif now - float(started) > age:
                logout(request)
                if not wants_json(request):
                    messages.info(
                        request,
                        _("Your staff session has expired. Please sign in again."),
                        fail_silently=True,
                    )
        return self.get_response(request)


class ControlCharactersMiddleware:
    """A path or query string with control characters (clinic.text) is refused with 400
    before any view reads it: a NUL in a filter would otherwise reach PostgreSQL (a 500).
    The API answers through its central exception handler, the pages with the 400 page and
    the sentence."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if has_control_characters(request.path):
            return self.refuse(request, "path")
        where = first_with_control_characters(request.GET)
        if where is not None:
            return self.refuse(request, where or "query")
        return self.get_response(request)

    @staticmethod
    def refuse(request: HttpRequest, where: str) -> HttpResponse:
        if wants_json(request):
            from rest_framework.exceptions import ValidationError

            from clinic.api.exceptions import render_error

            return render_error(ValidationError({where: [MESSAGE]}, code=CODE))
        response = TemplateResponse(request, "errors/400.html", {"detail": MESSAGE}, status=400)
        return response.render()


def _signed_in(request: HttpRequest) -> bool:
    user = request.__dict__.get("user")  # absent when a middleware answered before auth
    if isinstance(user, LazyObject) and user._wrapped is empty:
        # Nothing looked at who is asking, so nothing personal was rendered for them; and
        # looking now could reach a database that is away (the 503 path).
        return False
    return bool(getattr(user, "is_authenticated", False))


class PrivateResponseMiddleware:
    """Whatever a signed-in person is shown goes out `Cache-Control: no-store, private`.

    Health notes, sessions and attendance are only ever served to someone signed in
    (by session or API token; DRF sets the token's user on the request), so the rule is
    keyed on the requester rather than on each view: a new page cannot forget it, and the
    back button after signing out on a shared computer shows nothing. The signed links in
    e-mails, which need no sign-in, mark their views never_cache themselves. Public pages
    seen anonymously keep their caching.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Authorization" in request.headers or _signed_in(request):
            add_never_cache_headers(response)
        return response
