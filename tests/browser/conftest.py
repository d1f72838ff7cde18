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
def new_page(browser, live_server, transactional_db):
    """Open a page in a new browser context: a separate person with their own cookies."""
    contexts = []

    def _new_page():
        context = browser.new_context(base_url=live_server.url, accept_downloads=True)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield _new_page
    for context in contexts:
        context.close()


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
