"""Writes no person makes are made by the system actor, attributed and audited; an action
given no actor at all refuses instead of skipping its permission check."""

from __future__ import annotations

import pytest
from django.test import Client

from remis.accounts import actions
from remis.accounts.models import OrganisationType
from remis.accounts.system import SYSTEM_USERNAME, system_actor
from remis.audit.models import AuditEntry
from remis.cases.tests.factories import make_person
from remis.lib.errors import PermissionDenied, ValidationFailed
from remis.programmes import actions as programmes
from remis.programmes.models import PartnerRole

pytestmark = pytest.mark.django_db


def test_no_actor_is_refused_by_every_set_up_action(world):
    with pytest.raises(PermissionDenied):
        actions.create_organisation(None, name="Ghost NGO", kind=OrganisationType.NGO, country="GN")
    with pytest.raises(PermissionDenied):
        actions.create_user(None, username="ghost", password="a-long-password-1")
    with pytest.raises(PermissionDenied):
        programmes.add_partner(
            None, world.programme, world.gn_partner, PartnerRole.REINTEGRATION_PARTNER, ["GN"]
        )


def test_no_actor_cannot_register_a_case(world):
    from remis.cases import actions as case_actions
    from remis.programmes.models import MigrantCategory

    with pytest.raises(PermissionDenied):
        case_actions.register_case(
            None,
            world.be_office,
            programme=world.programme,
            category=MigrantCategory.objects.get(code="irregular_migrant"),
            host_country="BE",
            origin_country="GN",
            person=make_person(),
        )


def test_the_system_actors_writes_are_attributed_to_it(db):
    org = actions.create_organisation(
        system_actor(), name="Set-up NGO", kind=OrganisationType.NGO, country="SN"
    )
    entry = AuditEntry.objects.get(action="organisation.create", object_id=str(org.pk))
    assert entry.actor is not None and entry.actor.username == SYSTEM_USERNAME


def test_nobody_can_sign_in_as_the_system_or_take_its_name(db, client: Client):
    system = system_actor()
    assert not system.is_active and not system.has_usable_password()
    assert not client.login(username=SYSTEM_USERNAME, password="")
    with pytest.raises(ValidationFailed):
        actions.create_user(system, username="System", password="a-long-password-1")
