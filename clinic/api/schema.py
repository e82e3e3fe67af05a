"""OpenAPI pieces shared by the API areas: the token scheme, the error body and its
examples."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from drf_spectacular.utils import OpenApiExample, OpenApiResponse
from rest_framework import serializers


class TokenScheme(OpenApiAuthenticationExtension):
    """`Authorization: Token <key>` (drf-spectacular's knox scheme matches only knox's own
    class, not our subclass of it). The name is the one clients knew before knox."""

    target_class = "clinic.authentication.ExpiringTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(
            header_name="Authorization", token_prefix=self.target.authenticate_header(None)
        )


class SuggestedSlotSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    therapist = serializers.IntegerField()
    ideal = serializers.BooleanField()


class ErrorSerializer(serializers.Serializer):
    """Every error: a stable machine `code` and a sentence a person understands."""

    code = serializers.CharField()
    detail = serializers.CharField()
    errors = serializers.DictField(
        required=False, help_text="Per-field messages, for a request that did not validate."
    )


class BookingErrorSerializer(ErrorSerializer):
    suggestions = SuggestedSlotSerializer(
        many=True, help_text="Up to three nearest slots that do pass."
    )
    race = serializers.IntegerField(
        required=False, help_text="The race behind a race-rule refusal."
    )


_EXAMPLES = {
    400: [
        OpenApiExample(
            "Invalid request",
            value={
                "code": "invalid",
                "detail": "start: This field is required.",
                "errors": {"start": ["This field is required."]},
            },
            status_codes=["400"],
            response_only=True,
        )
    ],
    401: [
        OpenApiExample(
            "Not signed in",
            value={
                "code": "not_authenticated",
                "detail": "Authentication credentials were not provided.",
            },
            status_codes=["401"],
            response_only=True,
        )
    ],
    403: [
        OpenApiExample(
            "Wrong role",
            value={"code": "runners_only", "detail": "This part of the API is for runners."},
            status_codes=["403"],
            response_only=True,
        ),
        OpenApiExample(
            "Staff only",
            value={
                "code": "override_not_allowed",
                "detail": "Only the clinic's staff can override a race rule.",
            },
            status_codes=["403"],
            response_only=True,
        ),
    ],
    404: [
        OpenApiExample(
            "Not found",
            value={"code": "not_found", "detail": "Not found."},
            status_codes=["404"],
            response_only=True,
        )
    ],
}

BOOKING_400_EXAMPLES = [
    OpenApiExample(
        "Too soon after a race",
        value={
            "code": "too_soon_after_race",
            "detail": "Too soon after Valencia Marathon: allow 24 h after a race before an "
            "unloading massage.",
            "suggestions": [
                {
                    "start": "2026-12-08T10:00:00+01:00",
                    "end": "2026-12-08T11:00:00+01:00",
                    "therapist": 3,
                    "ideal": True,
                }
            ],
        },
        status_codes=["400"],
        response_only=True,
    ),
]
BOOKING_409_EXAMPLES = [
    OpenApiExample(
        "Slot taken",
        value={
            "code": "slot_taken",
            "detail": "Someone has just booked that time with Lucía Martín.",
            "suggestions": [],
        },
        status_codes=["409"],
        response_only=True,
    ),
    OpenApiExample(
        "Runner overlap",
        value={
            "code": "runner_overlap",
            "detail": "You already have a session at that time.",
            "suggestions": [],
        },
        status_codes=["409"],
        response_only=True,
    ),
]

_DESCRIPTIONS = {
    400: "Bad input or a booking rule refused it (`code` says which).",
    401: "Not signed in.",
    403: "Signed in, but this role may not do this.",
    404: "Not found, or not yours.",
    409: "A conflict with other data: the slot was taken, or you have a session then.",
    429: "Too many requests.",
}


def ERROR_RESPONSES(*statuses: int, booking: bool = False) -> dict:  # noqa: N802
    """`{status: OpenApiResponse}` for the error statuses an endpoint may answer."""
    out = {}
    for st in statuses:
        if booking and st in (400, 409):
            out[st] = OpenApiResponse(
                BookingErrorSerializer,
                description=_DESCRIPTIONS[st],
                examples=BOOKING_400_EXAMPLES if st == 400 else BOOKING_409_EXAMPLES,
            )
        else:
            out[st] = OpenApiResponse(
                ErrorSerializer, description=_DESCRIPTIONS[st], examples=_EXAMPLES.get(st, [])
            )
    return out


# Booking bodies and answers, as a client sends and reads them (docs/api-quickstart.md).
_SESSION_VALUE = {
    "id": 42,
    "status": "booked",
    "start": "2026-12-09T10:00:00+01:00",
    "end": "2026-12-09T11:00:00+01:00",
    "service": {"id": 1, "name": "Unloading massage", "duration_minutes": 60},
    "therapist": {"id": 3, "display_name": "Lucía Martín"},
    "runner": {"id": 7, "name": "Alice Runner"},
    "clinic": {"id": 1, "name": "Clínica Río", "timezone": "Europe/Madrid"},
    "price": "45.00",
    "discomfort_areas": ["calves"],
    "runner_note": "",
    "race_override": False,
    "rescheduled_from": None,
    "cancel_outcome": "cancelled",
    "created_at": "2026-12-01T18:12:03+01:00",
    "cancelled_at": None,
}
BOOK_EXAMPLES = [
    OpenApiExample(
        "Book",
        value={
            "service": 1,
            "therapist": 3,
            "start": "2026-12-09T10:00:00+01:00",
            "discomfort_areas": ["calves"],
        },
        request_only=True,
    ),
    OpenApiExample("Booked", value=_SESSION_VALUE, status_codes=["201"], response_only=True),
]
RESCHEDULE_EXAMPLES = [
    OpenApiExample("Move", value={"start": "2026-12-10T17:30:00+01:00"}, request_only=True),
    OpenApiExample(
        "Moved",
        value={
            **_SESSION_VALUE,
            "start": "2026-12-10T17:30:00+01:00",
            "end": "2026-12-10T18:30:00+01:00",
        },
        status_codes=["200"],
        response_only=True,
    ),
]
