"""The booking API tests: a client per persona and the API clock."""

from tests.support.api_fixtures import *  # noqa: F403
