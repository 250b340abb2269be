"""Settings for the test suite: production settings with a throwaway key and fast hashing."""

from __future__ import annotations

import os

os.environ.setdefault("SECRET_KEY", "test-only-key-" + "x" * 50)

from remis.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed; never in production
