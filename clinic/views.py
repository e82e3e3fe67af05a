import sys

from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from clinic import health
from clinic.middleware import is_database_unavailable, unavailable_response, wants_json
from clinic.selectors import public_catalogue


def home(request):
    return render(request, "home.html", public_catalogue())


@never_cache
def healthz(request):
    return JsonResponse({"status": "ok"})


@never_cache
def readyz(request):
    """Ready when the database answers and the broker answers, each reported on its own so
    the orchestrator's log says which one is down. 503 when either is."""
    db_ok, db_detail = health.database_ok()
    broker_ok, broker_detail = health.broker_ok()
    ok = db_ok and broker_ok
    errors = {
        name: detail
        for name, good, detail in (
            ("database", db_ok, db_detail),
            ("broker", broker_ok, broker_detail),
        )
        if not good
    }
    return JsonResponse(
        {
            "status": "ok" if ok else "unavailable",
            "database": "ok" if db_ok else "down",
            "broker": "ok" if broker_ok else "down",
            "errors": errors,
        },
        status=200 if ok else 503,
    )


def _error(request, template: str, status: int, code: str, detail: str):
    if wants_json(request):
        return JsonResponse({"code": code, "detail": detail}, status=status)
    return render(request, template, status=status)


def bad_request(request, exception=None):
    return _error(request, "errors/400.html", 400, "bad_request", _("The request is not valid."))


def permission_denied(request, exception=None):
    return _error(request, "errors/403.html", 403, "permission_denied", _("You may not do that."))


def page_not_found(request, exception=None):
    return _error(request, "errors/404.html", 404, "not_found", _("Not found."))


def server_error(request):
    # The database may be the problem: a lost connection is a 503 with a sentence, and
    # neither page uses context processors that touch the database.
    if is_database_unavailable(sys.exc_info()[1]):
        return unavailable_response(request)
    if wants_json(request):
        return JsonResponse(
            {"code": "server_error", "detail": _("Something went wrong on our side.")},
            status=500,
        )
    return HttpResponseServerError(loader.get_template("errors/500.html").render())


def csrf_failure(request, reason=""):
    # Most often an expired session or a form left open for hours: say so, kindly.
    return render(request, "errors/csrf.html", status=403)
