from __future__ import annotations

from decimal import Decimal

import pytest

from remis.assistance import actions
from remis.assistance.models import ItemStatus, PlanStatus, PlanVersion
from remis.assistance.queries import compare
from remis.assistance.tests.factories import approved_plan, first_item, pdf
from remis.lib.errors import Conflict, TransitionRefused, ValidationFailed

pytestmark = pytest.mark.django_db


def item_data(amount: str) -> actions.ItemData:
    return actions.ItemData(kind="business_setup", modality="cash", amount=amount, currency="EUR")


def test_changing_an_approved_plan_makes_a_new_version_and_keeps_the_first(world, case, ines, manon, today):
    first = approved_plan(world, case, ines, ("400", "200"))
    with pytest.raises(TransitionRefused):
        actions.add_need(world.bob, first, dimension="social", description="Housing")
    paid_item = first_item(first)
    actions.record_instalment(world.bob, paid_item, paid_on=today, amount="150", currency="EUR")

    second = actions.open_new_version(world.bob, case.plan, reason="The shop needs a fridge")
    assert second.number == 2 and second.status == PlanStatus.DRAFT
    assert second.items.count() == 2 and second.needs.count() == 1
    with pytest.raises(TransitionRefused):  # one open version at a time
        actions.open_new_version(world.bob, case.plan, reason="Again")
    copy = second.items.get(key=paid_item.key)
    with pytest.raises(ValidationFailed) as raised:  # below what was paid
        actions.update_item(world.bob, copy, item_data("100"), expected_version=second.version)
    assert raised.value.field == "amount"
    with pytest.raises(TransitionRefused):  # paid: cancel it, don't remove it
        actions.remove_item(world.bob, copy, expected_version=second.version)
    second.refresh_from_db()
    actions.update_item(world.bob, copy, item_data("900"), expected_version=second.version)
    actions.record_agreement(world.bob, second, agreed_on=today, upload=pdf())
    actions.submit_plan(world.bob, second)
    second = actions.approve_plan(manon, second)  # 1,100 > the 700 package: a manager

    first.refresh_from_db()
    assert first.status == PlanStatus.SUPERSEDED and second.status == PlanStatus.APPROVED
    assert first.items.get(key=paid_item.key).amount == Decimal("400.00")  # still readable
    copy.refresh_from_db()
    assert copy.status == ItemStatus.IN_PROGRESS  # the status reached under the first version
    # What was paid under the first version counts against the item in the second.
    actions.record_instalment(world.bob, copy, paid_on=today, amount="750", currency="EUR")
    with pytest.raises(ValidationFailed):
        actions.record_instalment(world.bob, copy, paid_on=today, amount="0.01", currency="EUR")

    rows = compare(first, second)
    changed = {row.key: row for row in rows}
    assert changed[paid_item.key].amount_changed and changed[paid_item.key].changed
    assert sum(row.changed for row in rows) == 1


def test_a_superseded_version_says_its_paid_column_counts_every_version(client, world, case, ines, today):
    """Version 1 read "Budget 400, Paid 729.75" (paid under version 2): an overpayment on
    an approved budget, to anyone reading it."""
    from django.urls import reverse

    first = approved_plan(world, case, ines, ("400",))
    second = actions.open_new_version(world.bob, case.plan, reason="More")
    actions.record_agreement(world.bob, second, agreed_on=today, upload=pdf())
    actions.submit_plan(world.bob, second)
    actions.approve_plan(ines, second)
    client.force_login(world.bob)
    old = client.get(reverse("plan_detail", args=[case.uuid]), {"v": first.number}).content.decode()
    current = client.get(reverse("plan_detail", args=[case.uuid])).content.decode()
    assert "Paid to date, all versions" in old and "Paid to date, all versions" not in current


