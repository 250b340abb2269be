"""manage.py sync_defaults: add the shipped configuration the database lacks.

Roles (accounts/defaults/roles.yaml), migrant categories and vulnerabilities, and country
groupings (programmes/defaults/*.yaml). Missing items are added; items nobody changed here
take the newly shipped values; items an administrator changed are kept and listed
(remis/programmes/seeding.py says how they are told apart). Safe to run any time."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from remis.accounts.models import Role
from remis.accounts.seeding import seed_role_names
from remis.accounts.system import system_actor
from remis.audit.actions import record
from remis.programmes.models import (
    Grouping,
    GroupingCountry,
    MigrantCategory,
    ShippedValues,
    Vulnerability,
)
from remis.programmes.seeding import seed_groupings, shipped_kinds, sync_shipped


class Command(BaseCommand):
    help = "Add missing shipped roles, categories, vulnerabilities and groupings; keep local changes."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            report = sync_shipped(shipped_kinds(Role, MigrantCategory, Vulnerability), ShippedValues)
            groupings = seed_groupings(Grouping, GroupingCountry)
            report.added.extend(f"programmes.grouping:{code}" for code in groupings)
            report.updated.extend(f"accounts.role:{code} (names)" for code in seed_role_names(Role))
            marker = Role.objects.order_by("code").first()
            if marker is not None and (report.added or report.updated):
                record(
                    system_actor(),
                    "config.sync_defaults",
                    marker,
                    changes={"added": [None, report.added], "updated": [None, report.updated]},
                )
        self.stdout.write(f"Added {len(report.added)}, updated {len(report.updated)} shipped items.")
        for name in report.customised:
            self.stdout.write(f"Kept as changed here: {name}")
