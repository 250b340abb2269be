"""Production settings pass Django's deployment checks, and refuse to start without a key."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    clean["DJANGO_SETTINGS_MODULE"] = "remis.settings"
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECURE="1",
        SECRET_KEY="k" * 20 + "-production-like-secret-" + "z" * 30,
        RESEARCH_PSEUDONYM_KEY="p" * 20 + "-production-like-pseudonym-key-" + "q" * 20,
        ALLOWED_HOSTS="remis.example.org",
        REMIS_VAR_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_deploy_asks_for_the_research_pseudonym_key(tmp_path):
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECURE="1",
        SECRET_KEY="k" * 20 + "-production-like-secret-" + "z" * 30,
        ALLOWED_HOSTS="remis.example.org",
        REMIS_VAR_DIR=str(tmp_path),
    )
    assert result.returncode != 0 and "RESEARCH_PSEUDONYM_KEY" in result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = run_manage("check", DEBUG="0", REMIS_VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_a_writer_on_sqlite_waits_for_a_long_write_instead_of_failing(tmp_path):
    """A page saving while an all-or-nothing import held SQLite's write lock answered 500
    ("database is locked") after the default 5 s, and the jobs worker died of it: the
    configured busy timeout makes a second writer wait for the first to commit."""
    import sqlite3
    import threading
    import time

    from remis import settings as production  # not the test settings, which set their own

    options = production.DATABASES["default"].get("OPTIONS", {})
    if production.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
        pytest.skip("the embedded SQLite database's setting")
    timeout = options["timeout"]
    assert timeout >= 30
    path = tmp_path / "busy.sqlite3"
    first = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    first.execute("CREATE TABLE t (x INTEGER)")
    first.execute("BEGIN IMMEDIATE")
    first.execute("INSERT INTO t VALUES (1)")
    threading.Timer(6, first.execute, args=["COMMIT"]).start()  # longer than the default 5 s
    second = sqlite3.connect(path, timeout=timeout, isolation_level=None, check_same_thread=False)
    started = time.monotonic()
    second.execute("INSERT INTO t VALUES (2)")  # waits, then writes
    assert time.monotonic() - started >= 5
    assert second.execute("SELECT count(*) FROM t").fetchone()[0] == 2


def test_what_remis_writes_is_readable_by_its_own_account_alone(tmp_path):
    """The live database, the erasure ledger and uploaded passports were -rw-r--r-- under a
    umask of 022: any account on the machine read them (the backups were already 0600)."""
    var = tmp_path / "var"
    # The embedded database, whichever engine the suite runs on (the PostgreSQL pass sets
    # DATABASE_URL, and the file was then never written).
    embedded = {"REMIS_VAR_DIR": str(var), "DEBUG": "1", "DATABASE_URL": f"sqlite:///{var / 'remis.sqlite3'}"}
    done = run_manage("migrate", "--noinput", **embedded)
    assert done.returncode == 0, done.stderr
    store = (
        "from django.core.files.base import ContentFile;"
        "from django.core.files.storage import default_storage;"
        "default_storage.save('cases/x/passport.pdf', ContentFile(b'%PDF-1.4'))"
    )
    done = run_manage("shell", "-c", store, **embedded)
    assert done.returncode == 0, done.stderr
    written = [
        var,
        var / "remis.sqlite3",
        var / "media" / "cases" / "x",
        var / "media" / "cases" / "x" / "passport.pdf",
    ]
    assert {p.name: oct(p.stat().st_mode & 0o077) for p in written} == {p.name: "0o0" for p in written}
