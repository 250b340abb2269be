"""manage.py restore FOLDER: restore a backup into an empty database and an empty
MEDIA_ROOT, replay the erasure ledger written since, and verify the audit chain.
See remis/audit/backup.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from remis.audit.backup import BackupError, restore


class Command(BaseCommand):
    help = "Restore a backup folder into an empty database; erasures made since are made again."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", help="a folder written by manage.py backup")
        parser.add_argument(
            "--without-ledger",
            action="store_true",
            help="restore although the erasure ledger (REMIS_ERASURE_LEDGER) does not exist: only "
            "when nobody was ever erased on the server the backup comes from",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = restore(Path(options["folder"]), without_ledger=options["without_ledger"])
        except (BackupError, OSError) as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Restored {report.rows:,} rows in {report.tables} tables and {report.documents:,} documents; "
            f"{report.replayed} erasure(s) made since the backup made again."
        )
        if report.problems:
            raise CommandError("The restore does not match the backup:\n" + "\n".join(report.problems))
        self.stdout.write(self.style.SUCCESS("The audit log's hash chain verifies."))
