from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from remis.assistance import actions
from remis.assistance.actions.approvals import level_for
from remis.assistance.actions.common import NotAllowedHere
from remis.assistance.models import Approval, ApprovalThresholds, ItemStatus, PlanStatus
from remis.assistance.tests.factories import case_at_plan, draft_plan, pdf
from remis.cases.tests.factories import make_user
from remis.lib.errors import PermissionDenied, TransitionRefused, ValidationFailed

pytestmark = pytest.mark.django_db


def submitted(world, case, amounts=("600",), currency="EUR"):
    version = draft_plan(world.bob, case, amounts, currency)
    return actions.submit_plan(world.bob, version)


def test_a_plan_within_the_first_threshold_and_the_package_needs_one_approver(world, case, ines):
    version = submitted(world, case, ("600",))
    version = actions.approve_plan(ines, version, comment="Fine")
    assert version.status == PlanStatus.APPROVED
    assert set(version.items.values_list("status", flat=True)) == {ItemStatus.APPROVED}
    case.plan.refresh_from_db()
    assert case.plan.in_force_id == version.pk
    decision = Approval.objects.get(version=version)
    assert (
        decision.level == 1 and decision.total == Decimal("600.00") and decision.reporting_currency == "EUR"
    )
    assert decision.thresholds.programme is None  # the shipped thresholds were in force
    assert decision.settings is not None and decision.settings.programme == world.programme


def test_nobody_approves_a_plan_they_drafted_or_submitted(world, case, manon):
    version = draft_plan(manon, case)
    actions.submit_plan(manon, version)
    with pytest.raises(NotAllowedHere) as raised:
        actions.approve_plan(manon, version)
    assert raised.value.field == "approver"
    version.refresh_from_db()
    assert version.status == PlanStatus.SUBMITTED and not Approval.objects.exists()


def test_a_case_worker_without_plan_approve_cannot_approve(world, case, manon):
    version = draft_plan(manon, case)
    actions.submit_plan(manon, version)
    with pytest.raises(PermissionDenied):
        actions.approve_plan(world.bob, version)


def test_above_the_package_a_plan_needs_the_next_level_not_a_refusal(world, case, ines, manon):
    version = submitted(world, case, ("1000",))  # under 1,500 but above the 700 package
    with pytest.raises(NotAllowedHere) as raised:
        actions.approve_plan(ines, version)
    assert "programme manager" in raised.value.message
    assert actions.approve_plan(manon, version).status == PlanStatus.APPROVED
    assert Approval.objects.get().level == 2


def test_above_the_second_threshold_two_distinct_approvers_decide(world, case, ines, manon, paul):
    world.programme.settings_versions.update(grant_per_person=Decimal("0"))  # no package
    version = submitted(world, case, ("3000", "2500"))  # 5,500 > 5,000
    assert actions.approve_plan(ines, version).status == PlanStatus.SUBMITTED
    with pytest.raises(NotAllowedHere):  # two approvers, but none a programme manager yet
        actions.approve_plan(ines, version)
    assert actions.approve_plan(manon, version).status == PlanStatus.APPROVED
    assert list(Approval.objects.values_list("level", flat=True)) == [3, 3]
    # The history says the status moved only when it did (the first of two read
    # "Submitted for approval → Submitted for approval").
    from remis.audit.models import AuditEntry

    first, second = AuditEntry.objects.filter(action="assistance.approved").order_by("id")
    assert "status" not in first.changes and first.changes["decision"] == [None, "approved"]
    assert second.changes["status"] == ["submitted", "approved"]


def test_levels_follow_the_thresholds_and_the_package():
    thresholds = ApprovalThresholds(manager_above=Decimal("1500"), two_above=Decimal("5000"))
    assert level_for(Decimal("1500"), thresholds, Decimal("0")) == 1
    assert level_for(Decimal("1500.01"), thresholds, Decimal("0")) == 2
    assert level_for(Decimal("5000.01"), thresholds, Decimal("0")) == 3
    assert level_for(Decimal("800"), thresholds, Decimal("700")) == 2
    assert level_for(Decimal("9000"), thresholds, Decimal("700")) == 4


