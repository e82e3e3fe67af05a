"""Production-like subprocesses, a closed port and a client that answers as a server
does (no re-raise). tests/project/conftest.py star-imports the fixtures."""

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

__all__ = ["PRODUCTION_ENV", "ROOT", "closed_port", "quiet_client", "run_production"]

PRODUCTION_ENV = {
    "DJANGO_DEBUG": "0",
    "SECRET_KEY": "k" * 20 + "-production-like-secret-for-the-deploy-check-0123456789",
    "ALLOWED_HOSTS": "clinic.example.com,testserver",
    "CSRF_TRUSTED_ORIGINS": "https://clinic.example.com",
}


def closed_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def run_production():
    """Run a Python snippet or manage.py in a fresh process with production settings."""

    def run(*args: str, extra_env: dict | None = None) -> subprocess.CompletedProcess:
        env = {**os.environ, **PRODUCTION_ENV, **(extra_env or {})}
        env.pop("DJANGO_SETTINGS_MODULE", None)
        # The browser tests' conftest sets this for Playwright; production never has it
        # (and the deploy check rightly flags it).
        env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        return subprocess.run(
            [sys.executable, *args],
            cwd=ROOT,
            env={**env, "DJANGO_SETTINGS_MODULE": "clinic.settings"},
            capture_output=True,
            text=True,
            timeout=120,
        )

    return run


@pytest.fixture
def quiet_client():
    """A test client that returns the error response instead of re-raising (as a server)."""
    from django.test import Client

    return Client(raise_request_exception=False)
