"""Control characters (NUL, bell, escape...: clinic.text) are refused on every text input.

Table-driven, and built so that a new endpoint, field or form cannot slip past:
- every write operation of the OpenAPI schema has a row here (a valid body holding every
  text field); each text field is sent with \\x00 and with \\x07: 400 with the code
  `control_characters`, and nothing stored; then the clean body is accepted (so the row
  is real);
- every query parameter of every documented GET, the path, the Idempotency-Key header;
- every form page: the same two values in each text field give a form error and store
  nothing; every form class of the project and of allauth refuses them;
- the .ics race import: a NUL in an event's name used to be a 500 when saved.
"""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import get_resolver, reverse
from rest_framework.test import APIClient

from billing.models import Offer
from booking.models import Session
from devtools.factories import PASSWORD, RaceFactory, SessionFactory, TrainingFactory
from runners.models import Race
from tests.support.api import assert_error

CODE = "control_characters"  # the API's contract (clinic.text.CODE)

MADRID = ZoneInfo("Europe/Madrid")
NOW = datetime(2026, 11, 30, 8, 0, tzinfo=MADRID)  # a Monday morning
WED_10 = datetime(2026, 12, 2, 10, 0, tzinfo=MADRID)
CONTROLS = {"NUL": "\x00", "BEL": "\x07"}
SENTENCE = "This text contains invisible control characters"
pytestmark = [pytest.mark.django_db, pytest.mark.clock(NOW)]


def snapshot() -> dict:
    """Every row of the project's tables (and the accounts' addresses and tokens)."""
    labels = {"clinic", "runners", "booking", "account", "authtoken"}
    return {
        model._meta.label: list(model.objects.order_by("pk").values())
        for model in apps.get_models()
        if model._meta.app_label in labels
    }


def poisoned(value, char: str):
    """The value with `char` inside its first string (None: there is no text in it)."""
    if isinstance(value, str):
        return value[:1] + char + value[1:]
    if isinstance(value, list) and value:
        first = poisoned(value[0], char)
        return None if first is None else [first, *value[1:]]
    if isinstance(value, dict):
        for key, item in value.items():
            changed = poisoned(item, char)
            if changed is not None:
                return {**value, key: changed}
    return None


@pytest.fixture
def world(alice, therapist, service, clinic, clinic_admin):
    offer = Offer.objects.create(
        clinic=clinic, name="Bono 5", sessions=5, price=Decimal("200"), valid_months=3
    )
    offer.services.set([service])
    return {
        "alice": alice,
        "clinic_admin": clinic_admin,
        "offer": offer,
        "therapist": therapist,
        "service": service,
        "race": RaceFactory(runner=alice, name="Madrid 10K", start=NOW + timedelta(days=40)),
        "training": TrainingFactory(runner=alice, start=NOW - timedelta(days=2)),
        "session": SessionFactory(runner=alice, therapist=therapist, service=service, start=WED_10),
        # Attendance is marked on a session that has happened.
        "past": SessionFactory(
            runner=alice, therapist=therapist, service=service, start=NOW - timedelta(days=3)
        ),
    }


RACE = {
    "name": "Valencia Marathon",
    "start": "2027-02-07T08:30:00+01:00",
    "finish": "2027-02-07T12:00:00+01:00",
    "distance_km": "42.20",
    "priority": "A",
    "location": "Valencia",
    "timezone": "Europe/Madrid",
}

TRAINING = {
    "name": "Long run",
    "start": "2026-11-29T09:00:00+01:00",
    "finish": "2026-11-29T10:40:00+01:00",
    "minutes": 95,
    "distance_km": "18.500",
    "kind": "long",
    "timezone": "Europe/Madrid",
}

