from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from remis.assistance import actions
from remis.assistance.models import Instalment, ItemStatus
from remis.assistance.queries import budget_of
from remis.assistance.tests.factories import approved_plan, draft_plan, first_item, pdf, plan_of
from remis.audit.models import AuditEntry
from remis.lib.errors import Conflict, PermissionDenied, TransitionRefused, ValidationFailed

pytestmark = pytest.mark.django_db


def test_an_instalment_is_recorded_with_its_receipt_and_starts_delivery(world, case, ines, today):
    item = first_item(approved_plan(world, case, ines))
    paid = actions.record_instalment(
        world.bob, item, paid_on=today, amount="250.50", currency="eur", receipt=pdf()
    )
    assert (
        paid.amount == Decimal("250.50") and paid.currency == "EUR" and paid.receipt_type == "application/pdf"
    )
    item.refresh_from_db()
    assert item.status == ItemStatus.IN_PROGRESS
    assert AuditEntry.objects.filter(action="assistance.instalment", case_uuid=case.uuid).exists()
    budget = budget_of(plan_of(case), today)
    assert budget.disbursed.by_currency == {"EUR": Decimal("250.50")}
    assert budget.approved.reporting == Decimal("600.00") and budget.package == Decimal("700")


def test_nothing_is_paid_before_approval(world, case):
    version = draft_plan(world.bob, case)
    with pytest.raises(TransitionRefused) as raised:
        actions.record_instalment(
            world.bob, first_item(version), paid_on=timezone.localdate(), amount="10", currency="EUR"
        )
    assert raised.value.field == "item"
    assert not Instalment.objects.exists()


def test_a_payment_above_the_approved_amount_is_refused_naming_the_amount(world, case, ines, today):
    item = first_item(approved_plan(world, case, ines))
    actions.record_instalment(world.bob, item, paid_on=today, amount="500", currency="EUR")
    with pytest.raises(ValidationFailed) as raised:
        actions.record_instalment(world.bob, item, paid_on=today, amount="100.01", currency="EUR")
    assert raised.value.field == "amount" and "600" in raised.value.message
    assert Instalment.objects.count() == 1
    actions.record_instalment(world.bob, item, paid_on=today, amount="100", currency="EUR")


@pytest.mark.parametrize(
    ("language", "total", "approved"),
    # Arabic isolates each amount with its currency, or "600,01 EUR" reads "EUR 600,01".
    [
        ("en", "600.01 EUR", "600.00 EUR"),
        ("fr", "600,01 EUR", "600,00 EUR"),
        ("ar", "\u2068600,01 EUR\u2069", "\u2068600,00 EUR\u2069"),
    ],
)
def test_the_refusal_writes_amounts_as_the_reader_does(world, case, ines, today, language, total, approved):
    item = first_item(approved_plan(world, case, ines))
    actions.record_instalment(world.bob, item, paid_on=today, amount="500", currency="EUR")
    with translation.override(language), pytest.raises(ValidationFailed) as raised:
        actions.record_instalment(world.bob, item, paid_on=today, amount="100.01", currency="EUR")
    assert total in raised.value.message and approved in raised.value.message


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"amount": "-5"}, "amount"),
        ({"amount": "0"}, "amount"),
        ({"amount": "abc"}, "amount"),
        ({"amount": 12.5}, "amount"),
        ({"amount": "1.234"}, "amount"),
        ({"currency": "EUX"}, "currency"),
        ({"currency": "GNF"}, "currency"),  # not the item's currency
        ({"paid_on": None}, "paid_on"),
        ({"paid_on": dt.date(2099, 1, 1)}, "paid_on"),
        ({"paid_on": dt.date(2000, 1, 1)}, "paid_on"),  # before the approval
        ({"receipt": SimpleUploadedFile("x.exe", b"MZ\x90\x00", "application/pdf")}, "receipt"),
    ],
)
def test_bad_payments_are_refused_naming_the_field_and_nothing_is_written(
    world, case, ines, today, values, field
):
    item = first_item(approved_plan(world, case, ines))
    given = {"paid_on": today, "amount": "10", "currency": "EUR", "receipt": None, **values}
    with pytest.raises(ValidationFailed) as raised:
        actions.record_instalment(world.bob, item, **given)
    assert field in [f for f, _m in raised.value.errors]
    assert not Instalment.objects.exists()
    item.refresh_from_db()
    assert item.status == ItemStatus.APPROVED


