"""Import records from a CSV or XLSX file, as the import page does, from the command line.

A dry run by default: every row is checked and the report written, nothing is saved. With
`--for-real`, `--mode` says whether the valid rows are saved or all or nothing. The records
are audited as imported by `--user`, who needs the permission to import for the
organisation, as on the page. Progress goes to stderr; the refused rows to `--report`.

    manage.py import_records cases.csv --records cases --organisation "IOM Belgium" --user paula
    manage.py import_records cases.csv --records cases --organisation 3 --user paula \\
        --for-real --mode valid_rows --mapping "Old database" --report refused.csv
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q

from remis.accounts.models import Organisation, User
from remis.interop import actions
from remis.interop.errors import UnreadableFile
from remis.interop.importing import HeaderRefused, entities, temporary_report
from remis.interop.jobs import summary
from remis.interop.models import ColumnMapping, ImportMode
from remis.lib.errors import DomainError
from remis.lib.posted import posted_id


class Command(BaseCommand):
    help = "Import records from a CSV or XLSX file (a dry run unless --for-real)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--records", required=True, help="what the file holds: " + ", ".join(e.code for e in entities())
        )
        parser.add_argument("--organisation", required=True, help="the importing organisation's name or id")
        parser.add_argument("--user", required=True, help="the username the records are imported by")
        parser.add_argument("--for-real", action="store_true", help="save the records (default: check only)")
        parser.add_argument("--mode", choices=[ImportMode.VALID_ROWS, ImportMode.ALL_OR_NOTHING])
        parser.add_argument(
            "--mapping", default="", help="a column mapping saved by the organisation, by name"
        )
        parser.add_argument("--sheet", default="", help="for a workbook, the sheet to read")
        parser.add_argument("--report", type=Path, help="write every refused row here (CSV)")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No file at {path}.")
        if options["for_real"] and not options["mode"]:
            raise CommandError("With --for-real, choose --mode valid_rows or --mode all_or_nothing.")
        mode = options["mode"] if options["for_real"] else ImportMode.CHECK
        user = User.objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {options['user']!r}.")
        named = options["organisation"]
        found = Organisation.objects.filter(Q(name=named) | Q(pk=posted_id(named)))
        organisation = found.first()
        if organisation is None:
            raise CommandError(f"No organisation {named!r}.")
        mapping: dict[str, str] = {}
        if options["mapping"]:
            saved = ColumnMapping.objects.filter(
                organisation=organisation, entity=options["records"], name=options["mapping"]
            ).first()
            if saved is None:
                raise CommandError(
                    f"{organisation.name} keeps no mapping {options['mapping']!r} for these records."
                )
            mapping = saved.mapping
        started = time.monotonic()

        def progress(done: int) -> None:
            rate = done / max(time.monotonic() - started, 1e-6)
            sys.stderr.write(f"\r{done:,} rows read ({rate:,.0f} rows/s)")
            sys.stderr.flush()

        with temporary_report() as report, path.open("rb") as handle:
            try:
                result = actions.import_now(
                    user, organisation, entity_code=options["records"], file=handle, filename=path.name,
                    mode=mode, mapping=mapping, report=report, sheet=options["sheet"], progress=progress,
                )  # fmt: skip
            except HeaderRefused as error:
                raise CommandError(
                    "\n".join(f"{column}: {message}" for column, message in error.errors)
                ) from None
            except UnreadableFile as error:
                raise CommandError(error.message) from None
            except DomainError as error:
                raise CommandError(error.message) from None
            sys.stderr.write("\n")
            if options["report"]:
                report.seek(0)
                options["report"].write_text(report.read(), encoding="utf-8")
        self.stdout.write(summary(result, mode))
        if result.refused:
            for problem in result.problems[:20]:
                self.stdout.write(f"row {problem['row']}, {problem['column'] or '—'}: {problem['message']}")
            raise CommandError(
                f"{result.refused} {'row' if result.refused == 1 else 'rows'} refused.", returncode=1
            )
