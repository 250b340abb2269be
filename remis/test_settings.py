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
