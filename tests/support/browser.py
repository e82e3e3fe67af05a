"""Real headless Chromium (Debian's) driven by Playwright, against pytest-django's
live_server. Artifacts (screenshots) go to test-artifacts/; axe-core comes from
tests/support/node (`make browser-deps`). The browser test folders' conftests star-import
this module."""

import os
from pathlib import Path

import pytest

__all__ = ["ARTIFACTS", "artifacts", "axe_serious", "chromium", "page"]

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
AXE = Path(__file__).resolve().parent / "node" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def chromium():
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests
    # make between page actions are still synchronous and safe. Set only while the
    # browser runs, so no other test (e.g. `check --deploy`) inherits it.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(chromium, live_server):
    # bypass_csp only so the axe script can be injected; the app's own pages run under
    # the real policy otherwise (no inline scripts of ours are needed).
    context = chromium.new_context(
        base_url=live_server.url,
        locale="en-GB",
        bypass_csp=AXE.exists(),
        viewport={"width": 1024, "height": 800},
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.js_errors = errors
    yield page
    context.close()


@pytest.fixture
def artifacts():
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def axe_serious(page) -> list[dict]:
    """Serious and critical WCAG 2 A/AA violations on the current page (axe-core)."""
    if not AXE.exists():
        if os.environ.get("CI"):
            raise AssertionError("axe-core missing: run `make browser-deps`")
        pytest.skip("axe-core not installed (make browser-deps)")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async () => await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"""
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
