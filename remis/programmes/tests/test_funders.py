"""Programmes link to the organisations that fund them, so donors' figures can follow them."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.apps import apps

from remis.accounts import actions as accounts
from remis.accounts.models import OrganisationType
from remis.accounts.system import system_actor
from remis.audit.models import AuditEntry
from remis.lib.errors import PermissionDenied
from remis.programmes import actions
from remis.programmes.models import Programme
from remis.programmes.queries import programmes_funded_by

pytestmark = pytest.mark.django_db


def test_a_programme_is_created_with_its_funder_organisations(world):
    programme = actions.create_programme(
        world.admin,
        code="SAHEL",
        name="Sahel",
        funder="EU Trust Fund",
        funders=[world.donor],
        host_countries=["NE"],
        origin_countries=["GN"],
        starts_on=dt.date(2025, 1, 1),
    )
    assert list(programmes_funded_by(world.donor)) == [programme]
    assert programme.funder_label == "Donor Agency"
    entry = AuditEntry.objects.get(action="programme.create", object_id=str(programme.pk))
    assert entry.changes["funders"] == [None, [world.donor.pk]]


def test_without_a_linked_organisation_the_funder_as_written_is_shown(world):
    assert world.programme.funder_label == "Fedasil"


def test_a_programme_manager_of_the_programme_links_funders_and_it_is_audited(world):
    actions.set_programme_funders(world.admin, world.programme, [world.donor])
    assert list(world.donor.funded_programmes.all()) == [world.programme]
    entry = AuditEntry.objects.filter(action="programme.set_funders").latest("at")
    assert entry.changes == {"funders": [[], [world.donor.pk]]}


def test_a_member_without_programme_manage_cannot_link_funders(world, alice, victor):
    for user in (alice, victor):
        with pytest.raises(PermissionDenied):
            actions.set_programme_funders(user, world.programme, [world.donor])
    assert not world.programme.funders.exists()


def test_migration_links_programmes_to_the_organisation_named_as_funder(world):
    fedasil = accounts.create_organisation(
        system_actor(), name="Fedasil", kind=OrganisationType.GOVERNMENT, country="BE"
    )
    Programme.objects.filter(pk=world.programme.pk).update(funder="  fedasil ")
    unmatched = actions.create_programme(
        system_actor(),
        code="X",
        name="Unmatched",
        funder="Nobody we know",
        host_countries=["BE"],
        origin_countries=["GN"],
        starts_on=dt.date(2025, 1, 1),
    )
    migration = importlib.import_module("remis.programmes.migrations.0005_programme_funders")
    migration.link_funders(apps, None)
    assert list(world.programme.funders.all()) == [fedasil]
    assert not unmatched.funders.exists()


def test_the_demo_world_links_its_donor_as_funder_of_the_eu_funded_programmes():
    from remis.demo.world import build_world

    world = build_world()
    donor = "European Union Delegation (synthetic donor)"
    for demo in world.programmes:
        funders = [o.name for o in demo.programme.funders.all()]
        eu_funded = demo.programme.funder.startswith("EU ")
        assert funders == ([donor] if eu_funded else []), demo.programme.code
    assert Programme.objects.get(code="JI-SAHEL").funder_label == donor
    build_world()  # idempotent: a second build links nothing twice
    assert Programme.objects.get(code="JI-SAHEL").funders.count() == 1
