"""The runner's pages: a Spanish client and the pages' clock start."""

from tests.support.page_fixtures import *  # noqa: F403
