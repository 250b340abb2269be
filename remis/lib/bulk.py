"""Inserting many new rows of one model with one statement run for all (`executemany`).

Django's `bulk_create` builds its SQL field by field for every row, which costs more than
the database's own work for the thousands of rows an import saves at a time. Values still go
through each field's own conversion (`pre_save`, `get_db_prep_save`), as `save` would send
them. The rows' ids are not read back: callers that need them look them up by a unique key.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection, models


def insert_objects(model: type[models.Model], objs: Sequence[models.Model]) -> None:
    if not objs:
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({columns}) VALUES ({placeholders})"  # noqa: S608
    rows = [[f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields] for obj in objs]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
    for obj in objs:
        obj._state.adding = False
