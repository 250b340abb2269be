from __future__ import annotations

import pytest

from remis.assistance import actions
from remis.assistance.events import InstalmentRecorded, PlanDecided, PlanSubmitted
from remis.assistance.tests.factories import draft_plan, first_item
from remis.lib import events

pytestmark = pytest.mark.django_db


def test_submitting_deciding_and_paying_announce_themselves_after_commit(
    world, case, ines, today, django_capture_on_commit_callbacks
):
    seen: list[events.Event] = []
    for kind in (PlanSubmitted, PlanDecided, InstalmentRecorded):
        events.subscribe(kind, seen.append)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            version = draft_plan(world.bob, case)
            actions.submit_plan(world.bob, version)
            actions.approve_plan(ines, version)
            actions.record_instalment(
                world.bob, first_item(version), paid_on=today, amount="10", currency="EUR"
            )
    finally:
        for kind in (PlanSubmitted, PlanDecided, InstalmentRecorded):
            events.unsubscribe(kind, seen.append)
    assert [type(e) for e in seen] == [PlanSubmitted, PlanDecided, InstalmentRecorded]
    decided = seen[1]
    assert (
        isinstance(decided, PlanDecided) and decided.status == "approved" and decided.case_uuid == case.uuid
    )
    paid = seen[2]
    assert (
        isinstance(paid, InstalmentRecorded) and paid.amount == "10.00" and paid.item_type == "business_setup"
    )
