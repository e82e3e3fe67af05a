"""The one persona fixture: for each persona an API client and a page client, signed in.

    def test_x(persona):
        alice = persona("alice")
        alice.api.get("/api/v1/sessions/")      # DRF APIClient, force_authenticate
        alice.page.get("/sessions/")             # Django test Client, force_login
        persona(None).api                        # anonymous

Personas (tests/conftest.py, built on devtools.factories): runner "alice", other runner
"bob", "therapist" (Alice's clinic), "other_therapist" (another clinic), "clinic_admin",
"other_admin" (the other clinic's admin), "superuser". The first page client handed out
is pytest-django's `client` itself, so a test may use either.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import pytest
from django.test import Client
from rest_framework.test import APIClient

__all__ = ["PERSONAS", "Persona", "persona"]

PERSONAS = (
    "alice",
    "bob",
    "therapist",
    "other_therapist",
    "clinic_admin",
    "other_admin",
    "superuser",
)


@dataclass
class Persona:
    name: str | None
    user: object  # clinic.models.User, or None for the anonymous visitor
    _page_client: Callable[[], Client] = field(repr=False)

    @cached_property
    def api(self) -> APIClient:
        client = APIClient()
        if self.user is not None:
            client.force_authenticate(self.user)
        return client

    @cached_property
    def page(self) -> Client:
        client = self._page_client()
        if self.user is not None:
            client.force_login(self.user)
        return client


@pytest.fixture
def persona(request) -> Callable[[str | None], Persona]:
    made: dict[str | None, Persona] = {}
    handed: list[Client] = []

    def page_client() -> Client:
        client = request.getfixturevalue("client") if not handed else Client()
        handed.append(client)
        return client

    def get(name: str | None) -> Persona:
        if name not in made:
            if name is not None and name not in PERSONAS:
                raise LookupError(f"no persona {name!r}; the personas are {PERSONAS}")
            obj = request.getfixturevalue(name) if name else None
            made[name] = Persona(name, getattr(obj, "user", obj), page_client)
        return made[name]

    return get
