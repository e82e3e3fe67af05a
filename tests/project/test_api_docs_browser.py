"""The API docs render in Chromium under the site's real Content-Security-Policy (no
'unsafe-inline'): Swagger UI lists the operations, ReDoc its operation menu, and the
browser reports no CSP violation."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def strict_page(chromium, live_server):
    """A page that keeps the CSP (the shared `page` fixture may bypass it for axe) and
    records every violation, from the console and from the DOM event."""
    context = chromium.new_context(base_url=live_server.url, bypass_csp=False)
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.add_init_script(
        "window.__csp = [];"
        "document.addEventListener('securitypolicyviolation', e =>"
        " window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline')));"
    )
    page.console_errors = []
    page.on(
        "console",
        lambda m: page.console_errors.append(m.text) if m.type in ("error", "warning") else None,
    )
    yield page
    context.close()


def _csp_problems(page) -> list[str]:
    reported = page.evaluate("window.__csp")
    console = [t for t in page.console_errors if "Content Security Policy" in t]
    return reported + console


def test_swagger_ui_lists_the_operations(strict_page, artifacts):
    page = strict_page
    response = page.goto("/api/docs/")
    policy = response.headers["content-security-policy"]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    sessions = page.locator('.opblock-summary-path[data-path="/api/v1/sessions/"]').first
    sessions.wait_for(state="visible")
    assert page.locator(".opblock").count() > 10
    page.screenshot(path=str(artifacts / "api-docs-swagger.png"))
    assert _csp_problems(page) == [], page.console_errors


def test_redoc_lists_the_operations(strict_page, artifacts):
    page = strict_page
    response = page.goto("/api/redoc/")
    policy = response.headers["content-security-policy"]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    sessions = page.locator('[id="tag/v1/operation/v1_sessions_list"]')
    sessions.wait_for(state="visible")
    assert "/api/v1/sessions/" in sessions.inner_text()
    assert page.locator('li[role=menuitem][data-item-id*="/operation/"]').count() > 10
    page.screenshot(path=str(artifacts / "api-docs-redoc.png"))
    assert _csp_problems(page) == [], page.console_errors
