"""The runner's pages: a signed-in runner, a Spanish client and the pages' clock."""

from tests.support.page_fixtures import *  # noqa: F403
