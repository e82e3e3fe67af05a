"""schemathesis against the OpenAPI schema: no 5xx, and every response matches the schema.

Runs anonymous and as runner Alice (token), against real PostgreSQL. The number of
examples per operation is FUZZ_EXAMPLES (default 15 in the suite; raise it for a long
run: FUZZ_EXAMPLES=200 pytest tests/project/test_fuzz_api.py --hypothesis-show-statistics).
"""

import os
from datetime import timedelta

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, settings
from rest_framework.throttling import SimpleRateThrottle
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from clinic.tokens import token_create
from devtools.factories import RaceFactory, SessionFactory

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "15"))
CHECKS = (
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
)

pytestmark = pytest.mark.postgres


@pytest.fixture
def api_schema(db, clinic, service, therapist, other_therapist, alice, bob, monkeypatch):
    from django.core.wsgi import get_wsgi_application

    # Throttles would answer 429 long before the fuzzer is done.
    for scope in list(SimpleRateThrottle.THROTTLE_RATES):
        monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, scope, "1000000/min")
    # Data for the ids the fuzzer tries: sessions and races of both runners.
    now = timezone.now()
    SessionFactory(
        runner=alice, therapist=therapist, service=service, start=now + timedelta(days=4)
    )
    SessionFactory(runner=bob, therapist=therapist, service=service, start=now + timedelta(days=5))
    RaceFactory(runner=alice)
    raw = Client().get("/api/schema/", {"format": "json"}).json()
    # As Django's test client does: the requests share the test's connection and
    # transaction, so they must not close it at their end.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    loaded = schemathesis.from_dict(raw, app=get_wsgi_application(), base_url="/")
    only = os.environ.get("FUZZ_PATHS")  # a regex, to replay a finding on a few paths
    yield loaded.include(path_regex=only) if only else loaded
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


schema = schemathesis.from_pytest_fixture("api_schema")
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)


@schema.parametrize()
@FUZZ_SETTINGS
def test_api_as_anonymous(case):
    response = case.call_wsgi()
    case.validate_response(response, checks=CHECKS)


@schema.parametrize()
@FUZZ_SETTINGS
def test_api_as_a_runner(case, alice):
    # A token per case: a case that signs out (DELETE /api/v1/auth/token/) ends only its own.
    _token, key = token_create(user=alice.user, device="schemathesis")
    response = case.call_wsgi(headers={"Authorization": f"Token {key}"})
    case.validate_response(response, checks=CHECKS)
