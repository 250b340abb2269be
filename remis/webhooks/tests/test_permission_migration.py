"""Migration webhooks 0002 gives webhooks.manage to the shipped administrator role of an
existing database, unless an administrator had changed that role (theirs to decide)."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from remis.accounts.models import Role
from remis.programmes.models import ShippedValues

migration = importlib.import_module("remis.webhooks.migrations.0002_webhooks_permission")
pytestmark = pytest.mark.django_db


def _as_before_the_migration(extra: list[str]) -> None:
    role = Role.objects.get(code="administrator")
    before = [p for p in role.permissions if p != "webhooks.manage"]
    role.permissions = before + extra
    role.save()
    shipped = ShippedValues.objects.get(kind="accounts.role", code="administrator")
    shipped.values = {**shipped.values, "permissions": before}
    shipped.save()


def test_the_shipped_administrator_role_gains_the_permission():
    _as_before_the_migration([])
    migration.forwards(apps, None)
    assert "webhooks.manage" in Role.objects.get(code="administrator").permissions
    shipped = ShippedValues.objects.get(kind="accounts.role", code="administrator")
    assert "webhooks.manage" in shipped.values["permissions"]
    assert "webhooks.manage" not in Role.objects.get(code="counsellor").permissions


def test_a_customised_administrator_role_is_left_alone():
    _as_before_the_migration(["case.submit"])
    migration.forwards(apps, None)
    assert "webhooks.manage" not in Role.objects.get(code="administrator").permissions
