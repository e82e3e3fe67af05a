"""The runner's booking pages: a Spanish client and the pages' clock start, and Chromium
for the browser flow."""

from tests.support.browser import *  # noqa: F403
from tests.support.page_fixtures import *  # noqa: F403
