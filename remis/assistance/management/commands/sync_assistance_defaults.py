"""manage.py sync_assistance_defaults: add the shipped assistance types, proposals and
approval thresholds the database lacks (a database emptied by a flush, a test server).
Existing rows are left as they are. Safe to run any time."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from remis.assistance.configuration import seed_rules, seed_types
from remis.assistance.models import ApprovalThresholds, AssistanceType, ProposalRules


class Command(BaseCommand):
    help = "Add missing shipped assistance types, proposals and approval thresholds."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            added = seed_types(AssistanceType)
            seed_rules(ProposalRules, ApprovalThresholds)
        self.stdout.write(f"Added {added} assistance types.")
