"""The runner's booking pages: a signed-in runner and the pages' clock, and Chromium
for the browser flow."""

from tests.support.browser import *  # noqa: F403
from tests.support.page_fixtures import *  # noqa: F403
