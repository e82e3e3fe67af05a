"""Clinic-wide pages (signed-in devices, the admin): the pages' clock start and Spanish
client, and Chromium for the browser test."""

from tests.support.browser import *  # noqa: F403
from tests.support.page_fixtures import *  # noqa: F403
