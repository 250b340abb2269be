"""Settings for the test suite: production settings with a throwaway key and fast hashing."""

from __future__ import annotations

import os

os.environ.setdefault("SECRET_KEY", "test-only-key-" + "x" * 50)

from remis.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed; never in production
# The manifest storage needs collectstatic first; tests serve static files as they are.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
WHITENOISE_AUTOREFRESH = True  # no collected static directory in tests
# The test client's login() authenticates without a request, which django-axes refuses;
# the lockout test turns it back on and signs in through the form.
AXES_ENABLED = False

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    import tempfile
    from pathlib import Path

    # A file, not memory: Django shares one in-memory connection between threads, which
    # serialises them, and concurrency tests need each thread on its own connection
    # (`parallel_db` in conftest.py). One file per test run, so parallel runs on one
    # machine do not meet; Django deletes it at the end. Nothing needs to survive a
    # crash, so writes are not synced to disk, and a writer waits for another's lock.
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": str(Path(tempfile.gettempdir()) / f"remis-test-{os.getpid()}.sqlite3")
    }
    DATABASES["default"]["OPTIONS"] = {  # noqa: F405
        **DATABASES["default"]["OPTIONS"],  # noqa: F405
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF;",
        "timeout": 30,
    }

# The cache: this process's memory unless REMIS_CACHE_URL names one, so that a test needs no
# database just because the suite empties the cache before it (root conftest.py). The tests
# of the shared cache (remis/jobs/tests/test_shared_cache.py) switch to the database cache
# and read it from another process.
if "REMIS_CACHE_URL" not in os.environ:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# Webhook receivers in tests listen on 127.0.0.1 over plain http. The subscribed events are
# read again only when a subscription changes (the suite's database starts empty each test).
REMIS_WEBHOOKS_ALLOW_LOOPBACK = True
REMIS_WEBHOOKS_JITTER = False
REMIS_WEBHOOKS_CACHE_SECONDS = 3600.0
