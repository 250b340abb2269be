"""Browser tests: Playwright driving Debian's Chromium (/usr/bin/chromium) against the
live test server. Playwright's own browser downloads are not used.

Every page a test loads is checked by axe-core (installed from the npm registry by bin/test,
pinned in package.json beside this file) for WCAG 2.2 A and AA, and every Content-Security-Policy
violation the browser reports fails the test: see `new_context`."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import warnings
from collections.abc import Iterator
from pathlib import Path
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


AXE = Path(__file__).with_name("node_modules") / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# How long a navigation waits for the previous page's check (a loaded CI machine is slow).
AXE_PATIENCE_MS = 60_000

# Runs in every page before its own scripts (Playwright injects it outside the page's CSP):
# axe checks the document once it has loaded and again after each htmx swap, one run at a
# time, and tells the test through a binding when a check starts (the load check from the
# document's creation) and what it found.
AXE_GLUE = """
(() => {
  if (window.top !== window || !/^https?:$/.test(location.protocol)) return;
  const options = {runOnly: {type: "tag", values: %s}, resultTypes: ["violations"]};
  const brief = (v) => ({id: v.id, impact: v.impact, help: v.help,
                         nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" "))});
  const doc = Math.random().toString(36).slice(2);
  const tell = (event, when, found) => window.__remisAxe(event, doc, location.href, when, found);
  let last = Promise.resolve();
  let busy = false;
  // A check asked for while one runs is run once after it, however many were asked for: a
  // page that swaps every 2 s (the Jobs page polling) must not pile up checks on a slow
  // machine. Every "start" told is matched by one "done".
  let pending = null;
  const run = (when) => {
    busy = true;
    last = axe.run(document, options)
      .then((r) => r.violations.map(brief), (e) => [{id: "axe-error", help: String(e), nodes: []}])
      .then((found) => {
        tell("done", when, found);
        busy = false;
        if (pending !== null) { const next = pending; pending = null; return run(next); }
      });
    return last;
  };
  window.__remisCheck = (when) => {
    if (pending !== null) return last;  // the re-check already due will see this state
    tell("start", when, []);
    if (busy) { pending = when; return last; }
    return run(when);
  };
  tell("start", "load", []);
  let loaded = false;
  const onLoad = () => {
    if (loaded) return;
    loaded = true;
    if (pending !== null) tell("done", "load", []);  // the re-check due covers the loaded page
    else if (busy) pending = "load";
    else run("load");
  };
  window.addEventListener("load", onLoad);
  // The load event was seen, rarely, never to come in a headless browser on a busy machine
  // (a page left unchecked and every later click waiting for it): check the document as it
  // is after 5 s then.
  document.addEventListener("DOMContentLoaded", () => setTimeout(onLoad, 5000));
  // A region that refreshes itself (trigger "every 2s": the Jobs page) is checked once it has
  // stopped: axe running while the region is replaced under it can wait for ever.
  const polling = (el) => el instanceof Element &&
    /\bevery\b/.test(el.getAttribute("data-hx-trigger") || el.getAttribute("hx-trigger") || "");
  document.addEventListener("htmx:afterSettle", (event) => {
    if (!polling(event.target)) window.__remisCheck("htmx swap");
  });
  // Nor is it replaced while a check runs: that refresh is skipped (the next comes 2 s later).
  document.addEventListener("htmx:beforeRequest", (event) => {
    if (busy && polling(event.target)) event.preventDefault();
  });
})();
"""


def check_accessibility(page: Any, when: str = "checked by the test") -> None:
    """Checks the page as it is now (e.g. after opening every <details>); what axe finds
    joins the findings on each load, which fail the test when it ends."""
    page.evaluate("(when) => window.__remisCheck(when)", when)


class PageChecks:
    """What axe-core found, and the CSP violations and uncaught script errors the browser
    reported, in every page of the contexts a test opened; and the checks still running in
    each page's document."""

    def __init__(self) -> None:
        self.current: dict[Any, str] = {}  # page -> its latest document
        self.running: dict[str, int] = {}  # document -> checks started and not finished
        self.problems: list[str] = []

    def on_axe(
        self, source: dict[str, Any], event: str, doc: str, url: str, when: str, found: list[Any]
    ) -> None:
        if event == "start" and when == "load":
            self.current[source["page"]] = doc
        self.running[doc] = self.running.get(doc, 0) + (1 if event == "start" else -1)
        for v in found:
            impact, nodes = v.get("impact"), v["nodes"]
            self.problems.append(f"axe-core {url} ({when}): {v['id']} [{impact}] {v['help']}: {nodes}")

    def on_console(self, message: Any) -> None:
        if "Content Security Policy" in message.text:
            self.problems.append(f"CSP {message.page.url if message.page else '?'}: {message.text}")

    def on_web_error(self, error: Any) -> None:
        """A script error nobody caught (remis.js threw on a malformed "#%E0" in the address,
        and no test saw it): the page's behaviour stopped there."""
        where = error.page.url if error.page else "?"
        self.problems.append(f"JavaScript error {where}: {error.error.message}")

    def wait_for(self, page: Any) -> None:
        """Until the checks of the page's document (its load, then any started since) end."""
        doc = self.current.get(page, "")
        waited = 0
        while self.running.get(doc, 0) > 0 and waited < AXE_PATIENCE_MS:
            page.wait_for_timeout(50)
            waited += 50
        if self.running.get(doc, 0) > 0:
            # Known harness gap (see the session note of 2026-11-30): on a busy machine a
            # page's check sometimes never starts or ends. That says nothing about the page,
            # so it is reported as a warning, not a failure; violations found by the checks
            # that do finish, and CSP reports, still fail the test.
            message = f"axe-core did not finish checking {page.url} in {AXE_PATIENCE_MS} ms"
            warnings.warn(message, stacklevel=2)
            self.running[doc] = 0

    def before_request(self, route: Any) -> None:
        """A page navigates away only once its document is checked: the document lives until
        the new one's response arrives, so no page that a test waited for goes unchecked,
        however fast the test clicks on. (Waiting here, not evaluating: Playwright runs no
        script in a frame that is navigating.)"""
        request = route.request
        if request.is_navigation_request() and request.frame.parent_frame is None:
            self.wait_for(request.frame.page)
        route.fallback()


