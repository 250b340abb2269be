"""A plan's forms sent back untouched write nothing (no plan version moves, nothing is
audited) and the page says nothing was changed; the forms that record something new refuse an
untouched save instead of taking their first choice as the answer."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from remis.assistance import actions
from remis.assistance.configuration import proposal_rules_on
from remis.assistance.models import AssistanceItem, ItemStatus, PlanVersion, ProposalRules
from remis.assistance.tests.factories import approved_plan, draft_plan, first_item
from remis.audit.models import AuditEntry
from remis.cases.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def _item_form(item: AssistanceItem, version: PlanVersion) -> dict[str, object]:
    return {
        "step": "edit",
        "expected_version": version.version,
        "goal": item.goal_id,
        "kind": item.kind.code,
        "description": item.description,
        "level": item.level,
        "modality": item.modality,
        "route": item.route,
        "amount": str(item.amount),
        "currency": item.currency,
        "starts_on": item.starts_on.isoformat() if item.starts_on else "",
        "ends_on": "",
    }


def test_an_item_saved_with_its_own_values_moves_no_version_and_audits_nothing(world, case):
    version = draft_plan(world.bob, case, amounts=("650.50",))
    item = first_item(version)
    audited = AuditEntry.objects.count()
    actions.update_item(
        world.bob,
        item,
        actions.ItemData(
            kind=item.kind.code,
            modality=item.modality,
            amount="650.50",
            currency="EUR",
            level=item.level,
            route=item.route,
            starts_on=item.starts_on,
        ),
        expected_version=version.version,
    )
    assert PlanVersion.objects.get(pk=version.pk).version == version.version
    assert AuditEntry.objects.count() == audited


def test_the_item_page_says_nothing_was_changed_after_an_untouched_save(client, world, case):
    version = draft_plan(world.bob, case)
    item = first_item(version)
    url = reverse("plan_item", args=[case.uuid, item.pk])
    response = login(client, world.bob).post(url, _item_form(item, version), follow=True)
    assert "Nothing was changed." in response.content.decode()
    assert PlanVersion.objects.get(pk=version.pk).version == version.version
    changed = {**_item_form(item, version), "amount": "700"}
    response = client.post(url, changed, follow=True)
    assert "The item is saved." in response.content.decode()
    assert PlanVersion.objects.get(pk=version.pk).version == version.version + 1


def test_a_need_saved_untouched_is_said_unchanged_and_a_reworded_one_changed(client, world, case):
    version = draft_plan(world.bob, case)
    need = version.needs.get()
    url = reverse("plan_detail", args=[case.uuid])
    form = {
        "step": "need_change",
        "number": version.number,
        "need": need.pk,
        "expected_version": version.version,
        "dimension": need.dimension,
        "description": need.description,
    }
    page = login(client, world.bob).post(url, form, follow=True).content.decode()
    assert "Nothing was changed." in page and "The need is changed." not in page
    page = client.post(url, {**form, "description": "No income at all"}, follow=True).content.decode()
    assert "The need is changed." in page


def test_an_untouched_status_form_is_refused_and_the_item_stays_approved(client, world, case, manon):
    version = approved_plan(world, case, manon)
    item = first_item(version)
    url = reverse("plan_item", args=[case.uuid, item.pk])
    page = login(client, world.bob).get(url).content.decode()
    select = page[page.index('id="status-status"') :]
    # What a browser sends untouched: the first option, which chooses nothing.
    assert select[select.index("<option") :].startswith('<option value="" selected>')
    response = client.post(url, {"step": "status", "status": "", "cancel_reason": ""})
    assert response.status_code == 200
    assert "has-error" in response.content.decode()
    assert AssistanceItem.objects.get(pk=item.pk).status == ItemStatus.APPROVED
    # Cancelling without a reason: said on the reason's field, named in the summary (it was
    # a bare "This field is required." over the form).
    refused = client.post(
        url, {"step": "status", "status": ItemStatus.CANCELLED, "cancel_reason": ""}
    ).content.decode()
    assert (
        'id="status-cancel_reason_error"' in refused
        or "status-cancel_reason" in refused.split("This field is required.")[0][-400:]
    )
    assert "Reason for cancelling" in refused.split('class="error-summary"')[1].split("</div>")[0]
    assert AssistanceItem.objects.get(pk=item.pk).status == ItemStatus.APPROVED


def test_proposed_types_recorded_again_unchanged_make_no_new_version(world, hugo):
    day = dt.date(2026, 1, 1)
    first = actions.set_proposal_rules(
        hugo,
        world.programme,
        effective_from=day,
        always=["psychosocial_counselling", "business_setup"],
        by_vulnerability={"pregnant": ["medical_care"]},
    )
    audited = AuditEntry.objects.count()
    again = actions.set_proposal_rules(
        hugo,
        world.programme,
        effective_from=day + dt.timedelta(days=30),
        always=["psychosocial_counselling", "business_setup"],
        by_vulnerability={"pregnant": ["medical_care"], "elderly": []},
    )
    assert again.pk == first.pk
    assert ProposalRules.objects.filter(programme=world.programme).count() == 1
    assert AuditEntry.objects.count() == audited
    # The order is the proposal's order: another order is another version.
    reordered = actions.set_proposal_rules(
        hugo,
        world.programme,
        effective_from=day + dt.timedelta(days=30),
        always=["business_setup", "psychosocial_counselling"],
        by_vulnerability={"pregnant": ["medical_care"]},
    )
    assert reordered.pk != first.pk


def test_the_proposed_types_page_saved_untouched_keeps_the_order_and_says_so(client, world, hugo):
    from remis.assistance.configuration_views import _in_order

    assert _in_order(["a", "b", "c"], ["c", "a"]) == ["c", "a", "b"]
    stored = ProposalRules.objects.create(
        programme=world.programme,
        effective_from=dt.date(2024, 1, 1),
        always=["psychosocial_counselling", "business_setup"],
        by_vulnerability={},
        created_by=hugo,
    )
    url = reverse("proposal_rules", args=[world.programme.code])
    today = dt.date.today().isoformat()
    # The boxes come back in the list's order, not the proposal's.
    posted = {"effective_from": today, "always": ["business_setup", "psychosocial_counselling"]}
    page = login(client, hugo).post(url, posted, follow=True).content.decode()
    assert "Nothing was changed." in page
    assert proposal_rules_on(world.programme, dt.date.today()).pk == stored.pk
