"""A small schema-driven fuzz: every documented /api/v1/ operation, hit with empty,
wrong-typed and out-of-range input by each kind of user, answers with a status below 500
and, for an error, a `{"code", "detail"}` body. (schemathesis does this at length; this
keeps the floor in the suite.)"""

import re

import pytest
from rest_framework.test import APIClient

from devtools.factories import RaceFactory, SessionFactory
from tests.support.api_fixtures import local

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

BAD_BODIES = [
    {},
    [],
    "text",
    {
        "service": "abc",
        "therapist": [],
        "runner": -1,
        "start": 12,
        "first_start": "2026-02-30T10:00:00+01:00",
        "every_days": -1,
        "count": 10**20,
        "name": None,
        "finish": "yesterday",
        "distance_km": "NaN",
        "priority": "ZZ",
        "discomfort_areas": [1, 2],
        "cadence": 5,
        "timezone": "x" * 500,
        "clinic": 10**20,
        "preferred_therapist": "me",
        "override_reason": {"x": 1},
        "all_or_nothing": "maybe",
        "email": "not-an-email",
        "password": None,
    },
]
BAD_QUERIES = [
    {},
    {"service": "1e9", "start": "2026-02-30", "end": "x", "therapist": "-1"},
    {"service": str(10**20), "start": "2026-12-01", "end": "2026-12-01", "runner": "x"},
    {"page": "abc", "when": "?", "status": "?", "clinic": "x"},
    {"page": "999999"},
]
PATH_IDS = ["0", str(10**20), "abc"]


def _operations(schema: dict):
    for path, item in schema["paths"].items():
        if not path.startswith("/api/v1/"):
            continue
        for method in ("get", "post", "patch", "put", "delete"):
            if method in item:
                yield path, method


def _urls(path: str, ids: list[str]):
    if "{" not in path:
        return [path]
    return [re.sub(r"\{[^}]+\}", pk, path) for pk in ids]


@pytest.mark.parametrize("persona", [None, "alice", "therapist", "clinic_admin"])
def test_no_operation_answers_500(persona, request, alice, bob, therapist, service):
    session = SessionFactory(
        runner=alice, therapist=therapist, service=service, start=local(2026, 12, 2, 10)
    )
    race = RaceFactory(runner=alice)
    client = APIClient()
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    if persona is not None:
        obj = request.getfixturevalue(persona)
        client.force_authenticate(getattr(obj, "user", obj))
    ids = [*PATH_IDS, str(session.pk), str(race.pk)]
    failures = []
    for path, method in _operations(schema):
        for url in _urls(path, ids):
            if method in ("get", "delete"):
                attempts = [(q, None) for q in BAD_QUERIES] if method == "get" else [({}, None)]
            else:
                attempts = [({}, b) for b in BAD_BODIES]
            for query, body in attempts:
                call = getattr(client, method)
                if method in ("get", "delete"):
                    r = call(url, query)
                else:
                    r = call(url, body, format="json")
                if r.status_code >= 500:
                    failures.append((method.upper(), url, query, body, r.status_code))
                    continue
                if r.status_code >= 400:
                    data = r.json()
                    if not (isinstance(data, dict) and data.get("code") and data.get("detail")):
                        failures.append((method.upper(), url, query, body, "shape", data))
    assert not failures, failures[:10]
