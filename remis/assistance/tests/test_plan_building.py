from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from remis.assistance import actions
from remis.assistance.configuration import proposed_types
from remis.assistance.models import AssistanceItem, AssistanceType, Plan, PlanVersion, ProposalRules
from remis.assistance.tests.factories import draft_plan
from remis.cases import actions as case_actions
from remis.cases.tests.factories import accepted_case
from remis.lib.errors import NotFound, PermissionDenied, TransitionRefused, ValidationFailed
from remis.programmes.models import Vulnerability

pytestmark = pytest.mark.django_db


def test_the_shipped_types_are_loaded_with_translations():
    assert AssistanceType.objects.count() == 12
    housing = AssistanceType.objects.get(code="housing")
    with translation.override("fr"):
        assert housing.label == "Logement ou hébergement"
    with translation.override("ar"):
        assert housing.label == "السكن أو المأوى"


def test_a_plan_is_started_by_plan_edit_holders_once_the_case_is_assessed(world, case, alice):
    with pytest.raises(PermissionDenied):
        actions.start_plan(alice, case)  # the host-country counsellor writes no plan
    early = accepted_case(world)
    with pytest.raises(TransitionRefused):
        actions.start_plan(world.bob, early)
    plan = actions.start_plan(world.bob, case)
    version = PlanVersion.objects.get(plan=plan)
    assert version.number == 1 and version.status == "draft"


def test_outsiders_cannot_find_the_plan(world, case, dave):
    from remis.assistance.queries import get_version_for

    draft_plan(world.bob, case)
    with pytest.raises(NotFound):
        get_version_for(dave, case.uuid, 1)


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"amount": "-1"}, "amount"),
        ({"amount": "twelve"}, "amount"),
        ({"amount": ""}, "amount"),
        ({"currency": "ZZZ"}, "currency"),
        ({"currency": "XAU"}, "currency"),
        ({"kind": "spaceship"}, "kind"),
        ({"modality": "barter"}, "modality"),
        ({"route": "teleport"}, "route"),
        ({"level": "galaxy"}, "level"),
        ({"starts_on": dt.date(2026, 5, 2), "ends_on": dt.date(2026, 5, 1)}, "ends_on"),
        # Typing slips, planned and approved: an end decades ahead, a start years before the
        # case was registered (today, in these tests).
        ({"ends_on": dt.date(2099, 2, 1)}, "ends_on"),
        ({"starts_on": dt.date(1999, 5, 1)}, "starts_on"),
        ({"starts_on": dt.date.today() - dt.timedelta(days=40)}, "starts_on"),
    ],
)
def test_bad_items_are_refused_naming_the_field_and_nothing_is_written(world, case, values, field):
    version = draft_plan(world.bob, case, amounts=())
    goal = version.needs.get().goals.get()
    data = {"kind": "education", "modality": "service", "amount": "100", "currency": "EUR", **values}
    with pytest.raises(ValidationFailed) as raised:
        actions.add_item(world.bob, goal, actions.ItemData(**data))
    assert field in [f for f, _m in raised.value.errors]
    assert not AssistanceItem.objects.exists()
    version.refresh_from_db()
    assert version.version == 4  # the need, the goal, the agreement: no write for the refused item


def test_the_agreement_needs_a_day_and_a_signed_form(world, case, today):
    version = draft_plan(world.bob, case, agreed=False)
    with pytest.raises(ValidationFailed) as raised:
        actions.record_agreement(world.bob, version, agreed_on=None, upload=None)
    assert raised.value.field == "agreed_on"
    with pytest.raises(ValidationFailed) as raised:
        actions.record_agreement(world.bob, version, agreed_on=today, upload=None)
    assert raised.value.field == "agreement_file"
    # Not before the case existed (1999 was taken for a case registered this year).
    with pytest.raises(ValidationFailed, match="before the case was registered") as raised:
        actions.record_agreement(world.bob, version, agreed_on=dt.date(1999, 5, 1), upload=None)
    assert raised.value.field == "agreed_on"
    from django.core.files.uploadedfile import SimpleUploadedFile

    with pytest.raises(ValidationFailed) as raised:
        actions.record_agreement(
            world.bob, version, agreed_on=today, upload=SimpleUploadedFile("a.pdf", b"not a pdf")
        )
    assert raised.value.field == "agreement_file"
    version.refresh_from_db()
    assert version.agreed_on is None


def test_confirmed_vulnerabilities_decide_which_types_are_proposed_first(world, case, today):
    case_actions.update_case_details(
        world.bob,
        case,
        expected_version=case.version,
        category=case.category,
        vulnerabilities=[Vulnerability.objects.get(code="victim_of_trafficking")],
        intended_return_date=case.intended_return_date,
        assigned_workers=[],
    )
    codes = [t.code for t in proposed_types(case, today)]
    assert codes[:3] == ["psychosocial_counselling", "legal_documentation", "housing"]
    assert codes[-2:] == ["business_setup", "vocational_training"]
    # A programme's own rules, from their day on, replace the shipped ones.
    ProposalRules.objects.create(
        programme=world.programme,
        effective_from=today,
        always=["job_placement"],
        by_vulnerability={"victim_of_trafficking": ["medical_care"]},
    )
    assert [t.code for t in proposed_types(case, today)] == ["medical_care", "job_placement"]
    earlier = [t.code for t in proposed_types(case, today - dt.timedelta(days=1))]
    assert earlier[0] == "medical_care"  # before its first version, the first version applies
    assert Plan.objects.count() == 0


def test_a_programme_manager_records_the_programmes_own_proposals(world, case, manon, today):
    world.programme.partners.create(organisation=world.gn_partner, role="implementing", countries=["GN"])
    with pytest.raises(PermissionDenied):
        actions.set_proposal_rules(
            world.bob, world.programme, effective_from=today, always=[], by_vulnerability={}
        )
    with pytest.raises(ValidationFailed) as raised:
        actions.set_proposal_rules(
            manon,
            world.programme,
            effective_from=today,
            always=["spaceship"],
            by_vulnerability={"bored": ["education"]},
        )
    assert {f for f, _m in raised.value.errors} == {"always", "by_vulnerability.bored"}
    actions.set_proposal_rules(
        manon, world.programme, effective_from=today, always=["job_placement"], by_vulnerability={}
    )
    assert [t.code for t in proposed_types(case, today)] == ["job_placement"]


def test_an_item_edit_refused_as_outdated_leaves_the_item_as_stored(world, case):
    """The page showed the refused values in the item's summary, as if saved, above the
    conflict message (and hid the other person's change)."""
    from remis.lib.errors import Conflict

    version = draft_plan(world.bob, case)
    read = version.version
    actions.update_item(  # someone else's save
        world.bob,
        version.items.get(),
        actions.ItemData(kind="business_setup", modality="cash", amount="611", currency="EUR"),
        expected_version=read,
    )
    item = version.items.get()  # the page, read after it: 611 EUR
    with pytest.raises(Conflict):
        actions.update_item(
            world.bob,
            item,
            actions.ItemData(kind="business_setup", modality="in_kind", amount="777", currency="EUR"),
            expected_version=read,
        )
    assert (str(item.amount), item.modality) == ("611.00", "cash")
