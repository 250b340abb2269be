"""WSGI entry point (gunicorn remis.wsgi)."""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "remis.settings")
application = get_wsgi_application()

from remis.lib.gcpace import settle_heap  # noqa: E402  # needs the settings above

settle_heap()  # each worker, once loaded: its startup objects out of the collector's way