def test_payments_need_payment_record(world, case, ines, manon, today):
    item = first_item(approved_plan(world, case, ines))
    with pytest.raises(PermissionDenied):
        actions.record_instalment(ines, item, paid_on=today, amount="10", currency="EUR")


def test_a_cancelled_item_takes_no_payment_and_a_delivered_one_no_more(world, case, ines, today):
    version = approved_plan(world, case, ines, ("100", "200"))
    first, second = version.items.order_by("id")
    with pytest.raises(ValidationFailed) as raised:
        actions.change_item_status(world.bob, first, "cancelled")
    assert raised.value.field == "cancel_reason"
    actions.change_item_status(world.bob, first, "cancelled", reason="Found a job instead")
    with pytest.raises(TransitionRefused):
        actions.record_instalment(world.bob, first, paid_on=today, amount="10", currency="EUR")
    actions.change_item_status(world.bob, second, "delivered")
    with pytest.raises(TransitionRefused):
        actions.change_item_status(world.bob, second, "in_progress")
    with pytest.raises(TransitionRefused):
        actions.record_instalment(world.bob, second, paid_on=today, amount="10", currency="EUR")


def test_items_of_a_plan_not_approved_are_not_delivered(world, case):
    version = draft_plan(world.bob, case)
    with pytest.raises(TransitionRefused):
        actions.change_item_status(world.bob, first_item(version), "delivered")


def test_an_amount_out_of_range_is_refused_with_words_that_agree() -> None:
    """Too large said "from 0 to …", zero said "more than zero": the limits now agree."""
    from remis.assistance.configuration import clean_amount

    with pytest.raises(ValidationFailed) as too_large:
        clean_amount("99999999999", positive=True)
    with pytest.raises(ValidationFailed) as zero:
        clean_amount("0", positive=True)
    assert too_large.value.message == "Enter an amount of at most 9,999,999,999.99."
    assert zero.value.message == "The amount must be more than zero."
    with pytest.raises(ValidationFailed, match=r"such as 1,500 or 1,500\.50"):
        clean_amount("1e3", positive=True)  # an import's "1e3" is no amount
    assert clean_amount(Decimal("1500.5")) == Decimal("1500.50")


def test_a_currency_without_cents_takes_whole_amounts_and_shows_none(world, case, client) -> None:
    """GNF has no minor unit: "1 500 000,50 GNF" was accepted and every GNF amount shown
    with ",00"."""
    from django.urls import reverse

    version = draft_plan(world.bob, case, amounts=("1500000",), currency="GNF")
    goal = first_item(version).goal
    with pytest.raises(ValidationFailed) as refused:
        actions.add_item(
            world.bob,
            goal,
            actions.ItemData(kind="business_setup", modality="cash", amount="1500000.50", currency="GNF"),
        )
    assert refused.value.errors == [("amount", "GNF has no fraction: enter a whole amount.")]
    client.force_login(world.bob)
    client.cookies["django_language"] = "fr"
    page = client.get(reverse("plan_item", args=[case.uuid, first_item(version).pk])).content.decode()
    assert "1\u00a0500\u00a0000 GNF" in page and "1\u00a0500\u00a0000,00 GNF" not in page
    # The edit form too: it was filled with "1 500 000,00".
    assert 'value="1\u00a0500\u00a0000"' in page and "1\u00a0500\u00a0000,00" not in page


