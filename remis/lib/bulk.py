"""Inserting many new rows of one model with one statement run for all (`executemany`).

Django's `bulk_create` builds its SQL field by field for every row, which costs more than
the database's own work for the thousands of rows an import saves at a time. Values still go
through each field's own conversion (`pre_save`, `get_db_prep_save`), as `save` would send
them, except: plain JSON fields (no encoder), which orjson writes (the standard library's
encoder was the largest single cost of saving an import's responses and audit entries);
text, numbers, flags and ids of their exact type, passed as they are; and finite
Decimals, dates, aware moments and uuids of their exact type, adapted as the backend adapts
them (the conversion chain cost more than the insert; `lib/tests/test_bulk.py` compares
the raw columns with what `save` writes). On PostgreSQL the rows go in one COPY instead,
with ids drawn from the table's sequence first, so the objects know their ids; on SQLite
the ids are not read back: callers that need them look them up by a unique key.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from functools import cache
from operator import attrgetter
from typing import Any, TypeVar

import orjson
from django.db import connection, models
from django.db.models.base import ModelState

M = TypeVar("M", bound=models.Model)

# Like json.dumps for what it accepts (non-text keys become text); orjson also writes dates
# and UUIDs as ISO text and refuses what json refuses (Decimal, sets) with a TypeError.
_OPTIONS = orjson.OPT_NON_STR_KEYS


def _json_text(value: Any) -> str:
    return orjson.dumps(value, option=_OPTIONS).decode()


# Fields whose database value is the Python value itself when it already has the field's
# type (text, whole numbers, flags, and foreign keys' ids): read as it is, skipping Django's
# conversion chain per value, which was the largest cost of a bulk import's inserts. Any
# other value (a lazy string, a number given for text) still goes through the field.
_PLAIN: dict[type[models.Field[Any, Any]], tuple[type, ...]] = {
    models.CharField: (str,),
    models.TextField: (str,),
    models.SlugField: (str,),
    models.EmailField: (str,),
    models.IntegerField: (int,),
    models.BigIntegerField: (int,),
    models.SmallIntegerField: (int,),
    models.PositiveIntegerField: (int,),
    models.PositiveSmallIntegerField: (int,),
    models.BooleanField: (bool,),
}


# An adapter's answer for a value it leaves to the field's own conversion.
_SLOW = object()


def _plain(
    field: models.Field[Any, Any], types: tuple[type, ...], adapt: Callable[[Any], Any] | None = None
) -> Callable[[models.Model], Any]:
    """A value of exactly one of `types` as it is, or through `adapt` (as the backend would
    adapt it); None as None; anything else (a subclass, a string, an expression) through
    the field's own conversion chain."""
    name = field.attname
    slow = _slow(field)

    def convert(obj: models.Model) -> Any:
        value = obj.__dict__.get(name)
        if value is None:
            return None
        if type(value) in types:  # exact types: True is no number here
            if adapt is None:
                return value
            adapted = adapt(value)
            if adapted is not _SLOW:
                return adapted
        return slow(obj)

    return convert


def _slow(field: models.Field[Any, Any]) -> Callable[[models.Model], Any]:
    return lambda obj: field.get_db_prep_save(field.pre_save(obj, True), connection)


def _sqlite_datetime(value: dt.datetime) -> Any:
    # What Django's SQLite backend stores for an aware datetime: naive in the connection's
    # time zone (UTC), as str() writes it. A naive one goes through the field (a warning).
    if value.tzinfo is None:
        return _SLOW
    return str(value.astimezone(dt.UTC).replace(tzinfo=None))


def _dates_and_ids(field: models.Field[Any, Any]) -> Callable[[models.Model], Any] | None:
    """Dates, moments and uuids, the other columns every import writes for each row, adapted
    without the conversion chain that cost more than the insert itself; None for any other
    field, or one that sets its own value (auto_now)."""
    native = connection.vendor == "postgresql"  # psycopg adapts dates, moments, uuids itself
    if isinstance(field, models.DateTimeField):
        if field.auto_now or field.auto_now_add or connection.vendor not in ("sqlite", "postgresql"):
            return None
        return _plain(field, (dt.datetime,), None if native else _sqlite_datetime)
    if isinstance(field, models.DateField):
        if field.auto_now or field.auto_now_add:
            return None
        return _plain(field, (dt.date,), None if native else str)
    if isinstance(field, models.UUIDField):
        hex_text = None if connection.features.has_native_uuid_field else attrgetter("hex")
        return _plain(field, (uuid.UUID,), hex_text)
    return None


def _decimal(field: models.DecimalField[Any, Any]) -> Callable[[models.Model], Any]:
    # A finite Decimal goes to the backend as the field would send it (its conversion chain
    # rebuilds the same Decimal; four score columns per imported response paid for it).
    def adapt(value: Decimal) -> Any:
        if not value.is_finite():
            return _SLOW  # the field refuses it, saying so
        return connection.ops.adapt_decimalfield_value(value, field.max_digits, field.decimal_places)

    return _plain(field, (Decimal,), adapt)


def _converter(field: models.Field[Any, Any]) -> Callable[[models.Model], Any]:
    types = _PLAIN.get(type(field))
    if types is not None:
        return _plain(field, types)
    if type(field) is models.DecimalField:
        return _decimal(field)
    typed = _dates_and_ids(field)
    if typed is not None:
        return typed
    if isinstance(field, models.ForeignKey) and type(field.target_field) in (
        models.AutoField,
        models.BigAutoField,
    ):
        return _plain(field, (int,))
    if isinstance(field, models.JSONField) and field.encoder is None:
        if connection.vendor == "postgresql":
            from psycopg.types.json import Jsonb

            return lambda obj: (
                None if (v := field.pre_save(obj, True)) is None else Jsonb(v, dumps=_json_text)
            )
        return lambda obj: None if (v := field.pre_save(obj, True)) is None else _json_text(v)
    return _slow(field)