# (method, path as in the schema) -> (persona, path ids, valid body, status it gets).
API_WRITES = {
    ("post", "/api/v1/auth/token/"): (
        None,
        {},
        lambda w: {"email": w["alice"].user.email, "password": PASSWORD, "device": "Alice's phone"},
        200,
    ),
    ("patch", "/api/v1/me/"): (
        "alice",
        {},
        lambda w: {
            "first_name": "Alicia",
            "last_name": "Runner",
            "language": "es",
            "phone": "+34 600 000 000",
            "timezone": "Europe/Madrid",
            "cadence": "monthly",
            "health_notes": "Left knee\nsore after long runs",
            "discomfort_areas": ["legs"],
        },
        200,
    ),
    ("post", "/api/v1/me/delete/"): (
        "alice",
        {},
        lambda w: {"password": PASSWORD, "confirm": True},
        204,
    ),
    ("post", "/api/v1/races/"): ("alice", {}, lambda w: dict(RACE), 201),
    ("post", "/api/v1/trainings/"): ("alice", {}, lambda w: dict(TRAINING), 201),
    ("put", "/api/v1/trainings/{id}/"): (
        "alice",
        {"id": "training"},
        lambda w: dict(TRAINING),
        200,
    ),
    ("patch", "/api/v1/trainings/{id}/"): (
        "alice",
        {"id": "training"},
        lambda w: dict(TRAINING),
        200,
    ),
    ("put", "/api/v1/races/{id}/"): ("alice", {"id": "race"}, lambda w: dict(RACE), 200),
    ("patch", "/api/v1/races/{id}/"): ("alice", {"id": "race"}, lambda w: dict(RACE), 200),
    ("post", "/api/v1/sessions/"): (
        "therapist",
        {},
        lambda w: {
            "service": w["service"].pk,
            "therapist": w["therapist"].pk,
            "runner": w["alice"].pk,
            "start": "2026-12-03T10:00:00+01:00",
            "discomfort_areas": ["legs", "glutes"],
            "runner_note": "Calves\ttight",
            "override_reason": "A fun run, she asked for it",
        },
        201,
    ),
    ("post", "/api/v1/sessions/{id}/reschedule/"): (
        "therapist",
        {"id": "session"},
        lambda w: {
            "start": "2026-12-04T10:00:00+01:00",
            "therapist": w["therapist"].pk,
            "override_reason": "She asked to move it",
        },
        200,
    ),
    ("post", "/api/v1/sessions/series/"): (
        "alice",
        {},
        lambda w: {
            "service": w["service"].pk,
            "therapist": w["therapist"].pk,
            "first_start": "2026-12-03T12:00:00+01:00",
            "every_days": 14,
            "count": 2,
            "all_or_nothing": False,
            "discomfort_areas": ["legs"],
            "runner_note": "Calves\ttight",
        },
        201,
    ),
    ("post", "/api/v1/plan/"): (
        "alice",
        {},
        lambda w: {
            "proposals": [
                {
                    "start": "2026-12-03T12:00:00+01:00",
                    "therapist": w["therapist"].pk,
                    "service": w["service"].pk,
                }
            ],
            "all_or_nothing": False,
        },
        201,
    ),
    ("post", "/api/v1/sessions/{session_id}/attendance/"): (
        "therapist",
        {"session_id": "past"},
        lambda w: {
            "status": "attended",
            "areas_treated": {"calves": "both"},
            "mobilisation_done": True,
            "note": "Calves loaded\r\nstretching done",
        },
        200,
    ),
    ("post", "/api/v1/therapists/{therapist_id}/time-off/"): (
        "therapist",
        {"therapist_id": "therapist"},
        lambda w: {
            "start": "2026-12-10T09:00:00+01:00",
            "end": "2026-12-10T14:00:00+01:00",
            "reason": "Course",
        },
        201,
    ),
    ("put", "/api/v1/therapists/{therapist_id}/working-hours/"): (
        "therapist",
        {"therapist_id": "therapist"},
        lambda w: {
            "valid_from": "2026-12-07",
            "intervals": [{"weekday": 0, "start": "09:00", "end": "14:00"}],
        },
        200,
    ),
    ("post", "/api/v1/waitlist/"): (
        "alice",
        {},
        lambda w: {
            "service": w["service"].pk,
            "first_day": "2026-12-01",
            "last_day": "2026-12-04",
            "earliest": "17:00",
            "latest": "20:00",
        },
        201,
    ),
    ("post", "/api/v1/sales/"): (
        "clinic_admin",
        {},
        lambda w: {
            "runner": w["alice"].pk,
            "offer": w["offer"].pk,
            "method": "card",
            "amount": "200.00",
            "reference": "TPV 42",
        },
        201,
    ),
}
# Write operations that take no body at all.
# No text field in the body: a cancel, and the training import (a file upload, whose
# contents the importer checks: tests/runners/test_activity_import.py).
API_BODILESS = {("post", "/api/v1/sessions/{id}/cancel/"), ("post", "/api/v1/trainings/import/")}
NOT_TEXT = {"integer", "number", "boolean"}


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    with django_db_blocker.unblock():
        return APIClient().get("/api/schema/", HTTP_ACCEPT="application/json").json()


