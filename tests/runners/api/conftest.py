"""The runner API tests: a client per persona and the API clock (these override the
pages' fixtures of the same names from tests/runners/conftest.py)."""

from tests.support.api_fixtures import *  # noqa: F403
