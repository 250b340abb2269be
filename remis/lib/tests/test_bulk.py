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


def test_scores_as_decimals_are_stored_as_a_save_stores_them(world: Any) -> None:
    from decimal import Decimal

    from django.core.exceptions import ValidationError

    from remis.monitoring.models import Response
    from remis.monitoring.responses import current_instrument

    instrument = current_instrument("reintegration-sustainability")
    assert instrument is not None
    saved = Response(
        instrument=instrument,
        sample_id="S-1",
        collected_on=dt.date(2026, 5, 1),
        economic=Decimal("0.1235"),
        social=Decimal("1"),
        psychosocial=None,
        composite=Decimal("0.5000"),
        source="import",
    )
    saved.save()
    copy = Response.objects.get(pk=saved.pk)
    copy.pk = copy.id = None
    copy.uuid = uuid.uuid4()
    copy.sample_id = "S-2"
    insert_objects(Response, [copy])

    def raw(sample: str) -> tuple[Any, ...]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT economic, social, psychosocial, composite FROM monitoring_response "
                "WHERE sample_id = %s",
                [sample],
            )
            return tuple(cursor.fetchone())

    assert raw("S-2") == raw("S-1")
    assert Response.objects.get(sample_id="S-2").economic == Decimal("0.1235")
    copy.uuid, copy.sample_id, copy.economic = uuid.uuid4(), "S-3", Decimal("NaN")
    with pytest.raises(ValidationError):
        insert_objects(Response, [copy])  # through the field, which refuses it


def test_an_instance_built_without_its_constructor_needs_every_field_and_saves_like_one_built_with_it(
    world: Any,
) -> None:
    from remis.audit.actions import record
    from remis.audit.chain import verify_chain
    from remis.audit.models import AuditEntry
    from remis.lib.bulk import unsaved

    with pytest.raises(TypeError, match="actor_id"):
        unsaved(AuditEntry, {"id": None, "action": "x"})
    case = register(world)
    record(world.bob, "case.test", case, changes={"status": [None, "open"]}, case_uuid=str(case.uuid))
    entry = AuditEntry.objects.order_by("-id").first()
    assert entry is not None and entry.actor == world.bob and entry.case_uuid == case.uuid
    assert entry.changes == {"status": [None, "open"]}
    assert verify_chain().broken_at is None


def test_rows_loaded_without_the_constructor_read_as_only_reads_them(world: Any) -> None:
    from remis.lib.bulk import loaded

    case = register(world)
    case.arrival_date = dt.date(2026, 3, 2)
    case.save()
    (light,) = loaded(Case.objects.filter(pk=case.pk), ("id", "reference", "arrival_date", "origin_country"))
    (usual,) = Case.objects.filter(pk=case.pk).only("id", "reference", "arrival_date", "origin_country")
    assert light.__dict__.keys() - {"_state"} == usual.__dict__.keys() - {"_state"}
    assert (light.pk, light.reference, light.arrival_date) == (case.pk, case.reference, dt.date(2026, 3, 2))
    assert not light._state.adding and light.get_deferred_fields() == usual.get_deferred_fields()
    assert light.stage == case.stage  # a deferred field is read when asked for
    with pytest.raises(TypeError, match="not a column"):
        list(loaded(Case.objects.all(), ("access",)))


def test_one_column_of_many_rows_is_set_by_id_and_the_others_are_left(world: Any) -> None:
    from remis.cases.models import ReferenceCounter
    from remis.lib.bulk import update_column

    first, _second, third = (
        ReferenceCounter.objects.create(prefix=p, last=1) for p in ("AAA-1", "AAA-2", "AAA-3")
    )
    update_column(ReferenceCounter, "last", [(first.pk, 7), (third.pk, 9)])
    assert dict(ReferenceCounter.objects.filter(prefix__startswith="AAA-").values_list("prefix", "last")) == {
        "AAA-1": 7,
        "AAA-2": 1,
        "AAA-3": 9,
    }


def test_an_instance_built_for_a_bulk_insert_has_the_defaults_the_constructor_gives(world: Any) -> None:
    from remis.cases.models import Person
    from remis.lib.bulk import built

    fast = built(Person, given_name="Awa", family_name="Test", sex="F")
    usual = Person(given_name="Awa", family_name="Test", sex="F")
    differ = {"uuid"}  # a fresh uuid4 each
    fast_values = {k: v for k, v in fast.__dict__.items() if k not in differ and k != "_state"}
    assert fast_values == {k: v for k, v in usual.__dict__.items() if k not in differ and k != "_state"}
    assert fast._state.adding and fast.uuid != usual.uuid
    with pytest.raises(TypeError, match="has no column case"):
        built(Person, given_name="Awa", case=None)