def _resolve(schema, node):
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def _text_properties(schema, operation) -> set[str]:
    content = operation.get("requestBody", {}).get("content", {})
    body = content.get("application/json", {}).get("schema")
    if body is None:
        return set()
    properties = _resolve(schema, body).get("properties", {})
    return {
        name
        for name, prop in properties.items()
        if not prop.get("readOnly") and _resolve(schema, prop).get("type") not in NOT_TEXT
    }


def test_every_write_operation_has_a_row_holding_every_text_field(schema):
    writes = {
        (method, path)
        for path, item in schema["paths"].items()
        for method in ("post", "put", "patch")
        if method in item
    }
    assert writes == set(API_WRITES) | API_BODILESS
    for method, path in API_WRITES:
        assert _text_properties(schema, schema["paths"][path][method]), (method, path)
    for method, path in API_BODILESS:
        assert not _text_properties(schema, schema["paths"][path][method])


def _api_call(world, key):
    persona, ids, body, status = API_WRITES[key]
    client = APIClient()
    if persona is not None:
        client.force_authenticate(getattr(world[persona], "user", world[persona]))
    method, path = key
    url = path.format(**{name: world[obj].pk for name, obj in ids.items()})
    return client, method, url, body(world), status


@pytest.mark.parametrize("key", list(API_WRITES), ids=lambda k: f"{k[0].upper()} {k[1]}")
def test_api_refuses_control_characters_in_every_text_field(schema, world, key):
    client, method, url, body, status = _api_call(world, key)
    method_name, path = key
    text_fields = _text_properties(schema, schema["paths"][path][method_name])
    assert text_fields <= set(body), f"the row's body misses {text_fields - set(body)}"
    before = snapshot()
    tried = 0
    for field in sorted(text_fields):
        for name, char in CONTROLS.items():
            bad = poisoned(body[field], char)
            assert bad is not None, field
            response = getattr(client, method)(url, {**body, field: bad}, format="json")
            error = assert_error(response, 400, CODE)
            assert field in error["errors"], (field, name, error)
            assert SENTENCE in error["detail"]
            assert snapshot() == before, f"{field} with {name} changed something"
            tried += 1
    assert tried == 2 * len(text_fields)
    # The negative control: the same body without the characters goes through.
    response = getattr(client, method)(url, body, format="json")
    assert response.status_code == status, response.content[:400]


@pytest.mark.parametrize("char", CONTROLS.values(), ids=CONTROLS.keys())
def test_a_form_encoded_body_is_refused_too(alice, char):
    """The API takes JSON only (issue 19): a form or multipart body is refused whole
    (415) before anything reads it; the same fields in JSON meet the control-character
    rule."""
    client = APIClient()
    client.force_authenticate(alice.user)
    before = snapshot()
    response = client.patch("/api/v1/me/", {"health_notes": f"knee{char}"}, format="multipart")
    assert_error(response, 415, "unsupported_media_type")
    response = client.patch("/api/v1/me/", {"health_notes": f"knee{char}"}, format="json")
    assert_error(response, 400, CODE)
    response = client.post(
        "/api/v1/races/",
        f"name=10K{char}&start=2027-02-07T08:30:00%2B01:00",
        content_type="application/x-www-form-urlencoded",
    )
    assert_error(response, 415, "unsupported_media_type")
    assert "JSON" in response.json()["detail"]
    response = client.post(
        "/api/v1/races/",
        {"name": f"10K{char}", "start": "2027-02-07T08:30:00+01:00"},
        format="json",
    )
    assert_error(response, 400, CODE)
    assert snapshot() == before


def test_a_key_with_control_characters_is_refused(alice):
    client = APIClient()
    client.force_authenticate(alice.user)
    response = client.post("/api/v1/races/", {"10K\x00": "x", **RACE}, format="json")
    assert_error(response, 400, CODE)
    assert not Race.objects.exists()


def _query_operations(schema):
    for path, item in schema["paths"].items():
        if "get" not in item:
            continue
        for param in item["get"].get("parameters", []):
            if param["in"] == "query":
                yield path, param["name"]


