"""Fast inserts for generated rows: executemany on SQLite, COPY on PostgreSQL.

Rows are tuples in the order of `columns`; values are plain Python (date, datetime,
Decimal, UUID, bool, int, str) and adapted here to what each backend stores.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any, cast

from django.core.management.color import no_style
from django.db import connection
from django.db.models import Field, Model


def _sqlite_datetime(value: dt.datetime) -> str:
    # Django keeps aware datetimes in SQLite as naive UTC text.
    return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ")


# How SQLite stores each type Django adapts (UUIDs as 32 hex digits); checked in order,
# datetime before date because a datetime is a date.
_SQLITE_CONVERTERS: list[tuple[type, Callable[[Any], Any]]] = [
    (dt.datetime, _sqlite_datetime),
    (dt.date, dt.date.isoformat),
    (uuid.UUID, lambda v: v.hex),
    (Decimal, str),
]


def adapt_rows(rows: list[Sequence[Any]]) -> list[tuple[Any, ...]]:
    """Rows ready for this database: SQLite gets Django's storage formats; PostgreSQL's
    COPY adapts Python values itself. Can run in another process than `insert_rows`."""
    return _sqlite_rows(rows) if connection.vendor == "sqlite" else [tuple(row) for row in rows]


def _sqlite_rows(rows: list[Sequence[Any]]) -> list[tuple[Any, ...]]:
    """Convert only the columns that need it, choosing each column's converter once."""
    if not rows:
        return []
    width = len(rows[0])
    converters: dict[int, Callable[[Any], Any]] = {}
    for index in range(width):
        sample = next((row[index] for row in rows if row[index] is not None), None)
        for kind, convert in _SQLITE_CONVERTERS:
            if isinstance(sample, kind):
                converters[index] = convert
                break
    if not converters:
        return [tuple(row) for row in rows]
    out = []
    for row in rows:
        values = list(row)
        for index, convert in converters.items():
            if values[index] is not None:
                values[index] = convert(values[index])
        out.append(tuple(values))
    return out


def insert_rows(
    model: type[Model], columns: Sequence[str], rows: Iterable[Sequence[Any]], *, adapted: bool = False
) -> int:
    table = connection.ops.quote_name(model._meta.db_table)
    # Identifiers come from model metadata, never from input, and are quoted by the backend.
    names = [connection.ops.quote_name(cast(Field, model._meta.get_field(c)).column) for c in columns]
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor  # the psycopg cursor under Django's wrapper
            with raw.copy(f"COPY {table} ({', '.join(names)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
        else:
            data = list(rows) if adapted else _sqlite_rows(list(rows))
            placeholders = ", ".join(["%s"] * len(names))
            sql = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({placeholders})"  # noqa: S608
            cursor.executemany(sql, data)
            count = len(data)
    return count


def next_id(model: type[Model]) -> int:
    with connection.cursor() as cursor:
        table = connection.ops.quote_name(model._meta.db_table)
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608
        return int(cursor.fetchone()[0]) + 1


def reset_sequences(models: Sequence[type[Model]]) -> None:
    """After inserting explicit ids, move PostgreSQL's sequences past them."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(models))
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
