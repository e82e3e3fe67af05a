"""A client no one here wrote (issue 19): openapi-python-client generates a Python client
from the live /api/schema/, and a runner books through it against a live test server:
sign in, availability, book (201), the duplicate refused (409 with its code), move, cancel.
The same journey in curl and Python is docs/api-quickstart.md."""

import importlib
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from django.utils import timezone

from clinic.models import User
from devtools.factories import PASSWORD, TherapistFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

PACKAGE = "booking_client"


@pytest.fixture
def generated_client(live_server, tmp_path):
    """The package generated from the schema the live server serves, importable."""
    response = httpx.get(
        f"{live_server.url}/api/schema/", headers={"Accept": "application/json"}, timeout=30
    )
    assert response.status_code == 200
    schema = tmp_path / "schema.json"
    schema.write_bytes(response.content)
    config = tmp_path / "config.yml"
    config.write_text(
        f"package_name_override: {PACKAGE}\nproject_name_override: booking-client\npost_hooks: []\n"
    )
    generator = Path(sys.executable).parent / "openapi-python-client"
    result = subprocess.run(
        [
            str(generator),
            "generate",
            "--path",
            str(schema),
            "--config",
            str(config),
            "--meta",
            "none",
            "--output-path",
            str(tmp_path / PACKAGE),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # The generator warns about what it could not build; a clean schema gives none.
    assert "Warning" not in result.stdout + result.stderr, result.stdout + result.stderr
    sys.path.insert(0, str(tmp_path))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(tmp_path))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
            del sys.modules[name]


def test_a_generated_client_books_moves_and_cancels(
    generated_client, live_server, alice, therapist, service
):
    api = importlib.import_module(f"{PACKAGE}.api.v1")
    models = importlib.import_module(f"{PACKAGE}.models")
    client_module = importlib.import_module(f"{PACKAGE}.client")
    # A second therapist, so that the duplicate is the runner's own overlap.
    other = TherapistFactory(
        clinic=therapist.clinic,
        display_name="Marta Gil",
        user=UserFactory(email="marta@clinic.test", role=User.Role.THERAPIST, is_staff=True),
    )

    # Sign in.
    anonymous = client_module.Client(base_url=live_server.url)
    token_module = importlib.import_module(f"{PACKAGE}.api.v1.v1_auth_token_create")
    signed_in = token_module.sync_detailed(
        client=anonymous,
        body=models.SignInRequest(email=alice.user.email, password=PASSWORD, device="generated"),
    )
    assert signed_in.status_code == 200, signed_in.content
    client = client_module.AuthenticatedClient(
        base_url=live_server.url, token=signed_in.parsed.token, prefix="Token"
    )

    # Availability over the next two weeks.
    today = service.clinic.local(timezone.now()).date()
    availability = importlib.import_module(f"{api.__name__}.v1_availability_retrieve")
    found = availability.sync_detailed(
        client=client,
        service=service.pk,
        start=today + timedelta(days=1),
        end=today + timedelta(days=14),
    )
    assert found.status_code == 200, found.content
    mine = [s for s in found.parsed.slots if s.therapist == therapist.pk]
    assert len(mine) > 10
    first, later = mine[0], mine[-1]
    assert first.start.tzinfo is not None

    # Book: 201 with the session.
    create = importlib.import_module(f"{api.__name__}.v1_sessions_create")
    booked = create.sync_detailed(
        client=client,
        body=models.SessionCreateRequest(
            service=service.pk, therapist=therapist.pk, start=first.start
        ),
    )
    assert booked.status_code == 201, booked.content
    session = booked.parsed
    assert isinstance(session, models.Session)
    assert session.status == models.SessionStatusEnum.BOOKED
    assert session.start == first.start

    # The same time again, with another therapist: refused, 409 with its code.
    duplicate = create.sync_detailed(
        client=client,
        body=models.SessionCreateRequest(service=service.pk, therapist=other.pk, start=first.start),
    )
    assert duplicate.status_code == 409, duplicate.content
    assert duplicate.parsed.code == "runner_overlap"
    assert duplicate.parsed.detail

    # Move it.
    reschedule = importlib.import_module(f"{api.__name__}.v1_sessions_reschedule_create")
    moved = reschedule.sync_detailed(
        id=session.id, client=client, body=models.RescheduleRequest(start=later.start)
    )
    assert moved.status_code == 200, moved.content
    assert moved.parsed.start == later.start
    assert moved.parsed.id == session.id

    # Cancel it.
    cancel = importlib.import_module(f"{api.__name__}.v1_sessions_cancel_create")
    cancelled = cancel.sync_detailed(id=session.id, client=client)
    assert cancelled.status_code == 200, cancelled.content
    assert cancelled.parsed.status == models.SessionStatusEnum.CANCELLED
