"""Tools for the audit tests: an attacker with rights on the database's schema, and raw
inserts that bypass the application."""

from __future__ import annotations

import datetime as dt
import importlib
import json
from typing import Any

import pytest
from django.db import connection

GUARDS = importlib.import_module("remis.audit.migrations.0003_hash_chain_and_closed_log")


def on_postgresql() -> bool:
    return connection.vendor == "postgresql"


def execute(sql: str, params: list[Any] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def settle_foreign_keys() -> None:
    """PostgreSQL refuses ALTER TABLE and TRUNCATE on a table with foreign-key checks still
    deferred in the transaction (the test's): run them now."""
    execute("SET CONSTRAINTS ALL IMMEDIATE")


def set_changes(entry_id: int, changes: dict[str, Any]) -> None:
    """Overwrite an entry's changes in SQL (the guards must be down)."""
    value = "CAST(%s AS jsonb)" if on_postgresql() else "%s"  # a constant: no input in the SQL
    execute(f"UPDATE audit_auditentry SET changes = {value} WHERE id = %s", [json.dumps(changes), entry_id])  # noqa: S608


def raw_insert(
    verb: str = "INSERT", *, entry_id: int | None, at: dt.datetime, action: str = "forged"
) -> None:
    """An entry written in SQL, around `record()`."""
    stamp: Any = at if on_postgresql() else at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    columns = "at, action, object_type, object_id, changes, personal_fields, hash"
    values = "%s, %s, 'cases.case', '1', '{}', '[]', ''"
    params: list[Any] = [stamp, action]
    if entry_id is not None:
        columns, values, params = f"id, {columns}", f"%s, {values}", [entry_id, *params]
    execute(f"{verb} INTO audit_auditentry ({columns}) VALUES ({values})", params)


@pytest.fixture
def guards_down(db: Any) -> None:
    """Someone who can change the schema drops the log's triggers, as an attacker with the
    database owner's rights could. Inside the test's transaction: rolled back after it."""
    if on_postgresql():
        settle_foreign_keys()
        execute("ALTER TABLE audit_auditentry DISABLE TRIGGER USER")
    else:
        for name in GUARDS.SQLITE:
            execute(f"DROP TRIGGER {name}")