def test_an_edit_from_an_outdated_page_is_a_conflict(world, case):
    plan = actions.start_plan(world.bob, case)
    version = PlanVersion.objects.get(plan=plan)
    stale = version.version
    actions.add_need(world.bob, version, dimension="social", description="Housing", expected_version=stale)
    with pytest.raises(Conflict):
        actions.add_need(world.bob, version, dimension="social", description="School", expected_version=stale)
    assert version.needs.count() == 1


def test_an_item_cancelled_in_force_is_cancelled_in_the_version_being_drafted(world, case, ines, today):
    """The draft kept counting it: over the package, it asked for two approvers, and its
    approval recorded a total that included it."""
    from remis.assistance.actions.approvals import requirement

    first = approved_plan(world, case, ines, ("400", "200"))
    second = actions.open_new_version(world.bob, case.plan, reason="The landlord closed")
    cancelled = first_item(first)
    before = requirement(second, today).total
    actions.change_item_status(world.bob, cancelled, ItemStatus.CANCELLED, reason="The landlord closed")
    copy = second.items.get(key=cancelled.key)
    assert copy.status == ItemStatus.CANCELLED and copy.cancel_reason == "The landlord closed"
    assert requirement(second, today).total == before - Decimal("400")
    # The other item, untouched, keeps the status it was copied with.
    other = second.items.exclude(key=cancelled.key).get()
    assert other.status == first.items.get(key=other.key).status


def test_a_version_that_would_hold_less_than_was_paid_is_not_put_in_force(world, case, ines, manon, today):
    """A budget lowered in the draft, then a payment of more on the version in force, read
    "500 budget, 1,000 paid" once approved; an item removed from the draft and then paid
    vanished from the plan with its payment."""
    first = approved_plan(world, case, ines, ("400", "200"))
    second = actions.open_new_version(world.bob, case.plan, reason="Budget revised")
    lowered, removed = (second.items.get(key=item.key) for item in first.items.order_by("pk"))
    actions.update_item(world.bob, lowered, item_data("100"), expected_version=second.version)
    second.refresh_from_db()
    actions.remove_item(world.bob, removed, expected_version=second.version)
    actions.record_instalment(
        world.bob, first.items.get(key=lowered.key), paid_on=today, amount="300", currency="EUR"
    )
    actions.record_instalment(
        world.bob, first.items.get(key=removed.key), paid_on=today, amount="50", currency="EUR"
    )
    actions.record_agreement(world.bob, second, agreed_on=today, upload=pdf())
    with pytest.raises(ValidationFailed) as refused:
        actions.submit_plan(world.bob, second)
    messages = " ".join(message for _field, message in refused.value.errors)
    assert "300.00 EUR were already paid" in messages and "50.00 EUR" in messages
    second.refresh_from_db()
    assert second.status == PlanStatus.DRAFT and case.plan.in_force_id == first.pk


def test_a_payment_sent_from_a_replaced_version_says_the_version_was_replaced(
    client, world, case, ines, today
):
    """Sent from version 1's item page after version 2 was approved, the refusal read
    "This item is “Approved” now": the very state that takes payments, so it explained
    nothing; the version was replaced."""
    from django.urls import reverse

    from remis.assistance.models import Instalment

    first = approved_plan(world, case, ines, ("400",))
    item = first_item(first)
    client.force_login(world.bob)
    url = reverse("plan_item", args=[case.uuid, item.pk])
    assert client.get(url).status_code == 200
    second = actions.open_new_version(world.bob, case.plan, reason="More")
    actions.record_agreement(world.bob, second, agreed_on=today, upload=pdf())
    actions.submit_plan(world.bob, second)
    actions.approve_plan(ines, second)
    late = client.post(
        url, {"step": "pay", "paid_on": today.isoformat(), "amount": "12", "currency": "EUR"}, follow=True
    )
    text = late.content.decode()
    assert "Version 1 of the plan is “Superseded” now: nothing was recorded." in text
    assert "now: nothing was recorded" in text and "“Approved” now" not in text
    assert not Instalment.objects.filter(key=item.key).exists()
