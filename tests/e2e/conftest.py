"""Browser tests: Playwright driving Debian's Chromium (/usr/bin/chromium) against the
live test server. Playwright's own browser downloads are not used."""

from __future__ import annotations

import importlib
import io
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


def _audit_triggers(install: bool) -> None:
    """Browser tests run on a live server, so the database is flushed (not rolled back)
    after each; on SQLite that flush is a DELETE the append-only trigger refuses. The
    trigger is lifted only for the flush and restored before the next test."""
    from django.db import connection

    if connection.vendor != "sqlite":
        return  # PostgreSQL flushes with TRUNCATE, which row triggers do not see
    migration = importlib.import_module("remis.audit.migrations.0002_append_only_trigger")
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER IF EXISTS audit_no_update")
        cursor.execute("DROP TRIGGER IF EXISTS audit_no_delete")
        if install:
            for sql in migration.SQLITE:
                cursor.execute(sql)


@pytest.fixture
def flushable_db(transactional_db: Any) -> Iterator[None]:
    """A live-server database with the shipped configuration (roles, categories), which
    the flush after the previous browser test removed, and flushable after the test."""
    from django.core.management import call_command

    _audit_triggers(install=True)
    call_command("sync_defaults", stdout=io.StringIO())
    yield
    _audit_triggers(install=False)


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
