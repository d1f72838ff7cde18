"""Playwright fixtures for the browser journeys: Debian's Chromium, one fresh context per person.

The sync Playwright API runs an event loop in the test thread, which makes Django refuse ORM
calls from it (factories, fixtures) unless told it is safe; it is, because the loop only
drives the browser. This has to be set before any test or fixture touches the database.
"""

import os

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from playwright.sync_api import expect, sync_playwright  # noqa: E402

from tests.browser.helpers import watch_for_problems  # noqa: E402
from tests.celery_worker import celery_worker, celery_worker_later  # noqa: E402,F401  (for the letters' journey)
from tests.decisions.conftest import sitting, steps  # noqa: E402,F401  (a panel ready to sit, for the panel's journeys)

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOTS = Path("/tmp/nrm-screens")
TIMEOUT_MS = 10_000

expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests drive Debian's Chromium and never download one. "
            "Run scripts/setup (or `apt-get install chromium`) first.",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def new_context(browser, live_server, transactional_db):
    """A new browser context: a separate person with their own cookies. Every journey also checks
    that no page broke the Content-Security-Policy, threw a script error or opened a dialog."""
    opened = []

    def _new_context(**options):
        context = browser.new_context(base_url=live_server.url, accept_downloads=True, **options)
        context.set_default_timeout(TIMEOUT_MS)
        opened.append((context, watch_for_problems(context)))
        return context

    yield _new_context
    seen = []
    for context, problems in opened:
        context.close()
        seen += problems.lines()
    assert not seen, "The browser saw problems:\n" + "\n".join(seen)


@pytest.fixture
def new_page(new_context):
    """Open a page in a new browser context: a separate person with their own cookies."""
    return lambda: new_context().new_page()


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def screenshot():
    """Save a full-page screenshot outside the repo, for a person to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def _screenshot(page, name):
        page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)

    return _screenshot
