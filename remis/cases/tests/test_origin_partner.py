"""Who receives a case in its country of origin: the programme's reintegration partners
there, and its implementing organisations covering it. A new programme's creator,
implementing by default on both sides, took its cases to « Returned » and no further."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from remis.accounts.system import system_actor
from remis.cases import actions
from remis.cases.lifecycle import refusal
from remis.cases.models import Case
from remis.cases.queries import submission_targets
from remis.cases.tests.factories import make_person, travel_and_return
from remis.programmes import actions as programmes
from remis.programmes.models import MigrantCategory, PartnerRole

pytestmark = pytest.mark.django_db


def _returned_in(world: Any, role: str) -> Case:
    programme = programmes.create_programme(
        system_actor(),
        code="NEW-1",
        name="A new programme",
        host_countries=["BE"],
        origin_countries=["GN"],
        starts_on=dt.date(2024, 1, 1),
        organisation=world.be_office,
        partner_role=role,
    )
    case = actions.register_case(
        world.alice,
        world.be_office,
        programme=programme,
        category=MigrantCategory.objects.get(code="rejected_asylum_seeker"),
        host_country="BE",
        origin_country="GN",
        person=make_person(),
    )
    today = timezone.localdate()
    actions.record_consent(world.alice, case, purpose="data_processing", given=True, given_on=today)
    actions.record_counselling(world.alice, case, held_on=today)
    return travel_and_return(world, case)


def test_an_implementing_registrar_covering_the_origin_receives_its_own_cases(world):
    case = _returned_in(world, PartnerRole.IMPLEMENTING)
    assert refusal(case, "reception") is None
    assert list(submission_targets(case)) == []  # no submission to itself
    actions.transition_case(world.alice, case, "reception")
    case.refresh_from_db()
    assert case.stage == "reception"


def test_a_programme_with_no_one_in_the_origin_country_says_what_to_do(world):
    case = _returned_in(world, PartnerRole.HOST_COORDINATOR)
    said = refusal(case, "reception")
    assert said is not None and "no reintegration partner in Guinea" in said
    # An implementing organisation covering Guinea receives submissions.
    programmes.add_partner(system_actor(), case.programme, world.gn_partner, PartnerRole.IMPLEMENTING, ["GN"])
    assert list(submission_targets(case)) == [world.gn_partner]
    assert (
        refusal(case, "reception")
        == "A reintegration partner in the country of origin must accept the case first."
    )
