"""A small explicit registry of typed domain events. Actions emit; later apps subscribe.

An event is a frozen dataclass (one per event, `remis/<app>/events.py`) whose payload is
ids, codes, flags and dates only: never a model instance, never personal data, so that a
handler, a webhook or a log line built from it leaks nothing and can be queued as it is.
`emit` refuses any other value.

Handlers run after the surrounding transaction commits, so a rolled-back write never
announces itself; outside a transaction they run at once. Subscriptions are made in an
app's `AppConfig.ready()`.

A few handlers must write in the very transaction that emits (the webhooks outbox: its
row exists exactly when the change does, and a rollback removes both). They subscribe with
`subscribe_in_transaction`: such a handler is called at emit time, inside the caller's
transaction, with a sequence of events of one type (one for `emit`, a whole batch for
`emit_many`, so a bulk path pays once per batch). It must be cheap when it has nothing to
do, and an exception it raises undoes the caller's write, as any failing write would.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any, ClassVar, TypeVar

from django.db import transaction


@dataclasses.dataclass(frozen=True)
class Event:
    """Base of every domain event. `name` is its stable code ("case.stage_changed")."""

    name: ClassVar[str] = ""


E = TypeVar("E", bound=Event)
Handler = Callable[[Any], None]
BatchHandler = Callable[[Sequence[Any]], None]
_handlers: dict[type[Event], list[Handler]] = defaultdict(list)
_in_transaction: dict[type[Event], list[BatchHandler]] = defaultdict(list)

# What a payload may hold: plain values that mean the same in any process.
PLAIN = (int, str, bool, dt.date, uuid.UUID, type(None))


def subscribe(event_type: type[E], handler: Callable[[E], None]) -> None:
    """Call `handler(event)` after each commit that emitted an `event_type`."""
    if handler not in _handlers[event_type]:
        _handlers[event_type].append(handler)


def unsubscribe(event_type: type[Event], handler: Handler) -> None:
    if handler in _handlers.get(event_type, []):
        _handlers[event_type].remove(handler)


def subscribe_in_transaction(event_type: type[E], handler: Callable[[Sequence[E]], None]) -> None:
    """Call `handler(events)` when `event_type` events are emitted, inside the emitting
    transaction (see the module's docstring): for writes that must commit or roll back
    with the change itself."""
    if handler not in _in_transaction[event_type]:
        _in_transaction[event_type].append(handler)


def unsubscribe_in_transaction(event_type: type[Event], handler: BatchHandler) -> None:
    if handler in _in_transaction.get(event_type, []):
        _in_transaction[event_type].remove(handler)


_PLAIN_TYPES = frozenset(PLAIN)
_FIELD_NAMES: dict[type[Event], tuple[str, ...]] = {}


def _field_names(event_type: type[Event]) -> tuple[str, ...]:
    # Read once per type: dataclasses.fields() per event would dominate a bulk emit's cost.
    names = _FIELD_NAMES.get(event_type)
    if names is None:
        names = _FIELD_NAMES[event_type] = tuple(f.name for f in dataclasses.fields(event_type))
    return names


def _check_payload(event: Event) -> None:
    for name in _field_names(type(event)):
        value = getattr(event, name)
        if type(value) in _PLAIN_TYPES:  # the common case, without isinstance's walk
            continue
        values = value if isinstance(value, tuple) else (value,)
        if not all(isinstance(v, PLAIN) for v in values):
            raise TypeError(
                f"{type(event).__name__}.{name} holds {type(value).__name__}: "
                "events carry ids, codes, flags and dates only"
            )


def _check_event(event: Event) -> None:
    if not isinstance(event, Event) or not event.name:
        raise TypeError("emit() takes an Event subclass instance with a name")
    _check_payload(event)


def emit(event: Event) -> None:
    """Deliver `event` to its subscribers once the current transaction commits (and to the
    in-transaction handlers now)."""
    _check_event(event)
    for batch_handler in list(_in_transaction.get(type(event), ())):
        batch_handler((event,))
    for handler in list(_handlers.get(type(event), ())):
        transaction.on_commit(lambda h=handler: h(event))  # type: ignore[misc]


def emit_many(events: Sequence[Event]) -> None:
    """Emit several events of one type at once (a bulk write's): each is checked and
    reaches the after-commit handlers as if emitted alone; in-transaction handlers get the
    whole sequence in one call."""
    if not events:
        return
    event_type = type(events[0])
    for event in events:
        _check_event(event)
        if type(event) is not event_type:
            raise TypeError("emit_many() takes events of one type")
    for batch_handler in list(_in_transaction.get(event_type, ())):
        batch_handler(tuple(events))
    for handler in list(_handlers.get(event_type, ())):
        for event in events:
            transaction.on_commit(lambda h=handler, e=event: h(e))  # type: ignore[misc]
