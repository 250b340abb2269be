"""`lib/bulk.insert_objects` writes what `Model.save` writes: the same raw column values for
dates, moments (whatever their time zone), uuids, numbers, text, flags, JSON and foreign
keys, on both engines; a value of another type still goes through the field."""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo
from typing import Any

import pytest
from django.db import connection

from remis.cases.models import Case
from remis.cases.tests.factories import register
from remis.lib.bulk import insert_objects

pytestmark = pytest.mark.django_db

SKIP = {"id", "uuid", "reference", "updated_at"}  # the copy's own (updated_at: auto_now)


def _raw(reference: str) -> dict[str, Any]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM cases_case WHERE reference = %s", [reference])
        names = [column[0] for column in cursor.description]
        return {k: v for k, v in zip(names, cursor.fetchone(), strict=True) if k not in SKIP}


def _copy(case: Case, reference: str) -> Case:
    copy = Case.objects.get(pk=case.pk)
    copy.pk = copy.id = None
    copy.uuid = uuid.uuid4()
    copy.reference = reference
    return copy


def test_a_bulk_insert_stores_exactly_what_a_save_stores(world: Any) -> None:
    case = register(world)
    brussels = zoneinfo.ZoneInfo("Europe/Brussels")
    case.registered_at = dt.datetime(2026, 7, 1, 23, 30, 15, 250000, tzinfo=brussels)  # the day before in UTC
    case.stage_changed_at = dt.datetime(2026, 7, 2, 8, 0, tzinfo=dt.UTC)  # no microseconds
    case.arrival_date = dt.date(2026, 3, 2)
    case.intended_return_date = dt.date(2026, 2, 27)
    case.save()
    copy = _copy(case, "COPY-1")
    copy.registered_at = case.registered_at  # as given, in Brussels time (read back: UTC)
    insert_objects(Case, [copy])
    assert _raw("COPY-1") == _raw(case.reference)
    found = Case.objects.get(uuid=copy.uuid)  # the uuid stored as the ORM looks it up
    assert found.registered_at == case.registered_at and found.arrival_date == dt.date(2026, 3, 2)


def test_values_of_another_type_go_through_the_field(world: Any) -> None:
    case = register(world)
    copy = _copy(case, "COPY-2")
    copy.arrival_date = "2026-03-02"  # text, as a form might leave it
    copy.uuid = str(uuid.uuid4())
    insert_objects(Case, [copy])
    stored = Case.objects.get(reference="COPY-2")
    assert stored.arrival_date == dt.date(2026, 3, 2) and str(stored.uuid) == copy.uuid