def test_returning_needs_a_comment_and_goes_back_to_the_drafter(world, case, ines):
    version = submitted(world, case)
    with pytest.raises(ValidationFailed) as raised:
        actions.return_plan(ines, version, comment="  ")
    assert raised.value.field == "comment"
    version = actions.return_plan(ines, version, comment="Add the shop's rent")
    assert version.status == PlanStatus.RETURNED
    item = version.items.get()
    actions.update_item(
        world.bob,
        item,
        actions.ItemData(kind="business_setup", modality="cash", amount="650", currency="EUR"),
        expected_version=version.version,
    )
    # The returnee agreed to 600, not 650: their agreement to the plan as it is now first.
    with pytest.raises(ValidationFailed) as raised:
        actions.submit_plan(world.bob, version)
    assert raised.value.field == "agreed_on" and "changed after the returnee agreed" in raised.value.message
    version.refresh_from_db()
    actions.record_agreement(world.bob, version, agreed_on=timezone.localdate(), upload=pdf())
    version.refresh_from_db()
    version = actions.submit_plan(world.bob, version)
    assert version.round == 2
    assert actions.approve_plan(ines, version).status == PlanStatus.APPROVED


def test_a_submitted_plan_cannot_be_edited_or_submitted_again(world, case, approvers):
    version = submitted(world, case)
    need = version.needs.first()
    with pytest.raises(TransitionRefused):
        actions.add_goal(world.bob, need, description="Another goal")
    with pytest.raises(TransitionRefused):
        actions.submit_plan(world.bob, version)


def test_a_plan_no_one_could_approve_is_not_submitted_and_says_who_may(world, case):
    """A plan needing two programme managers where there is one waited as "Submitted" for
    good, the worker told nothing."""
    manon = make_user("manon", world.gn_partner, "programme_manager", ["GN"])  # the only approver
    large = draft_plan(world.bob, case, amounts=("100000",))
    with pytest.raises(NotAllowedHere) as raised:
        actions.submit_plan(world.bob, large)
    assert raised.value.field == "approver"
    assert "it needs two programme managers besides you" in raised.value.message
    assert manon.display_name in raised.value.message
    large.refresh_from_db()
    assert large.status == PlanStatus.DRAFT
    small = draft_plan(world.bob, case_at_plan(world), amounts=("100",))
    assert actions.submit_plan(world.bob, small).status == PlanStatus.SUBMITTED  # manon approves


def test_submitting_needs_items_and_the_returnees_agreement(world, case):
    version = draft_plan(world.bob, case, amounts=(), agreed=False)
    with pytest.raises(ValidationFailed) as raised:
        actions.submit_plan(world.bob, version)
    assert raised.value.field == "items"
    goal = version.needs.get().goals.get()
    actions.add_item(
        world.bob, goal, actions.ItemData(kind="education", modality="service", amount="100", currency="EUR")
    )
    with pytest.raises(ValidationFailed) as raised:
        actions.submit_plan(world.bob, version)
    assert raised.value.field == "agreed_on"


