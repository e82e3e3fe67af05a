"""Errors that carry a stable machine code and a sentence a person understands.

The API maps them to `{"code", "detail", "suggestions"}` (see clinic.api.exceptions);
pages show the sentence. Apps subclass CodedError (booking.engine.exceptions.BookingError).
"""

from typing import Any


class CodedError(Exception):
    status_code = 400
    default_code = "invalid"

    def __init__(
        self,
        detail: str,
        *,
        code: str | None = None,
        status_code: int | None = None,
        suggestions: list[Any] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = str(detail)
        self.code = code or self.default_code
        if status_code is not None:
            self.status_code = status_code
        self.suggestions = suggestions or []
        self.extra = extra or {}

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "detail": self.detail,
            "suggestions": self.suggestions,
            **self.extra,
        }
