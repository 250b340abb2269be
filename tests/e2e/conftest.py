"""Browser tests: Playwright driving Debian's Chromium (/usr/bin/chromium) against the
live test server. Playwright's own browser downloads are not used."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

# Playwright's sync API runs an event loop in the test thread; Django's ORM guard would
# otherwise refuse the fixtures' queries in that thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("REMIS_CHROMIUM", "/usr/bin/chromium")
# Headless as root, and no background traffic to hosts this machine cannot reach.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: run bin/test, which installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def flushable_db(parallel_db: Any) -> None:
    """A live-server database: committed, flushed after each test, with the shipped
    configuration loaded (the root conftest's `parallel_db` does all three)."""


@pytest.fixture
def world(flushable_db: None) -> Any:
    from remis.cases.tests.factories import make_world

    return make_world()


@pytest.fixture
def login(browser: Any, live_server: Any) -> Any:
    """login(user) -> a new page, signed in as that user in its own browser context."""
    from remis.cases.tests.factories import PASSWORD

    contexts = []

    def _login(user: Any, locale: str = "en-GB") -> Any:
        context = browser.new_context(locale=locale, base_url=live_server.url)
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{live_server.url}/")
        return page

    yield _login
    for context in contexts:
        context.close()