@pytest.mark.parametrize("char", CONTROLS.values(), ids=CONTROLS.keys())
def test_every_query_parameter_of_the_api_refuses_control_characters(schema, world, char):
    client = APIClient()
    client.force_authenticate(world["therapist"].user)
    ids = {"id": world["session"].pk, "therapist_id": world["therapist"].pk}
    operations = list(_query_operations(schema))
    assert len(operations) > 10
    for path, name in operations:
        url = path.format(**ids)
        error = assert_error(client.get(url, {name: f"2{char}"}), 400, CODE)
        assert name in error["errors"], (path, name)


@pytest.mark.parametrize("char", CONTROLS.values(), ids=CONTROLS.keys())
def test_the_idempotency_key_header_refuses_control_characters(alice, service, therapist, char):
    """It used to reach PostgreSQL as it came: a NUL in the header was a 500."""
    client = APIClient()
    client.force_authenticate(alice.user)
    response = client.post(
        "/api/v1/sessions/",
        {"service": service.pk, "therapist": therapist.pk, "start": WED_10.isoformat()},
        format="json",
        HTTP_IDEMPOTENCY_KEY=f"retry{char}1",
    )
    error = assert_error(response, 400, CODE)
    assert "Idempotency-Key" in error["errors"]
    assert not Session.objects.exists()


@pytest.mark.parametrize("char", CONTROLS.values(), ids=CONTROLS.keys())
@pytest.mark.parametrize(
    "url",
    [
        "/staff/agenda/?date=2026-12-02{c}",
        "/staff/reports/?group_by=week{c}",
        "/book/?service={c}1",
        "/races/?when=up{c}",
    ],
)
def test_a_page_query_string_with_control_characters_is_a_400_page(therapist, char, url):
    client = Client()
    client.force_login(therapist.user)
    response = client.get(url.format(c=char))
    assert response.status_code == 400
    html = response.content.decode()
    assert SENTENCE in html and 'class="site-header"' in html


def test_the_400_page_speaks_spanish(client):
    client.cookies["django_language"] = "es"
    response = client.get("/?q=\x07")
    assert response.status_code == 400
    assert "caracteres de control invisibles" in response.content.decode()


@pytest.mark.parametrize("path", ["/reminders/book/abc\x00def/", "/api/v1/clinics/\x07/"])
def test_a_path_with_control_characters_is_refused(client, path):
    response = client.get(path)
    assert response.status_code == 400
    if path.startswith("/api/"):
        assert_error(response, 400, CODE)


@pytest.fixture
def pages(alice, therapist, service, world, clinic_admin):
    """(persona, url, valid POST data, the text fields, where a clean post lands)."""
    race, past = world["race"], world["past"]
    start = "2026-12-03T10:00:00+01:00"
    confirm = (
        f"/book/{service.pk}/confirm/?start={start.replace('+', '%2B')}&therapist={therapist.pk}"
    )
    return {
        "profile": (
            alice.user,
            "/profile/",
            {
                "first_name": "Alicia",
                "last_name": "Runner",
                "phone": "600000000",
                "language": "en",
                "timezone": "Europe/Madrid",
                "cadence": "monthly",
                "health_notes": "Left knee",
            },
            ["first_name", "last_name", "phone", "health_notes"],
            302,
        ),
        "race add": (
            alice.user,
            "/races/add/",
            {
                "name": "Valencia Marathon",
                "start": "2027-02-07T08:30",
                "distance_km": "42.2",
                "duration": "3:30",
                "priority": "A",
                "location": "Valencia",
            },
            ["name", "duration", "location"],
            302,
        ),
        "race edit": (
            alice.user,
            f"/races/{race.pk}/edit/",
            {
                "name": "Madrid 10K",
                "start": "2027-01-09T09:00",
                "duration": "0:50",
                "priority": "B",
                "location": "Madrid",
            },
            ["name", "duration", "location"],
            302,
        ),
        "booking confirm": (
            alice.user,
            confirm,
            {"start": start, "therapist": therapist.pk, "runner_note": "Calves", "token": "t-1"},
            ["runner_note", "token"],
            302,
        ),
        "account delete": (
            alice.user,
            "/account/privacy/delete/",
            {"password": PASSWORD, "confirm": "on"},
            ["password"],
            302,
        ),
        "staff attendance": (
            therapist.user,
            f"/staff/sessions/{past.pk}/attendance/",
            {"status": "attended", "side_calves": "both", "note": "Calves loaded"},
            ["note"],
            302,
        ),
        "staff working hours": (
            therapist.user,
            "/staff/schedule/",
            {"valid_from": "2026-12-07", **{f"day_{d}": "09:00-14:00" for d in range(5)}},
            [f"day_{d}" for d in range(5)],
            302,
        ),
        "staff time off": (
            therapist.user,
            "/staff/schedule/time-off/",
            {"start_date": "2026-12-10", "end_date": "2026-12-10", "reason": "Course"},
            ["reason"],
            302,
        ),
        "staff sell a pack": (
            clinic_admin,
            "/staff/packs/",
            {
                "runner": "alice@runners.test",
                "offer": world["offer"].pk,
                "method": "cash",
                "amount": "200.00",
                "reference": "Receipt 7",
            },
            ["runner", "reference"],
            302,
        ),
        "staff adjust credits": (
            clinic_admin,
            f"/staff/packs/runners/{alice.pk}/adjust/",
            {"delta": "2", "reason": "Goodwill", "expires_on": "2027-03-01"},
            ["reason"],
            302,
        ),
        "sign in": (
            None,
            "/accounts/login/",
            {"login": "alice@runners.test", "password": PASSWORD},
            ["login", "password"],
            302,
        ),
        "sign up": (
            None,
            "/accounts/signup/",
            {
                "first_name": "Pablo",
                "email": "new@runners.test",
                "password1": "a-long-pass-phrase",
            },
            ["first_name", "email", "password1"],
            302,
        ),
        "password reset": (
            None,
            "/accounts/password/reset/",
            {"email": "alice@runners.test"},
            ["email"],
            302,
        ),
        "password change": (
            alice.user,
            "/accounts/password/change/",
            {
                "oldpassword": PASSWORD,
                "password1": "another-long-phrase",
                "password2": "another-long-phrase",
            },
            ["oldpassword", "password1", "password2"],
            302,
        ),
        "add an e-mail address": (
            alice.user,
            "/accounts/email/",
            {"email": "alice.second@runners.test", "action_add": ""},
            ["email"],
            302,
        ),
    }


