"""manage.py sync_defaults: apply the shipped configuration files to the database.

Roles (accounts/defaults/roles.yaml), migrant categories and vulnerabilities
(programmes/defaults/*.yaml). Run after editing those files; safe to run any time."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from remis.accounts.models import Role
from remis.accounts.seeding import seed_roles
from remis.audit.actions import record
from remis.programmes.models import MigrantCategory, Vulnerability
from remis.programmes.seeding import seed_categories


class Command(BaseCommand):
    help = "Load roles, migrant categories and vulnerabilities from the shipped defaults."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            roles = seed_roles(Role)
            rows = seed_categories(MigrantCategory, Vulnerability)
            marker = Role.objects.order_by("code").first()
            if marker is not None:
                record(
                    None,
                    "config.sync_defaults",
                    marker,
                    changes={"roles": [None, roles], "categories": [None, rows]},
                )
        self.stdout.write(f"Synchronised {roles} roles and {rows} categories and vulnerabilities.")
