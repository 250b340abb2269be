"""Voiding a payment recorded by mistake: it stays in the item's history (who voided it,
when, why), stops counting as paid everywhere paid amounts are added up, and frees its share
of the approved amount for the right payment. Refused without a reason, twice, or to a
reader who does not record payments."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from remis.accounts.tests.tokens import bearer_key
from remis.assistance import actions
from remis.assistance.actions.plans import paid_for
from remis.assistance.models import Instalment
from remis.assistance.queries import budget_of, instalments_due, items_with_paid
from remis.assistance.tests.factories import approved_plan, first_item, plan_of
from remis.audit.models import AuditEntry
from remis.audit.sealing import readable_changes
from remis.cases.tests.factories import PASSWORD
from remis.lib.errors import Duplicate, PermissionDenied, ValidationFailed

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid(world, case, ines, today):
    """An approved item of 600 EUR with two payments: 400 (the mistake) and 100."""
    item = first_item(approved_plan(world, case, ines))
    wrong = actions.record_instalment(world.bob, item, paid_on=today, amount="400", currency="EUR")
    actions.record_instalment(world.bob, item, paid_on=today, amount="100", currency="EUR")
    return item, wrong


def test_a_voided_payment_stays_listed_but_no_longer_counts(world, case, paid, today):
    item, wrong = paid
    assert paid_for(item) == Decimal("500")
    actions.void_instalment(world.bob, wrong, reason="Typed 400 instead of 40")
    stored = Instalment.objects.get(pk=wrong.pk)
    assert stored.voided_at is not None and stored.voided_by == world.bob
    assert stored.void_reason == "Typed 400 instead of 40" and stored.amount == Decimal("400")
    assert Instalment.objects.filter(key=item.key).count() == 2
    assert paid_for(item) == Decimal("100")
    assert budget_of(plan_of(case), today).disbursed.by_currency == {"EUR": Decimal("100")}
    assert [row.paid for row in items_with_paid(item.version)] == [Decimal("100")]
    entry = AuditEntry.objects.get(action="assistance.instalment_void")
    assert entry.case_uuid == case.uuid and entry.object_id == str(wrong.pk)
    readable = readable_changes(entry)  # the reason is sealed in the log (personal text)
    assert readable["void_reason"] == [None, "Typed 400 instead of 40"]
    assert "Typed" not in str(entry.changes) and entry.changes["amount"] == ["400.00", None]


def test_the_voided_share_can_be_paid_again(world, paid, today):
    item, wrong = paid
    too_much = {"paid_on": today, "amount": "140", "currency": "EUR"}
    with pytest.raises(ValidationFailed):
        actions.record_instalment(world.bob, item, **too_much)  # 500 + 140 > 600
    actions.void_instalment(world.bob, wrong, reason="Typed 400 instead of 40")
    actions.record_instalment(world.bob, item, **too_much)
    assert paid_for(item) == Decimal("240")


def test_a_fully_paid_item_voided_is_due_again(world, case, ines, today):
    item = first_item(approved_plan(world, case, ines))
    whole = actions.record_instalment(world.bob, item, paid_on=today, amount="600", currency="EUR")
    assert item not in instalments_due(world.bob, today)
    actions.void_instalment(world.bob, whole, reason="Paid to the wrong account, returned")
    assert item in instalments_due(world.bob, today)


def test_voiding_a_payment_of_a_delivered_item_puts_it_back_in_progress(world, case, ines, today):
    """Delivered, nothing more is paid on an item: the right payment could not be recorded
    after voiding the wrong one. A cancelled item stays cancelled."""
    from remis.assistance.models import ItemStatus

    first, second = approved_plan(world, case, ines, ("100", "200")).items.order_by("id")
    wrong = actions.record_instalment(world.bob, first, paid_on=today, amount="100", currency="EUR")
    actions.change_item_status(world.bob, first, ItemStatus.DELIVERED)
    paid = actions.record_instalment(world.bob, second, paid_on=today, amount="50", currency="EUR")
    actions.change_item_status(world.bob, second, ItemStatus.CANCELLED, reason="Moved away")
    actions.void_instalment(world.bob, wrong, reason="Paid to the wrong account, returned")
    first.refresh_from_db()
    assert first.status == ItemStatus.IN_PROGRESS
    entry = AuditEntry.objects.get(action="assistance.instalment_void", object_id=str(wrong.pk))
    assert entry.changes["status"] == ["delivered", "in_progress"]
    actions.record_instalment(world.bob, first, paid_on=today, amount="100", currency="EUR")
    actions.void_instalment(world.bob, paid, reason="Never paid")
    second.refresh_from_db()
    assert second.status == ItemStatus.CANCELLED
    voided = AuditEntry.objects.get(action="assistance.instalment_void", object_id=str(paid.pk))
    assert "status" not in voided.changes


@pytest.mark.parametrize("reason", ["", "   ", None, "x" * 1001, "Never\x00paid", "\u202egnorw"])
def test_a_reason_is_required_and_bounded(world, paid, reason):
    _item, wrong = paid
    with pytest.raises(ValidationFailed) as raised:
        actions.void_instalment(world.bob, wrong, reason=reason)
    assert raised.value.field == "reason"
    assert Instalment.objects.get(pk=wrong.pk).voided_at is None
    assert not AuditEntry.objects.filter(action="assistance.instalment_void").exists()


def test_voiding_twice_is_refused_and_logged_once(world, paid):
    _item, wrong = paid
    actions.void_instalment(world.bob, wrong, reason="Never paid")
    with pytest.raises(Duplicate):
        actions.void_instalment(world.bob, Instalment.objects.get(pk=wrong.pk), reason="Again")
    assert Instalment.objects.get(pk=wrong.pk).void_reason == "Never paid"
    assert AuditEntry.objects.filter(action="assistance.instalment_void").count() == 1


def test_only_those_who_record_payments_void_them(world, paid, ines, dave):
    _item, wrong = paid
    for reader in (ines, dave):  # an approver of the plan; another organisation's worker
        with pytest.raises(PermissionDenied):
            actions.void_instalment(reader, wrong, reason="Never paid")
    assert Instalment.objects.get(pk=wrong.pk).voided_at is None


def _login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_a_payment_is_voided_from_the_item_page(client, world, case, paid):
    item, wrong = paid
    page = reverse("plan_item", args=[case.uuid, item.pk])
    _login(client, world.bob)
    drawn = client.get(page).text
    assert drawn.count("Void the payment") == 2  # one form per payment that stands
    # Sent untouched: the reason is named, the form stays open, nothing is voided.
    untouched = client.post(page, {"step": "void", "instalment": wrong.pk, "reason": ""})
    assert untouched.status_code == 200
    assert f'id="void-{wrong.pk}-reason"' in untouched.text
    assert "This field is required." in untouched.text and "<details open>" in untouched.text
    assert Instalment.objects.get(pk=wrong.pk).voided_at is None
    done = client.post(
        page, {"step": "void", "instalment": wrong.pk, "reason": "Typed 400 instead of 40"}, follow=True
    )
    assert "The payment is voided" in done.text
    assert "Typed 400 instead of 40" in done.text and "<del>" in done.text
    assert done.text.count("Void the payment") == 1
    assert '<dd id="item-paid"><bdi>100.00 EUR</bdi></dd>' in done.text
    # The same form sent again (Back): told, not voided twice.
    again = client.post(page, {"step": "void", "instalment": wrong.pk, "reason": "Again"}, follow=True)
    assert "already voided" in again.text
    assert AuditEntry.objects.filter(action="assistance.instalment_void").count() == 1


def test_the_item_page_offers_no_void_to_a_reader_who_may_not(client, world, case, paid, ines):
    item, wrong = paid
    page = reverse("plan_item", args=[case.uuid, item.pk])
    _login(client, ines)
    assert "Void the payment" not in client.get(page).text
    refused = client.post(page, {"step": "void", "instalment": wrong.pk, "reason": "Never paid"})
    assert refused.status_code == 403
    assert Instalment.objects.get(pk=wrong.pk).voided_at is None


def test_an_instalment_of_another_item_is_not_found_from_this_page(client, world, case, ines, today):
    item, other = approved_plan(world, case, ines, ("100", "200")).items.order_by("id")
    elsewhere = actions.record_instalment(world.bob, other, paid_on=today, amount="50", currency="EUR")
    _login(client, world.bob)
    page = reverse("plan_item", args=[case.uuid, item.pk])
    assert client.post(page, {"step": "void", "instalment": elsewhere.pk, "reason": "x"}).status_code == 404
    assert client.post(page, {"step": "void", "instalment": "abc", "reason": "x"}).status_code == 404
    assert Instalment.objects.get(pk=elsewhere.pk).voided_at is None


def _api(client, user):
    raw = bearer_key(user, "test")

    def post(path: str, body: dict):
        return client.post(
            f"/api/v1/plans{path}", body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}"
        )

    def get(path: str):
        return client.get(f"/api/v1/plans{path}", HTTP_AUTHORIZATION=f"Bearer {raw}")

    return post, get


def test_a_payment_is_voided_through_the_api(client, world, paid, dave):
    item, wrong = paid
    post, get = _api(client, world.bob)
    path = f"/items/{item.pk}/instalments/{wrong.pk}/void"
    empty = post(path, {"reason": " "})
    assert empty.status_code == 422 and empty.json()["errors"][0]["field"] == "reason"
    done = post(path, {"reason": "Never paid"})
    assert done.status_code == 200, done.content
    assert done.json()["voided"] is True and done.json()["void_reason"] == "Never paid"
    listed = {row["id"]: row for row in get(f"/items/{item.pk}/instalments").json()}
    assert listed[wrong.pk]["voided"] is True and len(listed) == 2
    assert post(path, {"reason": "Again"}).status_code == 409
    outsider_post, _get = _api(client, dave)
    assert outsider_post(path, {"reason": "x"}).status_code == 404
    assert post(f"/items/{item.pk}/instalments/999999/void", {"reason": "x"}).status_code == 404


def test_erasing_the_returnee_erases_why_a_payment_was_voided(world, case, paid):
    """The reason is free text about the returnee: erased with the plan's other text, and
    kept in the audit log only until then."""
    from remis.cases.tests.factories import erase

    _item, wrong = paid
    actions.void_instalment(world.bob, wrong, reason="Paid to Aïssatou's cousin by mistake")
    erase(world, case, case.principal, "data_subject_request")
    stored = Instalment.objects.get(pk=wrong.pk)
    assert stored.void_reason == "" and stored.voided_at is not None and stored.amount == Decimal("400")
    entry = AuditEntry.objects.get(action="assistance.instalment_void")
    assert "cousin" not in str(readable_changes(entry))


def test_anonymising_the_case_coarsens_when_a_payment_was_voided(world, case, paid):
    """Retention keeps months, not moments: the voiding's moment moves to its month and
    its reason (free text) goes."""
    from remis.cases.actions.retention import anonymise_case

    _item, wrong = paid
    actions.void_instalment(world.bob, wrong, reason="Paid twice by mistake")
    assert anonymise_case(case, 1) is not None
    stored = Instalment.objects.get(pk=wrong.pk)
    moment = stored.voided_at
    assert moment is not None and (moment.day, moment.hour, moment.minute) == (1, 12, 0)
    assert stored.void_reason == ""