def test_a_page_opened_before_a_payment_or_a_cancellation_is_told_what_changed(world, case, ines, client):
    """Two tabs on one item: a status changed from the tab opened before a payment was
    accepted unseen (an item cancelled with money paid on it), and a payment or a status
    sent from a tab opened before a cancellation came back with no message at all."""
    from django.test import Client
    from django.urls import reverse

    version = approved_plan(world, case, ines, ("200", "100"))
    first, second = version.items.order_by("id")
    url = reverse("plan_item", args=[case.uuid, first.pk])
    client.force_login(world.bob)
    stale = client.get(url).context["status_form"].initial  # tab B opens the item
    other = Client()
    other.force_login(world.bob)
    paid = other.post(
        url, {"step": "pay", "paid_on": dt.date.today().isoformat(), "amount": "50", "currency": "EUR"}
    )
    assert paid.status_code == 302  # tab A records a payment

    cancel = {"step": "status", "status": "cancelled", "cancel_reason": "Moved away", **stale}
    refused = client.post(url, cancel)
    assert refused.status_code == 200
    assert "changed after you opened it" in refused.content.decode()
    assert "Moved away" in refused.content.decode()  # what was typed is kept
    first.refresh_from_db()
    assert first.status == ItemStatus.IN_PROGRESS
    # Sent again from the page as it is now (it shows the payment), the change is made.
    again = refused.context["status_form"].data
    assert client.post(url, again).status_code == 302
    first.refresh_from_db()
    assert first.status == ItemStatus.CANCELLED

    url = reverse("plan_item", args=[case.uuid, second.pk])
    stale = client.get(url).context["status_form"].initial
    cancel = {"step": "status", "status": "cancelled", "cancel_reason": "Not needed", **stale}
    assert other.post(url, cancel).status_code == 302
    late = client.post(
        url,
        {"step": "pay", "paid_on": dt.date.today().isoformat(), "amount": "12", "currency": "EUR"},
        follow=True,
    )
    assert "This item is “Cancelled” now: nothing was recorded." in late.content.decode()
    late = client.post(url, {"step": "status", "status": "delivered", **stale}, follow=True)
    assert "This item is “Cancelled” now: nothing was recorded." in late.content.decode()
    assert not Instalment.objects.filter(item=second).exists()


def test_a_cancelled_item_reads_as_cancelled_in_the_history(world, case, ines):
    """A plan item cancelled by its case worker read "Cancelled: consent withdrawn" (the
    label of a submission's status that shares the code), a false account of why."""
    from remis.audit.presentation import describe_entries

    item = first_item(approved_plan(world, case, ines))
    actions.change_item_status(world.bob, item, "cancelled", reason="Chose another project")
    entries = AuditEntry.objects.filter(action="assistance.item_status", case_uuid=case.uuid)
    assert entries.exists()
    lines = [
        (c.label, c.before, c.after) for e in describe_entries(entries, groups=frozenset()) for c in e.changes
    ]
    assert ("Status", "Approved", "Cancelled") in lines, lines
    assert "consent" not in str(lines)


def test_a_plans_history_names_needs_and_file_kinds(world, case):
    """The history read "Need: — → 4738" and "agreement_type: application/pdf"."""
    from remis.audit.presentation import describe_entries

    draft_plan(world.bob, case)
    entries = AuditEntry.objects.filter(case_uuid=case.uuid)
    lines = [
        (c.label, c.before, c.after) for e in describe_entries(entries, groups=frozenset()) for c in e.changes
    ]
    assert ("Need", "—", "No income since return") in lines, lines
    assert ("Signed agreement file type", "—", "PDF") in lines, lines
    assert "agreement_type" not in str(lines) and "agreed_on" not in str(lines)


def test_an_overpayment_in_a_currency_without_cents_is_said_without_them(world, case, ines, today):
    """ "…would bring the total paid to 1,650,000.00 GNF": the guinean franc has no cents."""
    actions.record_exchange_rate(ines, month=today, currency="GNF", to_currency="EUR", rate="0.000105")
    item = first_item(approved_plan(world, case, ines, ("1500000",), currency="GNF"))
    actions.record_instalment(world.bob, item, paid_on=today, amount="750000", currency="GNF")
    with pytest.raises(ValidationFailed) as raised:
        actions.record_instalment(world.bob, item, paid_on=today, amount="900000", currency="GNF")
    assert "1,650,000 GNF" in raised.value.message and "1,500,000 GNF" in raised.value.message


