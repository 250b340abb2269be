"""A small explicit registry of typed domain events. Actions emit; later apps subscribe.

An event is a frozen dataclass (one per event, `remis/<app>/events.py`) whose payload is
ids, codes, flags and dates only: never a model instance, never personal data, so that a
handler, a webhook or a log line built from it leaks nothing and can be queued as it is.
`emit` refuses any other value.

Handlers run after the surrounding transaction commits, so a rolled-back write never
announces itself; outside a transaction they run at once. Subscriptions are made in an
app's `AppConfig.ready()`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

from django.db import transaction


@dataclasses.dataclass(frozen=True)
class Event:
    """Base of every domain event. `name` is its stable code ("case.stage_changed")."""

    name: ClassVar[str] = ""


E = TypeVar("E", bound=Event)
Handler = Callable[[Any], None]
_handlers: dict[type[Event], list[Handler]] = defaultdict(list)

# What a payload may hold: plain values that mean the same in any process.
PLAIN = (int, str, bool, dt.date, uuid.UUID, type(None))


def subscribe(event_type: type[E], handler: Callable[[E], None]) -> None:
    """Call `handler(event)` after each commit that emitted an `event_type`."""
    if handler not in _handlers[event_type]:
        _handlers[event_type].append(handler)


def unsubscribe(event_type: type[Event], handler: Handler) -> None:
    if handler in _handlers.get(event_type, []):
        _handlers[event_type].remove(handler)


def _check_payload(event: Event) -> None:
    for item in dataclasses.fields(event):
        value = getattr(event, item.name)
        values = value if isinstance(value, tuple) else (value,)
        if not all(isinstance(v, PLAIN) for v in values):
            raise TypeError(
                f"{type(event).__name__}.{item.name} holds {type(value).__name__}: "
                "events carry ids, codes, flags and dates only"
            )


def emit(event: Event) -> None:
    """Deliver `event` to its subscribers once the current transaction commits."""
    if not isinstance(event, Event) or not event.name:
        raise TypeError("emit() takes an Event subclass instance with a name")
    _check_payload(event)
    for handler in list(_handlers.get(type(event), ())):
        transaction.on_commit(lambda h=handler: h(event))  # type: ignore[misc]
