"""The runner API tests: the API clock's start (it overrides the pages' clock_start
from tests/runners/conftest.py)."""

from tests.support.api_fixtures import *  # noqa: F403
