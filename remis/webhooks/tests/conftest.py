"""Personas and a real HTTP receiver for the webhooks tests.

Personas: `wendy` administers the Belgian office (holds webhooks.manage there); `alice` is
a counsellor of the same office without it (403); `bob` works for the Guinean partner
(an outsider to Belgian subscriptions: 404). `gina` administers the Guinean partner."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from remis.webhooks.tests.receiver import Receiver, running_receiver


@pytest.fixture
def wendy(world: Any) -> Any:
    from remis.cases.tests.factories import make_user

    return make_user("wendy", world.be_office, "administrator", ["BE"])


@pytest.fixture
def gina(world: Any) -> Any:
    from remis.cases.tests.factories import make_user

    return make_user("gina", world.gn_partner, "administrator", ["GN"])


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as state:
        yield state


ALL_EVENTS = [
    "case.registered",
    "case.imported",
    "case.stage_changed",
    "case.submission_answered",
    "referral.changed",
    "monitoring.visit_recorded",
    "monitoring.score_computed",
    "case.closed",
]


@pytest.fixture
def subscribe(wendy: Any, receiver: Receiver) -> Any:
    """Subscribe wendy's office's receiver to `events` (all by default); returns it."""
    from remis.webhooks import actions

    def _subscribe(events: list[str] | None = None, actor: Any = None, url: str | None = None) -> Any:
        subscription, secret = actions.create_subscription(
            actor or wendy,
            {"url": url or receiver.url, "events": events or ALL_EVENTS, "description": "test"},
        )
        receiver.secret = secret
        return subscription

    return _subscribe
