"""The production run: bin/serve with DEBUG off (migrate, collect static files, gunicorn)
serves pages a browser can use, with the fingerprinted stylesheet. With DEBUG off and no
collected files, every page used to answer 500; the live test server cannot show that, as
it runs with the test settings, so this starts the real script on a throwaway database."""

from __future__ import annotations

import base64
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django_otp.oath import TOTP

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "a-long-production-password-42"
CREATE_USER = f"""
from remis.accounts import actions
from remis.accounts.models import OrganisationType
from remis.accounts.system import system_actor
system = system_actor()
office = actions.create_organisation(
    system, name="IOM Belgium", kind=OrganisationType.IOM_MISSION, country="BE"
)
user = actions.create_user(system, username="ops", password={PASSWORD!r}, first_name="Ops")
actions.add_membership(system, user=user, organisation=office, role="counsellor", countries=["BE"])
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until_up(url: str, server: subprocess.Popen[bytes], log: Path, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"bin/serve exited with {server.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 (a loopback URL we built)
                return
        except urllib.error.HTTPError as error:
            pytest.fail(f"{url} answered {error.code}:\n{log.read_text()[-3000:]}")
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"bin/serve did not answer within {seconds} s:\n{log.read_text()[-3000:]}")


@pytest.fixture
def production_server(tmp_path: Path) -> Iterator[str]:
    """bin/serve on a free loopback port, DEBUG off, its own SQLite database and static
    directory under tmp_path (whatever database the suite itself runs on)."""
    port = _free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    env.update(
        DEBUG="0",
        SECRET_KEY="production-run-test-key-" + "z" * 40,
        REMIS_VAR_DIR=str(tmp_path),
        REMIS_PYTHON=sys.executable,
        REMIS_BIND=f"127.0.0.1:{port}",
        REMIS_WORKERS="2",
    )
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        server = subprocess.Popen(  # bin/serve execs gunicorn: this pid is gunicorn's master
            [str(ROOT / "bin" / "serve")], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_until_up(f"{base}/accounts/login/", server, log)
        subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", CREATE_USER],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        yield base
    finally:
        server.send_signal(signal.SIGTERM)  # gunicorn stops its workers and exits
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def test_signed_in_dashboard_with_debug_off_loads_the_fingerprinted_stylesheet(
    browser: Any, production_server: str
) -> None:
    context = browser.new_context(locale="en-GB", base_url=production_server)
    context.set_default_timeout(15_000)
    page = context.new_page()
    static: dict[str, int] = {}
    page.on("response", lambda r: static.__setitem__(r.url, r.status) if "/static/" in r.url else None)
    try:
        assert page.goto("/accounts/login/").status == 200
        page.get_by_label("Username").fill("ops")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        # A platform operator sets up two-factor sign-in first (the QR code, then a code).
        page.wait_for_url(re.compile(r"/accounts/two-factor/set-up/"))
        key = base64.b32decode(page.locator("#totp-key").inner_text().replace(" ", ""))
        totp = TOTP(key)
        totp.time = time.time()
        page.locator("#id_code").fill(f"{totp.token():06d}")
        page.locator("main form button.primary").click()
        page.locator("main a.button.primary").click()  # the recovery codes kept
        page.wait_for_url(f"{production_server}/")
        page.wait_for_load_state("load")
        assert page.get_by_role("heading", level=1).count() >= 1
        stylesheets = {url: status for url, status in static.items() if url.endswith(".css")}
        # The manifest storage serves remis.<12 hex digits>.css: cacheable for ever.
        hashed = [url for url in stylesheets if re.search(r"/static/remis/remis\.[0-9a-f]{12}\.css$", url)]
        assert hashed, stylesheets
        assert all(status == 200 for status in stylesheets.values()), stylesheets
        assert page.evaluate("[...document.styleSheets].some(s => s.cssRules.length > 0)")
    finally:
        context.close()
