"""manage.py load_instruments: add the shipped assessment instrument versions the database
lacks (defaults/instruments.yaml). Versions present are never changed. Safe to run any time."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from remis.accounts.system import system_actor
from remis.assessments.models import Choice, FlagRule, Instrument, Question
from remis.assessments.seeding import load_instruments
from remis.audit.actions import record
from remis.programmes.models import Vulnerability


class Command(BaseCommand):
    help = "Add the shipped assessment instrument versions that are missing."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            added = load_instruments(Instrument, Question, Choice, FlagRule, Vulnerability)
            marker = Instrument.objects.order_by("-id").first()
            if added and marker is not None:
                record(system_actor(), "config.load_instruments", marker, changes={"added": [None, added]})
        self.stdout.write(f"Added {len(added)} instrument versions.")