@cache
def _attnames(model: type[models.Model]) -> frozenset[str]:
    return frozenset(f.attname for f in model._meta.concrete_fields)


def unsaved(model: type[M], values: dict[str, Any], *, only: bool = False) -> M:
    """A new, unsaved instance of `model` holding exactly `values`, by attname (`actor_id`,
    not `actor`), built without `Model.__init__`.

    For rows made by the thousand (an import's responses and audit entries): `__init__`
    runs each field's default and sends two signals per instance, which cost a quarter of
    writing the entries. No default is applied, so every field must be given: a missing or
    unknown one is refused rather than left unset. With `only`, fields not given are
    deferred, as in a queryset's `.only()` (read from the database if asked for); an
    unknown one is still refused."""
    names = _attnames(model)
    if values.keys() != names and (not only or not values.keys() <= names):
        wrong = sorted((values.keys() - names) if only else (values.keys() ^ names))
        raise TypeError(f"{model.__name__} needs exactly its fields; missing or unknown: {', '.join(wrong)}")
    obj = model.__new__(model)
    obj._state = ModelState()
    obj.__dict__.update(values)
    return obj


@cache
def _defaults(model: type[models.Model]) -> tuple[tuple[str, Callable[[], Any]], ...]:
    return tuple((f.attname, f.get_default) for f in model._meta.concrete_fields)


def built(model: type[M], **values: Any) -> M:
    """A new instance of `model` as `model(**values)` makes it (each field's default for
    what is not given), without `Model.__init__`'s per-field descriptors and signals: for
    the rows an import writes by the thousand. Relations are given by their column
    (`case_id=…`, not `case=…`); a name that is no column is refused."""
    if not values.keys() <= _attnames(model):
        raise TypeError(
            f"{model.__name__} has no column {', '.join(sorted(values.keys() - _attnames(model)))}"
        )
    data = {name: (values[name] if name in values else default()) for name, default in _defaults(model)}
    return unsaved(model, data)


def loaded(queryset: models.QuerySet[M], fields: Sequence[str]) -> Iterator[M]:
    """The rows of `queryset` as instances holding only `fields`, as `.only(*fields)` gives
    them (the others deferred, read if asked for), built without `Model.__init__`: for the
    thousands of cases and rounds an import's checks read, where the constructor (which
    visits every field of a model with many) cost more than the query."""
    model = queryset.model
    names = []
    for name in fields:
        field = model._meta.get_field(name)
        if not isinstance(field, models.Field) or not field.concrete:
            raise TypeError(f"{model.__name__}.{name} is not a column")
        names.append(field.attname)
    db = queryset.db
    for row in queryset.values_list(*names):  # the columns are named once, not checked per row
        obj = model.__new__(model)
        state = obj._state = ModelState()
        state.adding, state.db = False, db
        obj.__dict__.update(zip(names, row, strict=True))
        yield obj


def insert_objects(model: type[models.Model], objs: Sequence[models.Model]) -> None:
    if not objs:
        return
    if connection.vendor == "postgresql":
        _copy_objects(model, objs)
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({columns}) VALUES ({placeholders})"  # noqa: S608
    converters = [_converter(f) for f in fields]
    rows = [[convert(obj) for convert in converters] for obj in objs]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
    for obj in objs:
        obj._state.adding = False


def _copy_objects(model: type[models.Model], objs: Sequence[models.Model]) -> None:
    """PostgreSQL: the rows in one COPY, each with its id drawn beforehand from the table's
    own sequence (so the objects know their ids, as `save` leaves them, without a lookup).
    An `executemany` is an INSERT run per row on the server: inserting 6,000 imported
    responses at 1M cases took 1.1 s in the job with it and the ids' lookup, 0.5 s so."""
    pk = model._meta.pk
    assert pk is not None
    table = connection.ops.quote_name(model._meta.db_table)
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in (pk, *fields))
    converters = [_converter(f) for f in fields]
    with connection.cursor() as cursor, connection.wrap_database_errors:
        missing = [obj for obj in objs if obj.pk is None]
        if missing:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [model._meta.db_table, pk.column, len(missing)],
            )
            for obj, (new_id,) in zip(missing, cursor.fetchall(), strict=True):
                obj.pk = new_id
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:  # psycopg's own cursor
            for obj in objs:
                copy.write_row([obj.pk, *(convert(obj) for convert in converters)])
    for obj in objs:
        obj._state.adding = False


def update_column(model: type[models.Model], name: str, values: Sequence[tuple[Any, Any]]) -> None:
    """Set one column of many rows, given as (id, value) pairs: one statement run for all.

    Django's `bulk_update` builds a `CASE WHEN id = … THEN …` expression with a branch per
    row, and resolving it cost 0.7 s for the few hundred reference counters of one chunk
    of an import. Values go through the field's conversion, as `save` would send them."""
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field)
    table = connection.ops.quote_name(model._meta.db_table)
    column = connection.ops.quote_name(field.column)
    key = connection.ops.quote_name(model._meta.pk.column)
    sql = f"UPDATE {table} SET {column} = %s WHERE {key} = %s"  # noqa: S608
    rows = [(field.get_db_prep_save(value, connection), pk) for pk, value in values]
    if rows:
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows)