@pytest.fixture
def new_context(browser: Any, live_server: Any) -> Iterator[Any]:
    """new_context(locale) -> a browser context in which axe-core checks every page loaded
    and the browser's CSP reports are read; the test fails on what either finds."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run bin/test, which installs axe-core with npm")
    init_script = AXE.read_text(encoding="utf-8") + AXE_GLUE % json.dumps(WCAG_TAGS)
    checks = PageChecks()
    contexts: list[Any] = []

    def _new_context(locale: str = "en-GB") -> Any:
        context = browser.new_context(locale=locale, base_url=live_server.url)
        # Longer than AXE_PATIENCE_MS: a click may wait for the previous page's check.
        context.set_default_timeout(75_000)
        context.expose_binding("__remisAxe", checks.on_axe)
        context.add_init_script(script=init_script)
        context.route("**/*", checks.before_request)
        context.on("console", checks.on_console)
        context.on("weberror", checks.on_web_error)
        contexts.append(context)
        return context

    yield _new_context
    for context in contexts:
        for page in context.pages:
            checks.wait_for(page)
        context.close()
    assert not checks.problems, f"{len(checks.problems)} accessibility or CSP problems:\n" + "\n".join(
        checks.problems
    )


@pytest.fixture
def login(new_context: Any, live_server: Any) -> Any:
    """login(user, locale) -> a new page, signed in as that user in its own browser context,
    whose browser asks for that locale (the sign-in page is then in that language). A user
    whose roles require a second factor gets an authenticator if they have none, and the
    code it shows now is typed on the second step, as a person would."""
    from remis.accounts.tests.second_factor import authenticator, code_for
    from remis.accounts.two_factor import has_two_factor, requires_two_factor
    from remis.cases.tests.factories import PASSWORD

    def _login(user: Any, locale: str = "en-GB") -> Any:
        device = authenticator(user) if requires_two_factor(user) or has_two_factor(user) else None
        page = new_context(locale).new_page()
        page.goto("/accounts/login/")
        page.locator("#id_username").fill(user.username)
        page.locator("#id_password").fill(PASSWORD)
        page.locator("main form button[type=submit]").click()
        if device is not None:
            page.wait_for_url("**/accounts/two-factor/code/**")
            page.locator("#id_code").fill(code_for(device))
            page.locator("main form button[type=submit]").click()
        page.wait_for_url(f"{live_server.url}/")
        return page

    return _login


@pytest.fixture
def start_worker(flushable_db: None, tmp_path: Any, settings: Any) -> Any:
    """start_worker() starts `manage.py db_worker` on the test database; stopped after the test."""
    from django.db import connection

    from remis.jobs.tests.worker_process import ROOT, manage, process_env

    processes: list[subprocess.Popen[bytes]] = []

    def _start() -> None:
        with (tmp_path / "worker.log").open("wb") as out:
            processes.append(
                subprocess.Popen(
                    manage("db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.2"),
                    cwd=ROOT,
                    # the files it writes (report packages) where the live server reads them
                    env=process_env(connection, REMIS_MEDIA_ROOT=str(settings.MEDIA_ROOT)),
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            )

    yield _start
    for process in processes:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