def test_a_closed_case_takes_no_payment_nor_item_change(world, case, ines, today):
    from remis.cases import actions as cases
    from remis.cases.tests.factories import only_cases_guards

    item = first_item(approved_plan(world, case, ines))
    with only_cases_guards():
        cases.close_case(world.bob, case, "remigrated")
    with pytest.raises(TransitionRefused) as raised:
        actions.record_instalment(world.bob, item, paid_on=today, amount="10", currency="EUR")
    assert raised.value.field == "case" and "reopen it" in raised.value.message
    with pytest.raises(TransitionRefused):
        actions.change_item_status(world.bob, item, "delivered")
    item.refresh_from_db()
    assert not Instalment.objects.exists() and item.status == ItemStatus.APPROVED


def test_a_closed_cases_items_are_not_payments_to_make(world, case, ines, today):
    from remis.assistance.queries import instalments_due
    from remis.cases import actions as cases
    from remis.cases.tests.factories import only_cases_guards

    item = first_item(approved_plan(world, case, ines))
    assert item in instalments_due(world.bob, today)
    with only_cases_guards():
        cases.close_case(world.bob, case, "lost_contact")
    assert item not in instalments_due(world.bob, today)


def test_an_item_referred_to_a_provider_is_no_payment_to_make_and_a_part_paid_is_not_late(
    world, case, ines, today
):
    """A medical item referred to a clinic read as an instalment the worker owed; an item half
    paid read "Overdue" the day after its start."""
    from remis.assistance.extensions import instalments_to_pay
    from remis.assistance.models import AssistanceItem, Route
    from remis.assistance.queries import instalments_due

    item = first_item(approved_plan(world, case, ines))
    AssistanceItem.objects.filter(pk=item.pk).update(starts_on=today - dt.timedelta(days=3))
    work = instalments_to_pay(world.bob)
    assert work is not None and work.items[0].overdue  # nothing paid three days after its start
    # Said with the day it was to be paid from (an overdue one showed no day; the others a
    # bare day, read as a deadline).
    from django.template.loader import render_to_string

    from remis.lib.templatetags.remis_dates import short_date

    card = render_to_string("cases/_work_card.html", {"w": work})
    assert "Overdue" in card and f"to pay from {short_date(today - dt.timedelta(days=3))}" in card
    actions.record_instalment(world.bob, item, paid_on=today, amount="10", currency="EUR")
    work = instalments_to_pay(world.bob)
    assert work is not None and not work.items[0].overdue  # under way
    AssistanceItem.objects.filter(pk=item.pk).update(route=Route.REFERRAL)
    assert item not in instalments_due(world.bob, today)


def test_the_work_list_writes_an_amount_with_its_currencys_decimals(world, case, ines, today):
    """A Guinean franc has no minor unit: the list read "1 869 159,00 GNF" where the plan
    read "1 869 159 GNF"."""
    from remis.assistance.extensions import instalments_to_pay
    from remis.assistance.models import AssistanceItem

    item = first_item(approved_plan(world, case, ines))
    AssistanceItem.objects.filter(pk=item.pk).update(amount=Decimal("1869159"), currency="GNF")
    listed = instalments_to_pay(world.bob)
    assert listed is not None
    assert any(entry.label.endswith("· 1,869,159 GNF") for entry in listed.items), [
        e.label for e in listed.items
    ]


def test_a_closed_cases_plan_is_no_approval_to_make(world, case, ines, today):
    """It stayed in "Plans awaiting my approval" for good, with nothing to act on."""
    from remis.assistance.queries import awaiting_approval
    from remis.assistance.tests.factories import draft_plan
    from remis.cases import actions as cases
    from remis.cases.tests.factories import only_cases_guards

    version = draft_plan(world.bob, case)
    actions.submit_plan(world.bob, version)
    assert version in awaiting_approval(ines)
    with only_cases_guards():
        cases.close_case(world.bob, case, "lost_contact")
    assert version not in awaiting_approval(ines)