def test_a_missing_exchange_rate_blocks_submission_and_approval_naming_the_currency_and_month(
    world, case, ines, client
):
    """It was submitted as "Total 0,00 EUR: needs one approver", and its approver then met the
    missing rate; the month read "2026-12" in every language."""
    from django.urls import reverse
    from django.utils import formats

    from remis.assistance.models import ExchangeRate

    version = draft_plan(world.bob, case, ("300000",), "GNF")
    month = formats.date_format(timezone.localdate(), "YEAR_MONTH_FORMAT")
    with pytest.raises(ValidationFailed) as raised:
        actions.submit_plan(world.bob, version)
    assert raised.value.field == "exchange_rate"
    assert "GNF" in raised.value.message and month in raised.value.message
    # The case worker records no rate: told whom to ask, not to use a page with no form for them.
    assert "ask someone who approves plans" in raised.value.message
    client.force_login(world.bob)
    page = client.get(reverse("plan_detail", args=[case.uuid])).content.decode()
    assert "Total 0.00" not in page and f"No exchange rate from GNF to EUR for {month}." in page

    def rate() -> None:
        actions.record_exchange_rate(
            ines, month=timezone.localdate(), currency="GNF", to_currency="EUR", rate="0.000105"
        )

    rate()
    version = actions.submit_plan(world.bob, version)
    ExchangeRate.objects.all().delete()  # as if approved in a month without its rate yet
    with pytest.raises(ValidationFailed) as raised:
        actions.approve_plan(ines, version)
    assert raised.value.field == "exchange_rate"
    assert "record it on the exchange rates page first" in raised.value.message  # the approver may
    rate()
    version = actions.approve_plan(ines, version)
    assert version.status == PlanStatus.APPROVED
    assert Approval.objects.get().total == Decimal("31.50")


def test_thresholds_of_the_programme_and_country_in_force_on_the_day_apply(world, case, ines, manon):
    today = timezone.localdate()
    world.programme.settings_versions.update(grant_per_person=Decimal("0"))
    ApprovalThresholds.objects.create(
        programme=world.programme,
        country="",
        effective_from=today - dt.timedelta(days=30),
        manager_above=Decimal("2000"),
        two_above=Decimal("9000"),
    )
    in_guinea = ApprovalThresholds.objects.create(
        programme=world.programme,
        country="GN",
        effective_from=today - dt.timedelta(days=1),
        manager_above=Decimal("100"),
        two_above=Decimal("9000"),
    )
    ApprovalThresholds.objects.create(  # not yet in force
        programme=world.programme,
        country="GN",
        effective_from=today + dt.timedelta(days=5),
        manager_above=Decimal("5000"),
        two_above=Decimal("9000"),
    )
    version = submitted(world, case, ("600",))
    with pytest.raises(NotAllowedHere):
        actions.approve_plan(ines, version)
    actions.approve_plan(manon, version)
    assert Approval.objects.get().thresholds == in_guinea


def test_programme_managers_record_thresholds_per_country_as_new_versions(world, manon, ines, today):
    from remis.lib.errors import PermissionDenied

    world.programme.partners.create(organisation=world.gn_partner, role="implementing", countries=["GN"])
    with pytest.raises(PermissionDenied):
        actions.set_approval_thresholds(
            ines, world.programme, effective_from=today, manager_above="1", two_above="2"
        )
    with pytest.raises(ValidationFailed) as raised:
        actions.set_approval_thresholds(
            manon,
            world.programme,
            effective_from=today,
            manager_above="-1",
            two_above="abc",
            country="QQ",
        )
    assert {f for f, _m in raised.value.errors} == {"manager_above", "two_above", "country"}
    assert ("manager_above", "The amount cannot be negative.") in raised.value.errors
    row = actions.set_approval_thresholds(
        manon, world.programme, effective_from=today, manager_above="300", two_above="3000", country="gn"
    )
    assert row.country == "GN" and row.created_by == manon
    assert ApprovalThresholds.objects.filter(programme=world.programme).count() == 1
    # Before the programme starts, or the same amounts as those in force: refused.
    with pytest.raises(ValidationFailed) as raised:
        actions.set_approval_thresholds(
            manon, world.programme, effective_from=dt.date(1990, 1, 1), manager_above="1", two_above="2"
        )
    assert raised.value.field == "effective_from"
    with pytest.raises(ValidationFailed) as raised:
        actions.set_approval_thresholds(
            manon, world.programme, effective_from=today, manager_above="300", two_above="3000", country="GN"
        )
    assert "already the thresholds in force" in raised.value.message
    assert ApprovalThresholds.objects.filter(programme=world.programme).count() == 1
    # The same amounts for all countries are a version of their own (another level).
    actions.set_approval_thresholds(
        manon, world.programme, effective_from=today, manager_above="300", two_above="3000"
    )
