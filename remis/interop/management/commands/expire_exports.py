"""Delete exports older than REMIS_EXPORTS_KEEP_DAYS (7 by default): run it daily (cron,
a systemd timer). Each deletion is audited."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from remis.interop.actions import expire_exports


class Command(BaseCommand):
    help = "Delete exports of records older than REMIS_EXPORTS_KEEP_DAYS, files and all."

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = expire_exports()
        self.stdout.write(f"{deleted} exports deleted")
