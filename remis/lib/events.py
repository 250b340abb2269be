"""A small explicit registry of domain events. Actions emit; later apps subscribe.

Handlers run after the surrounding transaction commits, so a rolled-back write never
announces itself. Subscriptions are made in an app's `AppConfig.ready()`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.db import transaction

Handler = Callable[..., None]
_handlers: dict[str, list[Handler]] = defaultdict(list)


def subscribe(event: str, handler: Handler) -> None:
    if handler not in _handlers[event]:
        _handlers[event].append(handler)


def emit(event: str, **payload: Any) -> None:
    for handler in list(_handlers.get(event, ())):
        transaction.on_commit(lambda h=handler: h(**payload))  # type: ignore[misc]
