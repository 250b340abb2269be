"""sync_defaults adds what is missing, brings untouched shipped items up to the shipped
files, and never overwrites what an administrator changed."""

from __future__ import annotations

import copy
import io
from typing import Any

import pytest
from django.core.management import call_command

from remis.accounts.models import Role
from remis.audit.models import AuditEntry
from remis.lib import defaults
from remis.programmes import seeding
from remis.programmes.models import Grouping, GroupingCountry, MigrantCategory

pytestmark = pytest.mark.django_db


def sync() -> str:
    out = io.StringIO()
    call_command("sync_defaults", stdout=out)
    return out.getvalue()


@pytest.fixture
def new_release(monkeypatch):
    """Edit the shipped files as a later release would: new_release(app, name, change)."""
    real = defaults.load

    def ship(app: str, name: str, change: Any) -> None:
        data = copy.deepcopy(real(app, name))
        change(data)
        previous = seeding.load

        def load(a: str, n: str) -> Any:
            return copy.deepcopy(data) if (a, n) == (app, name) else previous(a, n)

        monkeypatch.setattr(seeding, "load", load)

    return ship


def test_a_deleted_shipped_role_is_added_back_and_a_retired_category_stays_retired():
    Role.objects.filter(code="viewer").delete()
    MigrantCategory.objects.filter(code="other").update(active=False)
    sync()
    assert Role.objects.get(code="viewer").permissions == ["stats.view"]
    assert MigrantCategory.objects.get(code="other").active is False


def test_an_administrators_rename_survives_sync():
    MigrantCategory.objects.filter(code="other").update(name="Other situation")
    output = sync()
    assert MigrantCategory.objects.get(code="other").name == "Other situation"
    assert "programmes.migrantcategory:other" in output


def test_an_untouched_role_takes_the_newly_shipped_permissions(new_release):
    new_release(
        "accounts", "roles.yaml", lambda roles: roles["viewer"]["permissions"].append("audit.view_all")
    )
    sync()
    assert Role.objects.get(code="viewer").permissions == ["stats.view", "audit.view_all"]
    entry = AuditEntry.objects.filter(action="config.sync_defaults").latest("at")
    assert entry.changes["updated"][1] == ["accounts.role:viewer"]


def test_a_role_an_administrator_changed_keeps_its_permissions_when_the_shipped_ones_change(new_release):
    Role.objects.filter(code="me_officer").update(permissions=["case.view", "stats.view", "case.note"])
    new_release(
        "accounts", "roles.yaml", lambda roles: roles["me_officer"]["permissions"].append("audit.view_all")
    )
    sync()
    assert Role.objects.get(code="me_officer").permissions == ["case.view", "stats.view", "case.note"]
    # and a second run still recognises the change, though the files moved on
    sync()
    assert Role.objects.get(code="me_officer").permissions == ["case.view", "stats.view", "case.note"]


def test_an_untouched_category_takes_a_new_shipped_translation_but_a_translated_one_does_not(new_release):
    MigrantCategory.objects.filter(code="stranded_migrant").update(names={"fr": "Migrant bloqué (local)"})

    def retranslate(rows: list[dict[str, Any]]) -> None:
        for row in rows:
            row.setdefault("names", {})["fr"] = row["name"] + " (v2)"

    new_release("programmes", "migrant_categories.yaml", retranslate)
    sync()
    other = MigrantCategory.objects.get(code="other")
    assert other.names["fr"] == "Other (v2)"
    assert MigrantCategory.objects.get(code="stranded_migrant").names == {"fr": "Migrant bloqué (local)"}


def test_a_newly_shipped_category_is_added(new_release):
    new_release(
        "programmes",
        "migrant_categories.yaml",
        lambda rows: rows.append({"code": "climate_displaced", "name": "Displaced by climate"}),
    )
    output = sync()
    assert MigrantCategory.objects.get(code="climate_displaced").name == "Displaced by climate"
    assert "Added 1" in output


def test_shipped_groupings_are_added_back_but_a_changed_grouping_is_kept():
    Grouping.objects.filter(code="avrr2010-far-east").delete()
    caribbean = Grouping.objects.get(code="avrr2010-caribbean")
    GroupingCountry.objects.create(grouping=caribbean, country="BS")
    sync()
    assert Grouping.objects.get(code="avrr2010-far-east").members.count() == 5
    assert caribbean.members.filter(country="BS").exists()


def test_sync_with_nothing_to_do_changes_nothing_and_records_nothing():
    sync()
    before = AuditEntry.objects.count()
    assert "Added 0, updated 0" in sync()
    assert AuditEntry.objects.count() == before


def test_a_migration_shipping_new_permissions_gives_them_to_untouched_roles_only(new_release):
    from remis.programmes.models import ShippedValues

    worker = Role.objects.get(code="case_worker")
    worker.permissions = [p for p in worker.permissions if p != "case.note"]  # an administrator's change
    worker.save()

    def ship(roles: dict[str, Any]) -> None:
        for code in ("viewer", "case_worker"):
            roles[code]["permissions"].append("plan.view")

    new_release("accounts", "roles.yaml", ship)
    changed = seeding.ship_new_permissions(Role, ShippedValues, {"plan.view"})
    assert changed == ["viewer"]
    assert "plan.view" in Role.objects.get(code="viewer").permissions
    assert "plan.view" not in Role.objects.get(code="case_worker").permissions
    # The shipped record follows: a later sync finds the viewer role as shipped, and still
    # leaves the case worker role to its administrator.
    out = sync()
    assert "viewer" not in out and "case_worker" in out
