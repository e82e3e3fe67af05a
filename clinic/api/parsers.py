"""DRF's JSON parser, refusing control characters anywhere in a request body (clinic.text).

The API takes JSON bodies only (settings.REST_FRAMEWORK): a form or multipart body is
answered 415 `unsupported_media_type` by DRF before any parser runs.

Here rather than on each serializer field: every body of every endpoint passes through a
parser, so a new serializer (or a view that reads request.data itself) cannot forget the
rule. The refusal is a ValidationError naming the field, so the central exception handler
answers 400 `{"code": "control_characters", "detail", "errors"}` like any other.
"""

from rest_framework import parsers
from rest_framework.exceptions import ValidationError

from clinic.text import CODE, MESSAGE, first_with_control_characters


class _RefuseControlCharacters:
    def parse(self, stream, media_type=None, parser_context=None):
        parsed = super().parse(stream, media_type, parser_context)
        where = first_with_control_characters(parsed)
        if where is not None:
            raise ValidationError({where or "non_field_errors": [MESSAGE]}, code=CODE)
        return parsed


class JSONParser(_RefuseControlCharacters, parsers.JSONParser):
    pass