@pytest.fixture
def admin_pages(pages, world, superuser):
    race = world["race"]
    return {
        **pages,
        "admin race change": (
            superuser,
            f"/admin/runners/race/{race.pk}/change/",
            {
                "name": "Madrid 10K",
                "start_0": "2027-01-09",
                "start_1": "09:00:00",
                "finish_0": "2027-01-09",
                "finish_1": "10:00:00",
                "distance_km": "10",
                "priority": "B",
                "location": "Madrid",
            },
            ["name", "location"],
            302,
        ),
    }


PAGES = [
    "profile",
    "race add",
    "race edit",
    "booking confirm",
    "account delete",
    "staff attendance",
    "staff working hours",
    "staff time off",
    "sign in",
    "sign up",
    "password reset",
    "password change",
    "add an e-mail address",
    "admin race change",
]


@pytest.mark.parametrize("page", PAGES)
def test_every_form_page_refuses_control_characters_in_every_text_field(
    admin_pages, page, mailoutbox, settings
):
    settings.ACCOUNT_RATE_LIMITS = False  # a dozen posts to one allauth form in a minute
    user, url, data, fields, landing = admin_pages[page]
    client = Client()
    if user is not None:
        client.force_login(user)
    before = snapshot()
    for field in fields:
        for name, char in CONTROLS.items():
            response = client.post(url, {**data, field: poisoned(data[field], char)})
            assert response.status_code in (200, 400), (field, name, response.status_code)
            assert SENTENCE in response.content.decode(), (field, name)
            assert snapshot() == before, f"{page}: {field} with {name} changed something"
    assert mailoutbox == []
    # The negative control: the same form without the characters goes through.
    response = client.post(url, data)
    assert response.status_code == landing, (page, response.status_code)


def _project_forms():
    from django import forms

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    for form in set(subclasses(forms.BaseForm)):
        if form.__module__.split(".")[0] in {"clinic", "runners", "booking"}:
            yield form


def test_every_form_of_the_project_refuses_control_characters():
    from clinic.forms import RefuseControlCharacters

    # Importing the URLs imports every view, and with them every form.
    get_resolver().url_patterns  # noqa: B018
    forms = list(_project_forms())
    assert len(forms) >= 10
    missing = [f.__qualname__ for f in forms if not issubclass(f, RefuseControlCharacters)]
    assert missing == []


