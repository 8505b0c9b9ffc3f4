"""Browser journeys: headless Debian Chromium (Playwright) against a real threaded server.

The server runs over the committed test database (the `alpha` and `beta` sites from the root
conftest), not inside a rolled-back transaction: pytest-django's own live_server would flush
the public schema's registry after each test. Tests name what they create uniquely.
"""

import os
import re
import shutil
from pathlib import Path

import pytest
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.test.testcases import LiveServerThread

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Playwright's sync API runs an event loop in this thread; the ORM calls made by tests to
# arrange data are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


FAILURE_SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "e2e-failures"


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test, so fixtures can tell that it failed."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture(scope="session")
def live_port(django_db_setup, django_db_blocker):
    """Port of a threaded server on 127.0.0.1; `*.localhost` names resolve to it."""
    django_db_blocker.unblock()
    thread = LiveServerThread("localhost", StaticFilesHandler, port=0)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    yield thread.port
    thread.terminate()
    django_db_blocker.restore()


@pytest.fixture
def site_url(live_port):
    """site_url(website_or_host, "/path/") → an absolute URL on the live server."""

    def build(site, path="/"):
        hostname = site if isinstance(site, str) else site.primary_domain
        return f"http://{hostname}:{live_port}{path}"

    return build


@pytest.fixture(scope="session")
def browser():
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        pytest.skip(
            f"Debian's Chromium is not at {CHROMIUM}: run `make browser` (apt-get install chromium)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(request, browser):
    """new_page() → a page in a fresh browser context (its own cookies: one person)."""
    contexts = []

    def make():
        context = browser.new_context(locale="zh-CN")
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    failed = getattr(request.node, "report_call", None)
    if failed is not None and failed.failed:
        # What each person's browser showed when the test failed: var/e2e-failures/.
        FAILURE_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)
        for number, context in enumerate(contexts, 1):
            for index, page in enumerate(context.pages, 1):
                path = FAILURE_SCREENSHOTS / f"{name}-{number}-{index}.png"
                try:
                    page.screenshot(path=str(path), full_page=True)
                    print(f"screenshot of the failed journey: {path}")
                except Exception as error:  # noqa: BLE001 (a closed page must not hide the failure)
                    print(f"no screenshot of {path.name}: {error}")
    for context in contexts:
        context.close()
