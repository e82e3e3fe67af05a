"""The booking API tests: the API clock's start and local times."""

from tests.support.api_fixtures import *  # noqa: F403
