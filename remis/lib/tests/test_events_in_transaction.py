"""In-transaction handlers (`subscribe_in_transaction`) run at emit time inside the
emitting transaction, so what they write rolls back with it; after-commit handlers keep
their behaviour; `emit_many` hands a batch over in one call."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from django.db import transaction

from remis.lib import events


@dataclasses.dataclass(frozen=True)
class Pinged(events.Event):
    name = "test.pinged"
    thing_id: int


@pytest.fixture
def heard() -> Iterator[dict[str, list[Any]]]:
    seen: dict[str, list[Any]] = {"now": [], "after": [], "in_atomic": []}

    def now(batch: Sequence[Pinged]) -> None:
        seen["now"].append(tuple(e.thing_id for e in batch))
        seen["in_atomic"].append(transaction.get_connection().in_atomic_block)

    def after(event: Pinged) -> None:
        seen["after"].append(event.thing_id)

    events.subscribe_in_transaction(Pinged, now)
    events.subscribe(Pinged, after)
    yield seen
    events.unsubscribe_in_transaction(Pinged, now)
    events.unsubscribe(Pinged, after)


@pytest.mark.django_db(transaction=True)
def test_in_transaction_handler_runs_at_emit_inside_the_transaction(heard):
    with transaction.atomic():
        events.emit(Pinged(thing_id=1))
        assert heard["now"] == [(1,)]
        assert heard["after"] == []  # after-commit handlers still wait for the commit
    assert heard["in_atomic"] == [True]
    assert heard["after"] == [1]


@pytest.mark.django_db(transaction=True)
def test_a_rollback_keeps_what_the_handler_wrote_out(heard):
    from django.contrib.auth.models import Group

    def write(batch: Sequence[Pinged]) -> None:
        # Any row will do: the point is that it shares the emitting transaction's fate.
        Group.objects.create(name=f"ping-{batch[0].thing_id}")

    events.subscribe_in_transaction(Pinged, write)
    try:
        with pytest.raises(RuntimeError), transaction.atomic():
            events.emit(Pinged(thing_id=7))
            assert Group.objects.filter(name="ping-7").count() == 1
            raise RuntimeError("the change fails after emitting")
    finally:
        events.unsubscribe_in_transaction(Pinged, write)
    assert not Group.objects.filter(name="ping-7").exists()
    assert heard["after"] == []


@pytest.mark.django_db
def test_emit_many_hands_the_batch_over_once(heard):
    with transaction.atomic():
        events.emit_many([Pinged(thing_id=1), Pinged(thing_id=2), Pinged(thing_id=3)])
        assert heard["now"] == [(1, 2, 3)]
    events.emit_many([])
    assert heard["now"] == [(1, 2, 3)]


def test_emit_many_checks_each_payload_and_one_type():
    @dataclasses.dataclass(frozen=True)
    class Other(events.Event):
        name = "test.other"
        value: Any

    with pytest.raises(TypeError, match="ids, codes"):
        events.emit_many([Other(value=object())])
    with pytest.raises(TypeError, match="one type"):
        events.emit_many([Pinged(thing_id=1), Other(value=1)])
