"""The cache is shared by every process: what one process caches, another reads. Production
uses the database cache by default (REMIS_CACHE_URL); these tests switch the suite to it."""

from __future__ import annotations

import subprocess

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection

from remis.jobs.tests.worker_process import ROOT, manage, process_env

CACHE_URL = "dbcache://remis_test_cache"


@pytest.fixture
def database_cache(settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "remis_test_cache"}
    }
    call_command("createcachetable", verbosity=0)
    cache.clear()
    yield
    cache.clear()


def _other_process(code: str) -> str:
    done = subprocess.run(
        manage("shell", "-v", "0", "-c", code),
        cwd=ROOT,
        env=process_env(connection, REMIS_CACHE_URL=CACHE_URL),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout.strip()


def test_a_value_cached_here_is_read_by_another_process_and_back(parallel_db, database_cache):
    cache.set("remis.test.greeting", {"from": "the test"}, 60)

    seen = _other_process(
        "from django.core.cache import cache; print(cache.get('remis.test.greeting')['from']);"
        "cache.set('remis.test.answer', 42, 60)"
    )

    assert seen == "the test"
    assert cache.get("remis.test.answer") == 42


def test_the_default_cache_is_the_database_and_sessions_are_read_from_it_directly(tmp_path):
    """The production settings, not the test ones: every process shares one cache."""
    env = process_env(connection)
    env.pop("REMIS_CACHE_URL", None)
    env.update(DJANGO_SETTINGS_MODULE="remis.settings", DEBUG="1", REMIS_VAR_DIR=str(tmp_path))
    out = subprocess.run(
        manage(
            "shell",
            "-v",
            "0",
            "-c",
            "from django.conf import settings; "
            "print(settings.CACHES['default']['BACKEND'], settings.SESSION_ENGINE)",
        ),
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout.split()
    assert out == ["django.core.cache.backends.db.DatabaseCache", "django.contrib.sessions.backends.db"]
