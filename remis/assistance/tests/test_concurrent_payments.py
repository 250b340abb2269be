"""Two payments for one item sent at once through the API, each within the approved amount
alone but not together: one is recorded, the other refused naming the amount; the total
paid never exceeds what was approved, and the audit log holds one entry per payment."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.test import Client

from remis.accounts.tests.tokens import bearer_key
from remis.assistance.models import Instalment
from remis.assistance.tests.factories import approved_plan, case_at_plan, first_item, make_approvers
from remis.audit.models import AuditEntry
from remis.cases.tests.factories import make_user, make_world

ROUNDS = 3


@pytest.fixture(autouse=True)
def _shipped(shipped_assistance):
    """Every test here commits its rows, with the shipped assistance configuration."""


def _pay(user, item_id: int, amount: str):
    raw = bearer_key(user, "parallel")

    def call() -> tuple[int, str]:
        response = Client().post(
            f"/api/v1/plans/items/{item_id}/instalments",
            {"paid_on": str(dt.date.today()), "amount": amount, "currency": "EUR"},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {raw}",
        )
        return response.status_code, response.content.decode()

    return call


@pytest.mark.races("remis.assistance.actions.payments.record_instalment")
def test_two_payments_at_once_never_exceed_the_approved_amount(parallel_db):
    world = make_world()
    _manon, _paul, ines = make_approvers(world)
    fanta = make_user("fanta", world.gn_partner, "case_worker", ["GN"])
    for _round in range(ROUNDS):
        item = first_item(approved_plan(world, case_at_plan(world), ines))  # 600 EUR approved
        results = parallel_db(_pay(world.bob, item.pk, "400"), _pay(fanta, item.pk, "350"))
        statuses = sorted(status for status, _body in results)
        assert statuses == [201, 422], results
        refused = next(body for status, body in results if status == 422)
        assert "amount" in refused and "600" in refused  # names the field and the approved amount
        paid = Instalment.objects.filter(key=item.key)
        assert paid.count() == 1 and paid.aggregate(total=Sum("amount"))["total"] <= Decimal("600")
        entries = AuditEntry.objects.filter(
            action="assistance.instalment", case_uuid=item.version.plan.case.uuid
        )
        assert list(entries.values_list("object_id", flat=True)) == [str(paid.get().pk)]


def _void(user, item_id: int, instalment_id: int, reason: str):
    raw = bearer_key(user, "parallel")

    def call() -> tuple[int, str]:
        response = Client().post(
            f"/api/v1/plans/items/{item_id}/instalments/{instalment_id}/void",
            {"reason": reason},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {raw}",
        )
        return response.status_code, response.content.decode()

    return call


@pytest.mark.races("remis.assistance.actions.payments.void_instalment")
def test_one_payment_voided_by_two_people_at_once_is_voided_once(parallel_db):
    """Both saw the payment standing; one voids it, the other is told it already is, and the
    reason kept is the first one's, with one audit entry."""
    world = make_world()
    _manon, _paul, ines = make_approvers(world)
    fanta = make_user("fanta", world.gn_partner, "case_worker", ["GN"])
    for _round in range(ROUNDS):
        item = first_item(approved_plan(world, case_at_plan(world), ines))
        assert _pay(world.bob, item.pk, "400")()[0] == 201
        wrong = Instalment.objects.get(key=item.key)
        results = parallel_db(
            _void(world.bob, item.pk, wrong.pk, "Typed 400 instead of 40"),
            _void(fanta, item.pk, wrong.pk, "Never paid"),
        )
        statuses = sorted(status for status, _body in results)
        assert statuses == [200, 409], results
        assert "already voided" in next(body for status, body in results if status == 409)
        wrong.refresh_from_db()
        winner = next(body for status, body in results if status == 200)
        assert wrong.voided_at is not None and wrong.void_reason in winner
        entries = AuditEntry.objects.filter(action="assistance.instalment_void", object_id=str(wrong.pk))
        assert entries.count() == 1
