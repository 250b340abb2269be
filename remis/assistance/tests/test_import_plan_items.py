"""Importing assistance given elsewhere: plan items make an imported plan approved on its
day (no decisions, no events), found again by their external ID and updated when changed;
payments are statements added once, in the item's currency, within its budget; a plan made
in REMIS is never changed by an import; bad rows are refused naming their column."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from remis.assistance.models import AssistanceItem, Instalment, ItemReference, ItemStatus, Plan, PlanStatus
from remis.audit.labels import ACTION_LABELS
from remis.audit.models import AuditEntry
from remis.cases.models import CaseAccess
from remis.cases.tests.factories import make_user
from remis.cases.tests.import_files import case_row, cases_csv, rows_csv, run_import


@pytest.fixture
def paula(world: Any) -> Any:
    user = make_user("paula", world.be_office, "programme_manager", ["BE"])
    cases = [case_row(external_id="OLD-1"), case_row(external_id="OLD-2", given_name="Aminata")]
    assert run_import(user, world.be_office, "cases", cases_csv(cases).getvalue()).created == 2
    return user


def item(**values: str) -> dict[str, str]:
    row = {
        "case_external_id": "OLD-1",
        "item_external_id": "A1",
        "type": "business_setup",
        "description": "Tailoring workshop",
        "modality": "in_kind",
        "amount": "1500.00",
        "currency": "EUR",
        "starts_on": "",
        "ends_on": "",
        "status": "delivered",
        "cancel_reason": "",
        "approved_on": "2010-04-01",
    }
    row.update(values)
    return row


def payment(**values: str) -> dict[str, str]:
    row = {"item_external_id": "A1", "paid_on": "2010-05-02", "amount": "500.00", "currency": "EUR"}
    row.update(values)
    return row


def test_items_make_an_imported_plan_and_payments_are_added_once(world: Any, paula: Any) -> None:
    rows = [item(), item(item_external_id="A2", type="vocational_training", modality="service", amount="300")]
    result = run_import(paula, world.be_office, "plan_items", rows_csv(rows))
    assert (result.created, result.refused) == (2, 0), result.report_rows
    case_id = CaseAccess.objects.get(external_id="OLD-1").case_id
    plan = Plan.objects.select_related("in_force").get(case_id=case_id)
    version = plan.in_force
    assert version is not None and plan.latest_id == version.pk
    assert (
        version.imported and version.status == PlanStatus.APPROVED and str(version.agreed_on) == "2010-04-01"
    )
    assert not version.decisions.exists()
    assert {i.status for i in version.items.all()} == {ItemStatus.DELIVERED}
    assert run_import(paula, world.be_office, "plan_items", rows_csv(rows)).unchanged == 2
    rows[1]["status"] = "cancelled"
    rows[1]["cancel_reason"] = "Moved to another town"
    assert run_import(paula, world.be_office, "plan_items", rows_csv(rows)).updated == 1
    cancelled = AssistanceItem.objects.get(key=ItemReference.objects.get(external_id="A2").key)
    assert cancelled.status == ItemStatus.CANCELLED and cancelled.amount == Decimal("300")

    payments = [payment(), payment(paid_on="2010-06-02", amount="1000")]
    paid = run_import(paula, world.be_office, "payments", rows_csv(payments))
    assert (paid.created, paid.refused) == (2, 0), paid.report_rows
    assert run_import(paula, world.be_office, "payments", rows_csv(payments)).unchanged == 2
    over = run_import(
        paula, world.be_office, "payments", rows_csv([payment(paid_on="2010-07-01", amount="1")])
    )
    assert over.refused == 1 and over.report_rows[0][1] == "amount"
    assert Instalment.objects.count() == 2
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"assistance.plan_import", "assistance.item_import", "assistance.instalment_import"} <= actions
    assert actions - set(ACTION_LABELS) == set()


def test_bad_rows_are_refused_naming_their_column(world: Any, paula: Any) -> None:
    rows = [
        item(item_external_id="B1", type="no_such_type"),
        item(item_external_id="B2", amount="-5"),
        item(item_external_id="B3", currency="EURO"),
        item(item_external_id="B4", status="planned"),
        item(item_external_id="B5", status="cancelled"),
        item(item_external_id="B6", case_external_id="OLD-2", approved_on=""),
        item(item_external_id="B7", starts_on="2010-05-01", ends_on="2010-04-01"),
    ]
    result = run_import(paula, world.be_office, "plan_items", rows_csv(rows))
    refused = {(int(r[0]), r[1]) for r in result.report_rows}
    assert refused == {
        (2, "type"),
        (3, "amount"),
        (4, "currency"),
        (5, "status"),
        (6, "cancel_reason"),
        (7, "approved_on"),
        (8, "ends_on"),
    }
    assert result.created == 0 and not Plan.objects.exists()
    bad_payments = [
        payment(item_external_id="NOPE"),
        payment(item_external_id="A1", currency="USD"),
    ]
    run_import(paula, world.be_office, "plan_items", rows_csv([item()]))
    paid = run_import(
        paula, world.be_office, "payments", rows_csv([*bad_payments, payment(paid_on="2010-03-01")])
    )
    assert {(int(r[0]), r[1]) for r in paid.report_rows} == {
        (2, "item_external_id"),
        (3, "currency"),
        (4, "paid_on"),  # before the plan's approval
    }


def test_a_plan_made_in_remis_is_not_changed_by_an_import(world: Any, paula: Any) -> None:
    from remis.assistance.actions.plans import start_plan

    case_id = CaseAccess.objects.get(external_id="OLD-2").case_id
    case = CaseAccess.objects.get(external_id="OLD-2").case
    Plan.objects.filter(case_id=case_id).delete()
    # A plan started on the case page (the manager may edit plans: programme_manager).
    case.stage = "assessment"
    case.save(update_fields=["stage"])
    start_plan(paula, case)
    result = run_import(paula, world.be_office, "plan_items", rows_csv([item(case_external_id="OLD-2")]))
    assert result.refused == 1 and result.report_rows[0][1] == "case_external_id"


def test_an_imported_plan_reads_on_the_plan_and_case_pages(world: Any, paula: Any, signed_in: Any) -> None:
    run_import(paula, world.be_office, "plan_items", rows_csv([item()]))
    run_import(paula, world.be_office, "payments", rows_csv([payment()]))
    case = CaseAccess.objects.get(external_id="OLD-1").case
    client = signed_in(paula)
    page = client.get(f"/cases/{case.uuid}/plan/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Tailoring workshop" in text and "500" in text
    assert client.get(f"/cases/{case.uuid}/").status_code == 200


def test_no_payment_for_a_cancelled_item_nor_after_the_organisations_access_ended(
    world: Any, paula: Any
) -> None:
    rows = [item(status="approved"), item(item_external_id="A2", status="cancelled", cancel_reason="Moved")]
    assert run_import(paula, world.be_office, "plan_items", rows_csv(rows)).created == 2
    refused = run_import(paula, world.be_office, "payments", rows_csv([payment(item_external_id="A2")]))
    assert refused.refused == 1 and not Instalment.objects.exists()
    assert "cancelled" in str(refused.report_rows)
    # The organisation's access to the case ends (consent to share withdrawn, say): its item
    # identifiers stay, but pay nothing any more.
    CaseAccess.objects.filter(external_id="OLD-1").update(revoked_at="2026-01-01T00:00:00Z")
    refused = run_import(paula, world.be_office, "payments", rows_csv([payment()]))
    assert refused.refused == 1 and not Instalment.objects.exists()


def test_an_item_paid_since_its_import_stays_in_progress_when_its_file_comes_again(
    world: Any, paula: Any
) -> None:
    rows = [item(status="approved")]
    assert run_import(paula, world.be_office, "plan_items", rows_csv(rows)).created == 1
    assert run_import(paula, world.be_office, "payments", rows_csv([payment()])).created == 1
    key = ItemReference.objects.get(external_id="A1").key
    assert AssistanceItem.objects.get(key=key).status == ItemStatus.IN_PROGRESS
    again = run_import(paula, world.be_office, "plan_items", rows_csv(rows))
    assert (again.unchanged, again.updated) == (1, 0), again.report_rows
    assert AssistanceItem.objects.get(key=key).status == ItemStatus.IN_PROGRESS


def test_amounts_are_read_as_any_spreadsheet_writes_them_and_an_ambiguous_one_is_refused(
    world: Any, paula: Any
) -> None:
    """ "1,500" was imported as 1.50 EUR, and "1,500.00" refused with a message asking for
    exactly that."""
    rows = [
        item(item_external_id="C1", amount="1,500.00"),
        item(item_external_id="C2", amount="1.500,50"),
        item(item_external_id="C3", amount="1 500,50"),
        item(item_external_id="C4", amount="1500,5"),
        item(item_external_id="C5", amount="1,500"),
    ]
    result = run_import(paula, world.be_office, "plan_items", rows_csv(rows))
    assert [(int(r[0]), r[1]) for r in result.report_rows] == [(6, "amount")]
    assert "“1,500” can be read in more than one way" in result.report_rows[0][3]
    amounts = {
        reference.external_id: AssistanceItem.objects.get(key=reference.key).amount
        for reference in ItemReference.objects.all()
    }
    assert amounts == {
        "C1": Decimal("1500.00"),
        "C2": Decimal("1500.50"),
        "C3": Decimal("1500.50"),
        "C4": Decimal("1500.50"),
    }
    ambiguous = run_import(
        paula, world.be_office, "payments", rows_csv([payment(item_external_id="C1", amount="1,000")])
    )
    assert ambiguous.refused == 1 and ambiguous.report_rows[0][1] == "amount"
    paid = run_import(
        paula, world.be_office, "payments", rows_csv([payment(item_external_id="C1", amount="1,000.00")])
    )
    assert paid.created == 1 and Instalment.objects.get().amount == Decimal("1000.00")


@pytest.mark.parametrize("chunk", [2000, 1])
def test_a_cases_next_items_need_not_repeat_the_plans_day(
    world: Any, paula: Any, monkeypatch: Any, chunk: int
) -> None:
    """The Columns sheet says approved_on is needed for a case's first imported item: the
    second, without it, was refused ("Give the day the plan was approved"), and accepted when
    the same file was run again. In one chunk and across chunks."""
    import remis.interop.importing as importing

    monkeypatch.setattr(importing, "CHUNK", chunk)
    rows = [
        item(),
        item(item_external_id="A2", type="vocational_training", modality="service", approved_on=""),
    ]
    result = run_import(paula, world.be_office, "plan_items", rows_csv(rows))
    assert (result.created, result.refused) == (2, 0), result.report_rows
    case_id = CaseAccess.objects.get(external_id="OLD-1").case_id
    version = Plan.objects.get(case_id=case_id).in_force
    assert version is not None and version.items.count() == 2
