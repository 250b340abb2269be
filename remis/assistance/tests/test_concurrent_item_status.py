"""Two case workers change the status of the same assistance item at once: one change is
made, never both; the audit log holds the one made."""

from __future__ import annotations

import pytest

from remis.assistance import actions
from remis.assistance.models import AssistanceItem
from remis.assistance.tests.factories import approved_plan, case_at_plan, first_item, make_approvers
from remis.audit.models import AuditEntry
from remis.cases.tests.factories import make_user, make_world
from remis.lib.errors import Conflict, TransitionRefused

ROUNDS = 3


@pytest.fixture(autouse=True)
def _shipped(shipped_assistance):
    """Every test here commits its rows, with the shipped assistance configuration."""


def test_an_item_delivered_and_cancelled_at_once_ends_one_or_the_other(parallel_db):
    """Two case workers move the same item from the page they both read: one change is
    made, the other is told the item changed; the audit holds the one made."""
    world = make_world()
    _manon, _paul, ines = make_approvers(world)
    fanta = make_user("fanta", world.gn_partner, "case_worker", ["GN"])
    for _round in range(ROUNDS):
        item = first_item(approved_plan(world, case_at_plan(world), ines))
        delivered, cancelled = parallel_db(
            lambda item=item: actions.change_item_status(world.bob, item, "delivered"),
            lambda item=item: actions.change_item_status(
                fanta, AssistanceItem.objects.get(pk=item.pk), "cancelled", reason="Returnee moved away"
            ),
        )
        outcomes = [delivered, cancelled]
        # The other is told: the item changed since it was read (a conflict), or, read after
        # the first change committed, a delivered item cannot be cancelled (or the reverse).
        assert sum(isinstance(o, Conflict | TransitionRefused) for o in outcomes) == 1, outcomes
        made = next(o for o in outcomes if isinstance(o, AssistanceItem))
        stored = AssistanceItem.objects.get(pk=item.pk)
        assert stored.status == made.status
        entries = AuditEntry.objects.filter(action="assistance.item_status", object_id=str(item.pk))
        assert entries.count() == 1 and entries.get().changes["status"][1] == made.status


def test_an_item_paid_and_cancelled_at_once_is_not_both(parallel_db):
    """A case worker records a payment while a manager cancels the same item from the page
    they both read: one of them is made, never "Cancelled · Paid 100"."""
    import datetime as dt
    from decimal import Decimal

    from remis.assistance.actions.payments import record_instalment
    from remis.assistance.models import Instalment, ItemStatus

    world = make_world()
    _manon, _paul, ines = make_approvers(world)
    fanta = make_user("fanta", world.gn_partner, "case_worker", ["GN"])
    for _round in range(ROUNDS):
        item = first_item(approved_plan(world, case_at_plan(world), ines))
        seen = AssistanceItem.objects.get(pk=item.pk)
        paid, cancelled = parallel_db(
            lambda item=item: record_instalment(
                world.bob, item, paid_on=dt.date.today(), amount="10", currency=item.currency
            ),
            lambda seen=seen: actions.change_item_status(
                fanta,
                seen,
                "cancelled",
                reason="Returnee moved away",
                seen_status=seen.status,
                seen_paid=Decimal(0),
            ),
        )
        outcomes = [paid, cancelled]
        assert sum(isinstance(o, Conflict | TransitionRefused) for o in outcomes) == 1, outcomes
        stored = AssistanceItem.objects.get(pk=item.pk)
        payments = Instalment.objects.filter(key=item.key).count()
        assert (stored.status, payments) in {(ItemStatus.CANCELLED, 0), (ItemStatus.IN_PROGRESS, 1)}
