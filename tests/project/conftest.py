"""Tests of the project as a whole (settings, errors, schema, fuzzing, permissions):
the API clock's start, production-like subprocesses and Chromium."""

from tests.support.api_fixtures import *  # noqa: F403
from tests.support.browser import *  # noqa: F403
from tests.support.processes import *  # noqa: F403