def test_a_refused_payment_or_agreement_leaves_no_file_behind(world, case, ines, today, settings, tmp_path):
    """The receipt of a payment refused as over budget, and the agreement sent from a page
    opened before someone else's, stayed in storage with no record pointing to them: files
    about a returnee that neither erasure nor retention could find."""
    settings.MEDIA_ROOT = str(tmp_path)
    version = approved_plan(world, case, ines)
    item = first_item(version)
    actions.record_instalment(
        world.bob, item, paid_on=today, amount="500", currency="EUR", receipt=pdf("r.pdf")
    )
    stored = {p for p in tmp_path.rglob("*") if p.is_file()}
    with pytest.raises(ValidationFailed):
        actions.record_instalment(
            world.bob, item, paid_on=today, amount="900", currency="EUR", receipt=pdf("r2.pdf")
        )
    draft = actions.open_new_version(world.bob, plan_of(case), reason="A second item")
    with pytest.raises(Conflict):  # a page opened before someone else's save
        actions.record_agreement(
            world.bob, draft, agreed_on=today, upload=pdf(), expected_version=draft.version + 1
        )
    assert {p for p in tmp_path.rglob("*") if p.is_file()} == stored


def test_what_was_paid_on_a_cancelled_item_counts_in_the_approval_total_and_the_budget(
    world, case, ines, today
):
    """Paid 450, cancelled and replaced by a grant of 1,200: the household gets 1,650, and
    the new version was approved at the level of 1,200 (above the first threshold, 1,500, it
    takes more approvers); the case read more disbursed than approved."""
    from remis.assistance.actions.approvals import level_for, requirement

    version = approved_plan(world, case, ines, ("600",))
    paid_item = version.items.get()
    actions.record_instalment(world.bob, paid_item, paid_on=today, amount="450", currency="EUR")
    actions.change_item_status(world.bob, paid_item, "cancelled", reason="Replaced by a cash grant")
    new = actions.open_new_version(world.bob, version.plan, reason="A cash grant instead")
    goal = new.needs.get().goals.get()
    grant = actions.ItemData(kind="business_setup", modality="cash", amount="1200", currency="EUR")
    actions.add_item(world.bob, goal, grant)
    needed = requirement(new, today)
    assert needed.total == Decimal("1650.00")
    levels = [level_for(Decimal(n), needed.thresholds, needed.package) for n in ("1650", "1200")]
    assert needed.level == levels[0] > levels[1]
    approved = budget_of(plan_of(case), today).approved  # the version in force still
    assert approved.by_currency == {"EUR": Decimal("450.00")}
    # The same everywhere: the plan page's total, the programmes' budgets (they left the
    # cancelled item out: approved 0, disbursed 450).
    from remis.assistance.queries import budget_totals, totals_by_currency

    assert totals_by_currency(new) == [("EUR", Decimal("1650.00"))]
    assert totals_by_currency(version) == [("EUR", Decimal("450.00"))]
    row = budget_totals(world.admin, today)[0]
    assert row.planned.by_currency == {"EUR": Decimal("1650.00")}
    assert row.approved.by_currency == {"EUR": Decimal("450.00")}
    assert row.disbursed.by_currency == {"EUR": Decimal("450.00")}


def test_an_approved_item_with_no_start_date_is_a_payment_to_make(world, case, ines, today):
    """It never appeared in "Instalments due": the form takes an item without dates."""
    from remis.assistance.queries import instalments_due

    version = approved_plan(world, case, ines)
    item = first_item(version)
    type(item).objects.filter(pk=item.pk).update(starts_on=None)
    assert item in instalments_due(world.bob, today)
    actions.record_instalment(world.bob, item, paid_on=today, amount=str(item.amount), currency="EUR")
    assert item not in instalments_due(world.bob, today)


def test_an_instalment_due_links_to_its_items_page_while_the_plan_is_revised(
    world, case, ines, today, client
):
    """With a new version of the plan open, the home page's link (the plan page, at the
    item's anchor) led to the draft, which has neither that item nor a payment form."""
    from remis.assistance.actions import plans
    from remis.assistance.extensions import instalments_to_pay

    item = first_item(approved_plan(world, case, ines))
    plans.open_new_version(world.bob, item.version.plan, reason="Adding a training")
    work = instalments_to_pay(world.bob)
    assert work is not None
    url = work.items[0].url
    assert url == reverse("plan_item", args=[case.uuid, item.pk]) + "#instalments"
    client.force_login(world.bob)
    page = client.get(url.split("#")[0]).content.decode()
    assert 'id="instalments"' in page and 'name="amount"' in page  # the payment form is there
