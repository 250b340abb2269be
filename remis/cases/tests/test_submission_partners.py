"""Which organisations a case can be submitted to: the programme's current reintegration
partners acting in the case's country of origin, active ones only."""

from __future__ import annotations

import pytest

from remis.accounts import actions as accounts
from remis.accounts.models import OrganisationType
from remis.accounts.system import system_actor
from remis.cases.tests.factories import make_world
from remis.programmes import actions as programmes
from remis.programmes.models import PartnerRole
from remis.programmes.queries import partners_in

pytestmark = pytest.mark.django_db


def _organisation(name: str, country: str):
    return accounts.create_organisation(system_actor(), name=name, kind=OrganisationType.NGO, country=country)


def test_partners_are_those_acting_in_the_case_country():
    world = make_world()  # its Guinean NGO is the reintegration partner in GN
    senegal = _organisation("Sénégal Retour", "SN")
    both = _organisation("Retour Ouest", "GN")
    coordinator = _organisation("Coordination", "BE")
    role = PartnerRole.REINTEGRATION_PARTNER
    programmes.add_partner(system_actor(), world.programme, senegal, role, ["SN"])
    programmes.add_partner(system_actor(), world.programme, both, role, ["GN", "SN"])
    programmes.add_partner(system_actor(), world.programme, coordinator, PartnerRole.HOST_COORDINATOR, ["BE"])
    assert set(partners_in(world.programme, role, "GN")) == {world.gn_partner, both}
    assert set(partners_in(world.programme, role, "SN")) == {senegal, both}
    assert set(partners_in(world.programme, role, "IQ")) == set()
    assert set(partners_in(world.programme, role, "BE")) == set()  # a coordinator is no such partner
    both.active = False
    both.save()
    assert set(partners_in(world.programme, role, "SN")) == {senegal}  # an inactive one is not offered
