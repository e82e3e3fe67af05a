"""The clinic API tests (catalogue, tokens): a client per persona and the API clock."""

from tests.support.api_fixtures import *  # noqa: F403