def test_every_form_of_the_django_admin_refuses_control_characters(rf, superuser):
    """Add, change and list forms of every registered ModelAdmin, and of their inlines."""
    from django.contrib import admin

    from clinic.forms import RefuseControlCharacters

    request = rf.get("/admin/")
    request.user = superuser
    checked = []
    for model, model_admin in admin.site._registry.items():
        forms = [
            model_admin.get_form(request, None),
            model_admin.get_form(request, None, change=True),
            model_admin.get_changelist_form(request),
            *(formset.form for formset, _ in model_admin.get_formsets_with_inlines(request)),
        ]
        for form in forms:
            assert issubclass(form, RefuseControlCharacters), (model._meta.label, form)
        checked.append(model._meta.label)
    assert {"booking.Session", "runners.Runner", "clinic.User"} <= set(checked)


def test_every_allauth_page_uses_a_form_that_refuses_control_characters(rf):
    from django import forms
    from django.contrib.auth.models import AnonymousUser

    from clinic.forms import RefuseControlCharacters

    def walk(patterns):
        for p in patterns:
            if hasattr(p, "url_patterns"):
                yield from walk(p.url_patterns)
            else:
                yield p

    checked = []
    for pattern in walk(get_resolver().url_patterns):
        view = getattr(pattern.callback, "view_class", None)
        if (
            view is None
            or not view.__module__.startswith("allauth")
            or not hasattr(view, "get_form_class")
        ):
            continue
        instance = view()
        instance.request = rf.get("/")
        instance.request.user = AnonymousUser()
        instance.request.session = {}
        instance.kwargs = {}
        try:
            form = instance.get_form_class()
        except Exception:  # noqa: BLE001 - a view of a feature that is off (login codes)
            continue
        if any(isinstance(f, forms.CharField) for f in form.base_fields.values()):
            assert issubclass(form, RefuseControlCharacters), (view.__name__, form)
            checked.append(view.__name__)
    assert {"LoginView", "SignupView", "PasswordResetView", "PasswordChangeView"} <= set(checked)


# The .ics race import.


def _ics(summary: str, location: str = "") -> bytes:
    place = f"LOCATION:{location}\r\n" if location else ""
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//y//EN\r\n"
        "BEGIN:VEVENT\r\nSUMMARY:Madrid 10K\r\nDTSTART:20270301T090000Z\r\nEND:VEVENT\r\n"
        f"BEGIN:VEVENT\r\nSUMMARY:{summary}\r\n{place}DTSTART:20270315T090000Z\r\nEND:VEVENT\r\n"
        "END:VCALENDAR\r\n"
    ).encode()


@pytest.mark.parametrize(
    ("summary", "location"),
    [("Half\x00 marathon", ""), ("Trail\x07 30K", ""), ("Trail 30K", "Ávila\x1b[31m")],
    ids=["NUL in the name", "BEL in the name", "escape in the place"],
)
def test_an_ics_file_with_control_characters_is_refused_and_nothing_is_stored(
    alice, summary, location
):
    """It used to become a preview, and importing it was a 500 (PostgreSQL refuses NUL)."""
    client = Client(raise_request_exception=False)
    client.force_login(alice.user)
    response = client.post(
        reverse("runners:race_import"),
        {"file": SimpleUploadedFile("races.ics", _ics(summary, location), "text/calendar")},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert f'data-code="{CODE}"' in html
    assert "Event 2 has invisible control characters" in html
    assert not any("import" in key for key in client.session.keys())
    # Nothing to confirm: the preview sends the runner back to the upload.
    assert (
        client.post(reverse("runners:race_import_preview"), {"pick": ["0", "1"]}).status_code == 302
    )
    assert not Race.objects.exclude(name="Madrid 10K").filter(runner=alice).exists()
    assert not Race.objects.filter(runner=alice, start__year=2027, start__month=3).exists()


def test_importing_an_ics_with_a_nul_in_a_name_is_never_a_500(alice):
    """The finding as it was: upload, tick every race, import → 500 (PostgreSQL refuses
    NUL in text). Now the upload is refused and there is nothing to import."""
    client = Client(raise_request_exception=False)
    client.force_login(alice.user)
    client.post(
        reverse("runners:race_import"),
        {"file": SimpleUploadedFile("races.ics", _ics("Half\x00 marathon"), "text/calendar")},
    )
    response = client.post(reverse("runners:race_import_preview"), {"pick": ["0", "1"]})
    assert response.status_code < 500
    assert not Race.objects.filter(runner=alice).exists()
