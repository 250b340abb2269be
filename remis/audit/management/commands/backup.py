"""manage.py backup [--to DIR]: a backup folder of the database and the uploaded documents,
with a manifest (row counts per table, checksums). See remis/audit/backup.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from remis.audit.backup import BackupError, backup


class Command(BaseCommand):
    help = "Back up the database and the uploaded documents into a new folder."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--to",
            default=str(Path(settings.VAR_DIR) / "backups"),
            help="the folder to write the backup folder in (default: var/backups)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            folder = backup(Path(options["to"]))
        except (BackupError, OSError) as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(f"Backup written to {folder}"))
