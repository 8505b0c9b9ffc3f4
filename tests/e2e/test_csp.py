"""Content Security Policy in a real browser: no page logs a violation.

Every CSP violation is caught twice: the `securitypolicyviolation` event (recorded by a script
Playwright adds before the page's own, which CSP does not apply to) and Chromium's console
message. Public pages, the console and the Wagtail admin's main screens, including the
StreamField editor with its image and document choosers and the workflow pages, must show none.
"""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django_tenants.utils import schema_context

from sites.core.models import ColumnPage
from tenants import services
from tests.factories import make_article

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} `
    + `at ${e.sourceFile || document.location.pathname}:${e.lineNumber} ${e.sample || ''}`);
});
"""


@pytest.fixture
def watched(new_page):
    """watched() → (page, violations): a page whose CSP violations are collected."""

    def make():
        page = new_page()
        console = []
        page.add_init_script(RECORD_VIOLATIONS)
        page.on(
            "console",
            lambda message: (
                console.append(message.text) if "Content Security Policy" in message.text else None
            ),
        )
        # A script the policy blocked often shows only as a later error (initDateChooser is
        # not defined): those count too.
        page.on("pageerror", lambda error: console.append(f"page error: {error}"))
        # The requests still open, named if a page never goes quiet.
        page.in_flight = set()
        page.on("request", lambda request: page.in_flight.add(request))
        for done in ("requestfinished", "requestfailed"):
            page.on(done, lambda request: page.in_flight.discard(request))

        def violations():
            """What was reported since the last call."""
            seen = list(console)
            console.clear()
            return seen + page.evaluate("window.__cspViolations.splice(0)")

        return page, violations

    return make


def _settle(page, quiet_ms=500, timeout_ms=30_000):
    """Wait until the page has had no request open for `quiet_ms`: its scripts have run and
    loaded what they load. Playwright's "networkidle" is the same idea, but under load it timed
    out on pages where every request the page made had finished (a request it counts that the
    page's own events never show); this waits on the requests the page reports, and names the
    ones still open if it never settles."""
    quiet = 0
    for _ in range(timeout_ms // 100):
        quiet = quiet + 100 if not page.in_flight else 0
        if quiet >= quiet_ms:
            return
        page.wait_for_timeout(100)  # lets Playwright deliver the request events
    open_requests = sorted(request.url for request in page.in_flight)
    raise AssertionError(f"{page.url} never went quiet; requests still open: {open_requests}")


def _visit(page, violations, url, found):
    page.goto(url)
    _settle(page)
    for violation in violations():
        found.append(f"{url}: {violation}")


def _superuser(username, password):
    with schema_context("alpha"):
        get_user_model().objects.create_superuser(username=username, password=password)


def test_public_pages_and_the_console_log_no_csp_violation(watched, site_url):
    alpha = services.get_site("alpha")
    article = make_article(alpha, "内容安全策略测试文章", "正文")
    with schema_context("alpha"):
        article_path = article.url
    page, violations = watched()
    found = []
    for path in [
        "/",
        "/gzdt/",
        article_path,
        "/search/?q=测试",
        "/zwgk/catalogue/",
        "/no-such-page/",
    ]:
        _visit(page, violations, site_url(alpha, path), found)
    username = f"csp-op-{datetime.datetime.now():%H%M%S%f}"
    get_user_model().objects.create_user(username, password="Operator-Csp-2026", is_staff=True)
    _visit(page, violations, site_url("console.localhost", "/login/"), found)
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "Operator-Csp-2026")
    page.click("button[type=submit]")
    _settle(page)
    for path in ["/", "/accounts/", "/sites/responsibility/", "/sites/alpha/", "/2fa/setup/"]:
        _visit(page, violations, site_url("console.localhost", path), found)
    assert not found, "CSP violations:\n" + "\n".join(found)


def test_the_wagtail_admin_logs_no_csp_violation(watched, site_url):
    alpha = services.get_site("alpha")
    username = f"csp-admin-{datetime.datetime.now():%H%M%S%f}"
    _superuser(username, "Csp-Admin-Pass-2026")
    article = make_article(alpha, "管理后台策略测试", "正文")
    with schema_context("alpha"):
        from wagtail.models import Site

        column = ColumnPage.objects.get(slug="gzdt")
        disclosure = ColumnPage.objects.get(slug="zwgk")
        home_id = column.get_parent().pk
        site_id = Site.objects.get(is_default_site=True).pk
    page, violations = watched()
    found = []
    _visit(page, violations, site_url(alpha, "/admin/login/"), found)
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "Csp-Admin-Pass-2026")
    page.click("button[type=submit]")
    _settle(page)
    # The admin is under a real policy: no inline script without this response's nonce.
    policy = page.goto(site_url(alpha, f"/admin/pages/{article.pk}/edit/")).headers[
        "content-security-policy"
    ]
    script_src = next(part for part in policy.split(";") if part.strip().startswith("script-src"))
    assert (
        "'nonce-" in script_src
        and "'unsafe-inline'" not in script_src
        and "'unsafe-eval'" not in script_src
    )
    for path in [
        "/admin/",
        f"/admin/pages/{home_id}/",
        f"/admin/pages/{column.pk}/",
        f"/admin/pages/{article.pk}/edit/",
        "/admin/images/",
        "/admin/images/multiple/add/",
        "/admin/documents/",
        "/admin/documents/multiple/add/",
        "/admin/users/",
        "/admin/workflows/list/",
        "/admin/workflows/tasks/index/",
        "/admin/reports/workflow/",
        "/admin/reports/workflow_tasks/",
        "/admin/security/accounts/",
        "/admin/security/audit/",
        "/admin/2fa/setup/",
        "/admin/workflows/add/",
        # chooser widgets as form fields (their start-up script is built in Python)
        f"/admin/settings/core/siteidentity/{site_id}/",
        f"/admin/pages/add/disclosure/policydocumentpage/{disclosure.pk}/",
    ]:
        _visit(page, violations, site_url(alpha, path), found)

    # An inline panel: a child form added by script, with a page chooser inside.
    topic = site_url(alpha, f"/admin/pages/add/disclosure/topicpage/{column.pk}/")
    _visit(page, violations, topic, found)
    page.locator("button[id$='-ADD']").first.click()
    page.wait_for_timeout(500)
    found += [f"{topic} (an item added): {v}" for v in violations()]

    # The StreamField editor with a rich text block, and its image and document choosers
    # (modals whose content is loaded and run by script).
    editor = site_url(alpha, f"/admin/pages/add/core/articlepage/{column.pk}/")
    _visit(page, violations, editor, found)
    for block, chooser in (("段落", None), ("图片", "选择一个图片"), ("附件", "选择一个文档")):
        page.locator("button.c-sf-add-button").last.click()
        page.get_by_role("option", name=block, exact=False).first.click()
        if chooser:
            page.get_by_role("button", name=chooser).last.click()
            page.locator(".modal-content .modal-body").first.wait_for()
            _settle(page)
            page.locator(".modal.in button.close").first.click()
            page.locator(".modal.in").wait_for(state="detached")
        page.wait_for_timeout(300)
    # The preview panel (an iframe of the page being edited).
    page.locator("button[data-side-panel-toggle='preview']").first.click()
    _settle(page)
    page.wait_for_timeout(1000)
    found += [f"{editor} (blocks, choosers, preview): {v}" for v in violations()]
    assert not found, "CSP violations:\n" + "\n".join(found)
