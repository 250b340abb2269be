"""The database the migrations build holds every constraint and index the models declare.

Why: on PostgreSQL, Django's AlterField that turns a foreign key's own index off drops every
plain btree index on that column, a partial unique index declared in Meta.constraints
included (monitoring 0007 dropped "one response per round" that way, and two case workers
could then answer one round twice). SQLite rebuilds the table and kept it, so only a check
against the real schema, run on both databases, sees such a loss."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connection


@pytest.mark.django_db
def test_every_declared_constraint_and_index_exists_in_the_database():
    missing: list[str] = []
    with connection.cursor() as cursor:
        for model in apps.get_models():
            meta = model._meta
            if not meta.managed or meta.proxy or meta.swapped:
                continue
            declared = {c.name for c in meta.constraints} | {i.name for i in meta.indexes}
            if not declared:
                continue
            present = set(connection.introspection.get_constraints(cursor, meta.db_table))
            missing += [f"{meta.db_table}.{name}" for name in sorted(declared - present)]
    assert not missing, f"declared but not in the {connection.vendor} schema: {missing}"
