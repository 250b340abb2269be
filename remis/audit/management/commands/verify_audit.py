"""manage.py verify_audit: walk the audit log's hash chain and report the first broken link.

Exits with status 1 when a link is broken. On success it prints the last entry's hash:
keep it outside the database and compare it next time, since a chain rewritten from some
entry to the end with fresh hashes verifies on its own (remis/audit/chain.py)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from remis.audit.chain import verify_chain


class Command(BaseCommand):
    help = "Verify the audit log's hash chain; report the first broken link."

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify_chain()
        if not report.ok:
            raise CommandError(
                f"Broken link at audit entry {report.broken_at} "
                f"({report.verified} entries verified before it): {report.problem}",
                returncode=1,
            )
        self.stdout.write(f"{report.verified} entries verified.")
        if report.last_id is not None:
            self.stdout.write(f"Last entry: {report.last_id}, hash {report.last_hash}")
