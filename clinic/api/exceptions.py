"""One exception handler for the whole API: every error is `{"code", "detail", ...}`."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from clinic.errors import CodedError


def _first_message(data) -> str:
    if isinstance(data, dict):
        for key, value in data.items():
            msg = _first_message(value)
            if msg:
                return msg if key in ("non_field_errors", "detail") else f"{key}: {msg}"
    if isinstance(data, list) and data:
        return _first_message(data[0])
    return str(data) if data else ""


# DRF's own codes say only "this field is wrong"; the body then says `invalid`. A code
# an endpoint chose (e.g. `inverted_range`) is more useful and goes to the top.
_GENERIC_CODES = {
    "invalid",
    "required",
    "null",
    "blank",
    "max_length",
    "min_length",
    "max_value",
    "min_value",
    "max_digits",
    "max_decimal_places",
    "max_whole_digits",
    "does_not_exist",
    "incorrect_type",
    "not_a_list",
    "not_a_dict",
    "empty",
    "invalid_choice",
    "date",
    "datetime",
    "make_aware",
    "overflow",
    "unique",
    "parse_error",
}


def _first_code(codes) -> str | None:
    if isinstance(codes, dict):
        for value in codes.values():
            code = _first_code(value)
            if code:
                return code
        return None
    if isinstance(codes, list):
        for value in codes:
            code = _first_code(value)
            if code:
                return code
        return None
    return str(codes) if codes else None


def _jsonable(value):
    """Suggestions may be Slot objects; the body is JSON."""
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if hasattr(value, "therapist_id") and hasattr(value, "start") and hasattr(value, "end"):
        return {
            "start": value.start.isoformat(),
            "end": value.end.isoformat(),
            "therapist": value.therapist_id,
            "ideal": bool(getattr(value, "ideal", False)),
        }
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def exception_handler(exc, context):
    if isinstance(exc, CodedError):
        return Response(_jsonable(exc.as_dict()), status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        )
    if isinstance(exc, OperationalError | InterfaceError):
        # The database went away (restart, failover): a clean 503, never a traceback.
        return Response(
            {"code": "unavailable", "detail": _("The service is briefly unavailable. Try again.")},
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": "5"},
        )
    if isinstance(exc, DatabaseError):
        raise exc
    if isinstance(exc, exceptions.UnsupportedMediaType):
        # The API takes JSON bodies only (settings.REST_FRAMEWORK); say how to send one.
        exc = exceptions.UnsupportedMediaType(
            "", detail=_("This API takes JSON bodies only: send Content-Type: application/json.")
        )
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        code = _first_code(exc.get_codes())
        response.data = {
            "code": code if code and code not in _GENERIC_CODES else "invalid",
            "detail": _first_message(exc.detail) or "The request is not valid.",
            "errors": exc.detail,
        }
    else:
        codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        response.data = {
            "code": codes if isinstance(codes, str) else "error",
            "detail": str(getattr(exc, "detail", exc)),
        }
    return response


def render_error(exc: Exception) -> Response:
    """The handler's answer for a refusal made outside a DRF view (a middleware), rendered,
    so that it has the same body as every other API error."""
    response = exception_handler(exc, {})
    response.accepted_renderer = JSONRenderer()
    response.accepted_media_type = JSONRenderer.media_type
    response.renderer_context = {}
    return response.render()
