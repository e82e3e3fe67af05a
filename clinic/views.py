from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from . import health
from .selectors import public_catalogue


def home(request):
    return render(request, "home.html", public_catalogue())


@never_cache
def healthz(request):
    return JsonResponse({"status": "ok"})


@never_cache
def readyz(request):
    db_ok, db_detail = health.database_ok()
    broker_ok, broker_detail = health.broker_ok()
    ok = db_ok and broker_ok
    return JsonResponse(
        {
            "status": "ok" if ok else "unavailable",
            "database": db_detail,
            "broker": broker_detail,
        },
        status=200 if ok else 503,
    )


def _error(request, template: str, status: int):
    return render(request, template, status=status)


def bad_request(request, exception=None):
    return _error(request, "errors/400.html", 400)


def permission_denied(request, exception=None):
    return _error(request, "errors/403.html", 403)


def page_not_found(request, exception=None):
    return _error(request, "errors/404.html", 404)


def server_error(request):
    # No context processors that touch the database: the database may be the problem.
    from django.http import HttpResponseServerError
    from django.template import loader

    return HttpResponseServerError(loader.get_template("errors/500.html").render())


def csrf_failure(request, reason=""):
    # Most often an expired session or a form left open for hours: say so, kindly.
    return render(request, "errors/csrf.html", status=403)
