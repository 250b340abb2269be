"""One response per round holds in the database: two answers sent at once, one kept; and
migration 0008 puts the constraint back where PostgreSQL lost it, stopping, with the rounds
named, when a round was answered twice meanwhile instead of choosing which answers to drop."""

from __future__ import annotations

import importlib
import uuid

import pytest
from django.apps import apps
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from remis.cases import actions as cases
from remis.cases.tests.factories import returned_case
from remis.lib.errors import TransitionRefused
from remis.monitoring.configuration import seed_instruments, seed_rules
from remis.monitoring.models import FollowUp, Instrument, Response, ScheduleRules
from remis.monitoring.responses import current_instrument, record_response
from remis.monitoring.tests.test_instrument_scoring import answers

restore = importlib.import_module("remis.monitoring.migrations.0008_response_one_per_round_again").restore
INDEX = "response_one_per_round"


def _indexes() -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.get_constraints(cursor, Response._meta.db_table))


def _restore() -> None:
    with connection.schema_editor() as editor:
        restore(apps, editor)


def _instrument() -> Instrument:
    instrument = current_instrument("reintegration-sustainability")
    assert instrument is not None
    return instrument


def _round(world) -> FollowUp:
    seed_rules(ScheduleRules)  # a transactional test starts from a flushed database
    seed_instruments(Instrument)
    case = returned_case(world)
    cases.record_consent(
        world.alice, case, purpose="follow_up_contact", given=True, given_on=timezone.localdate()
    )
    return FollowUp.objects.get(case=case, round=1)


def test_two_answers_sent_at_once_one_is_kept(parallel_db, world):
    follow_up = _round(world)
    instrument = _instrument()

    def send(level: str):
        return lambda: record_response(
            world.bob,
            instrument,
            answers=answers(income_covers_needs=level),
            collected_on=timezone.localdate(),
            follow_up=FollowUp.objects.get(pk=follow_up.pk),
            early=True,
        )

    results = parallel_db(send("always"), send("never"))
    assert Response.objects.filter(follow_up=follow_up).count() == 1
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(refused) == 1 and isinstance(refused[0], TransitionRefused), results


def test_the_lost_index_is_put_back_once_each_round_has_one_response(parallel_db, world):
    follow_up = _round(world)
    kept = record_response(
        world.bob,
        _instrument(),
        answers=answers(),
        collected_on=timezone.localdate(),
        follow_up=follow_up,
        early=True,
    )
    with connection.cursor() as cursor:
        cursor.execute(f"DROP INDEX {INDEX}")  # what 0007 did on PostgreSQL
    twice = Response.objects.get(pk=kept.pk)
    twice.pk, twice.uuid = None, uuid.uuid4()
    twice.save(force_insert=True)  # nothing stops a second answer now

    with pytest.raises(RuntimeError, match=rf"ids \[{follow_up.pk}\]"):
        _restore()
    assert INDEX not in _indexes() and Response.objects.filter(follow_up=follow_up).count() == 2

    twice.delete()  # the operator keeps one
    _restore()
    assert INDEX in _indexes()
    again = Response.objects.get(pk=kept.pk)
    again.pk, again.uuid = None, uuid.uuid4()
    with pytest.raises(IntegrityError), transaction.atomic():
        again.save(force_insert=True)
    _restore()  # present: nothing to do
    assert INDEX in _indexes()
