"""OpenAPI post-processing: document the answers any endpoint can give.

Whatever the view, the API may answer 400 (bad input), 401 (a wrong token, even on a
public endpoint), 403 (CSRF, permissions), 404 (an unknown id, a page past the end),
429 (throttled) and 503 (database briefly away; clinic/middleware.py), and 415 to a body
that is not JSON. Each view documents its own success and its specific refusals; this hook
adds the rest with the common error body, so clients (and schemathesis) know every status
they may get.
"""

ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "code": {"type": "string"},
        "detail": {"type": "string"},
        "errors": {"type": "object", "additionalProperties": {}},
    },
    "required": ["code", "detail"],
}
ERROR_EXAMPLE = {"code": "not_found", "detail": "Not found."}
BOOKING_ERROR_EXAMPLE = {
    "code": "runner_overlap",
    "detail": "You already have a session at that time.",
    "suggestions": [
        {
            "start": "2026-12-09T11:15:00+01:00",
            "end": "2026-12-09T12:15:00+01:00",
            "therapist": 3,
            "ideal": False,
        }
    ],
}
COMMON = {
    "400": "The request is not valid: `code` says why.",
    "401": "Not signed in, or the token is not valid.",
    "403": "Not allowed.",
    "404": "Not found (or not yours).",
    "429": "Too many requests: wait the `Retry-After` seconds.",
    "503": "Briefly unavailable (the database is restarting): try again.",
}
# The API takes JSON bodies only (settings.REST_FRAMEWORK's parsers).
UNSUPPORTED_MEDIA_TYPE = "The body is not JSON (`unsupported_media_type`): send `application/json`."
METHODS = {"get", "post", "put", "patch", "delete"}


def add_common_error_responses(result, generator, request, public):
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault("Error", ERROR_SCHEMA)
    components["Error"].setdefault("example", ERROR_EXAMPLE)
    if "BookingError" in components:
        components["BookingError"].setdefault("example", BOOKING_ERROR_EXAMPLE)
    ref = {"$ref": "#/components/schemas/Error"}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in METHODS:
                continue
            responses = operation.setdefault("responses", {})
            common = dict(COMMON)
            if "requestBody" in operation:
                common["415"] = UNSUPPORTED_MEDIA_TYPE
            for status, description in common.items():
                responses.setdefault(
                    status,
                    {"description": description, "content": {"application/json": {"schema": ref}}},
                )
            for status, response in responses.items():
                if not status.startswith("4"):
                    continue
                # A refusal documented with a richer body (a booking refusal with its
                # suggestions, a refused series) may also be a plain validation error.
                for media in (response.get("content") or {}).values():
                    schema = media.get("schema")
                    if schema and schema != ref and "anyOf" not in schema:
                        media["schema"] = {"anyOf": [schema, ref]}
    _relax_blank_emails(components)
    return result


def _relax_blank_emails(components: dict) -> None:
    """An optional e-mail is returned as "" when not set, which `format: email` rejects:
    in response components (not the *Request ones, which validate input) the format is
    documented in the description instead."""
    for name, schema in components.items():
        if name.endswith("Request"):
            continue
        for prop in (schema.get("properties") or {}).values():
            if prop.get("format") == "email":
                del prop["format"]
                prop.setdefault("description", "An e-mail address, or empty when not set.")
