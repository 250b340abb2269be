"""manage.py apply_retention: anonymise the closed cases past their programme's retention
period (cases/actions/retention.py). Run it daily from a scheduler."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from remis.cases.actions.retention import apply_retention
from remis.cases.jobs import outcome_message


class Command(BaseCommand):
    help = "Anonymise the closed cases kept longer than their programme's retention period."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(outcome_message(apply_retention()))
