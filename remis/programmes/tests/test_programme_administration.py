"""The programme and partner actions: who may change a programme, what each change
records, the refusals that keep a programme coherent, and concurrent edits."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone, translation

from remis.accounts import actions as accounts
from remis.accounts.models import OrganisationType
from remis.accounts.system import system_actor
from remis.audit.models import AuditEntry
from remis.cases.tests.factories import make_user, register
from remis.lib.errors import Conflict, PermissionDenied, ValidationFailed
from remis.programmes import actions
from remis.programmes.models import PartnerRole, Programme, ProgrammePartner

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """Messages are compared in English, whatever a page test before left active."""
    with translation.override("en"):
        yield


@pytest.fixture
def manager(world):
    return make_user("maria", world.be_office, "programme_manager", ["BE"])


def edit(actor, programme, expected_version, **changes):
    values = {
        "name": programme.name,
        "funder": programme.funder,
        "host_countries": programme.host_countries,
        "origin_countries": programme.origin_countries,
        "starts_on": programme.starts_on,
        **changes,
    }
    return actions.update_programme(actor, programme, expected_version=expected_version, **values)


def test_an_edit_is_audited_with_what_changed_and_raises_the_version(world, manager):
    programme = Programme.objects.get(pk=world.programme.pk)
    before = programme.version
    edit(manager, programme, before, name="Belgian REAB 2027", ends_on=dt.date(2027, 12, 31))
    assert Programme.objects.get(pk=programme.pk).version == before + 1
    entry = AuditEntry.objects.get(action="programme.update", actor=manager)
    assert entry.changes == {"name": ["Belgian REAB", "Belgian REAB 2027"], "ends_on": [None, "2027-12-31"]}


def test_the_second_of_two_managers_editing_the_same_read_gets_a_conflict(world, manager):
    other = make_user("marc", world.be_office, "administrator", ["BE"])
    read = Programme.objects.get(pk=world.programme.pk)
    also_read = Programme.objects.get(pk=world.programme.pk)
    edit(manager, read, read.version, name="First")
    with pytest.raises(Conflict):
        edit(other, also_read, also_read.version, name="Second")
    with pytest.raises(Conflict):
        actions.add_partner(
            other,
            also_read,
            world.nl_office,
            PartnerRole.REINTEGRATION_PARTNER,
            ["SN"],
            expected_version=also_read.version,
        )
    assert Programme.objects.get(pk=read.pk).name == "First"


def test_who_may_not_edit_a_programme(world, alice, bob):
    mali = accounts.create_organisation(
        system_actor(), name="IOM Mali", kind=OrganisationType.IOM_MISSION, country="ML"
    )
    outsider = make_user("oscar", mali, "programme_manager", ["ML"])
    operator = make_user("olga", world.be_office, "platform_operator", [])
    programme = Programme.objects.get(pk=world.programme.pk)
    for actor in (outsider, alice, bob, operator):
        with pytest.raises(PermissionDenied):
            edit(actor, programme, programme.version, name="Taken over")
        with pytest.raises(PermissionDenied):
            actions.set_programme_active(actor, programme, False)
        with pytest.raises(PermissionDenied):
            actions.add_partner(actor, programme, mali, PartnerRole.REINTEGRATION_PARTNER, ["GN"])
    assert Programme.objects.get(pk=programme.pk).name == "Belgian REAB"
    assert not AuditEntry.objects.filter(action__in=["programme.update", "programme.deactivate"]).exists()


def test_programme_countries_and_dates_are_checked_naming_the_field(world, manager):
    programme = Programme.objects.get(pk=world.programme.pk)
    with pytest.raises(ValidationFailed) as refused:
        edit(manager, programme, programme.version, ends_on=dt.date(2023, 1, 1), host_countries=["BE", "XX"])
    assert {f for f, _m in refused.value.errors} == {"ends_on", "host_countries"}
    # Kosovo (XK) is a country for REMIS though not in ISO 3166-1
    edit(manager, programme, programme.version, origin_countries=["GN", "SN", "IQ", "XK"])


def test_shrinking_the_countries_below_a_partners_is_refused_naming_the_partner(world, manager):
    programme = Programme.objects.get(pk=world.programme.pk)
    with pytest.raises(ValidationFailed) as refused:
        edit(manager, programme, programme.version, origin_countries=["SN", "IQ"])
    assert refused.value.errors == [
        (
            "origin_countries",
            "Guinée Retour NGO acts for this programme in Guinea: change its countries first.",
        )
    ]


def test_a_partners_countries_must_be_the_programmes_for_its_role(world, manager):
    programme = Programme.objects.get(pk=world.programme.pk)
    with pytest.raises(ValidationFailed) as refused:
        actions.add_partner(manager, programme, world.nl_office, PartnerRole.REINTEGRATION_PARTNER, ["BE"])
    assert refused.value.field == "countries"
    partner = programme.partners.get(organisation=world.gn_partner)
    actions.change_partner_countries(manager, partner, ["GN", "SN"], expected_version=None)
    entry = AuditEntry.objects.get(action="programme.change_partner")
    assert entry.changes == {"countries": [["GN"], ["GN", "SN"]]}


def test_a_partner_cases_are_shared_with_is_not_removed(world, manager):
    register(world)  # registered by IOM Belgium: the case is shared with it
    programme = Programme.objects.get(pk=world.programme.pk)
    partner = programme.partners.get(organisation=world.be_office)
    with pytest.raises(ValidationFailed) as refused:
        actions.remove_partner(manager, partner, expected_version=programme.version)
    assert "1 case of this programme is shared with IOM Belgium" in refused.value.message
    assert programme.partners.filter(pk=partner.pk).exists()


def test_the_last_organisation_managing_a_programme_is_not_removed(world, manager):
    programme = actions.create_programme(
        manager,
        code="SOLO",
        name="Solo",
        host_countries=["BE"],
        origin_countries=["GN"],
        starts_on=dt.date(2026, 1, 1),
    )
    runner = programme.partners.get()
    assert runner.organisation == world.be_office and runner.role == PartnerRole.IMPLEMENTING
    partner = actions.add_partner(
        manager, programme, world.gn_partner, PartnerRole.REINTEGRATION_PARTNER, ["GN"]
    )
    with pytest.raises(ValidationFailed) as refused:
        actions.remove_partner(manager, runner, expected_version=None)
    assert "last organisation managing this programme" in refused.value.message
    actions.remove_partner(manager, partner, expected_version=None)  # no manager there: fine
    entry = AuditEntry.objects.get(action="programme.remove_partner")
    assert entry.object_id == str(partner.pk) and entry.changes["ended_at"][0] is None
    ended = ProgrammePartner.all_partnerships.get(pk=partner.pk)
    assert ended.ended_at is not None and not programme.partners.filter(pk=partner.pk).exists()
    # and it can become a partner again
    actions.add_partner(manager, programme, world.gn_partner, PartnerRole.REINTEGRATION_PARTNER, ["GN"])


def test_deactivating_and_reactivating_are_audited(world, manager):
    programme = Programme.objects.get(pk=world.programme.pk)
    actions.set_programme_active(manager, programme, False, expected_version=programme.version)
    actions.set_programme_active(manager, programme, True)
    assert [e.action for e in AuditEntry.objects.filter(object_type="programmes.programme").order_by("at")][
        -2:
    ] == [
        "programme.deactivate",
        "programme.reactivate",
    ]
    assert Programme.objects.get(pk=programme.pk).active is True


def test_a_manager_of_two_organisations_names_the_one_running_a_new_programme(world, manager):
    accounts.add_membership(
        system_actor(), user=manager, organisation=world.nl_office, role="programme_manager", countries=["NL"]
    )
    with pytest.raises(ValidationFailed) as refused:
        actions.create_programme(
            manager,
            code="TWO",
            name="Two",
            host_countries=["NL"],
            origin_countries=["GN"],
            starts_on=dt.date(2026, 1, 1),
        )
    assert refused.value.field == "organisation"
    with pytest.raises(ValidationFailed):
        actions.create_programme(
            manager,
            code="TWO",
            name="Two",
            host_countries=["NL"],
            origin_countries=["GN"],
            starts_on=dt.date(2026, 1, 1),
            organisation=world.gn_partner,
        )


def test_two_managers_saving_at_once_from_the_same_read_one_wins_one_conflicts(parallel_db):
    from remis.cases.tests.factories import make_world

    world = make_world()
    first = make_user("maria", world.be_office, "programme_manager", ["BE"])
    second = make_user("marc", world.nl_office, "programme_manager", ["NL"])
    read = Programme.objects.get(pk=world.programme.pk).version
    results = parallel_db(
        lambda: edit(first, Programme.objects.get(pk=world.programme.pk), read, name="By Maria"),
        lambda: edit(second, Programme.objects.get(pk=world.programme.pk), read, name="By Marc"),
    )
    assert sum(isinstance(r, Conflict) for r in results) == 1
    assert sum(isinstance(r, Programme) for r in results) == 1
    saved = Programme.objects.get(pk=world.programme.pk)
    assert saved.version == read + 1 and saved.name in ("By Maria", "By Marc")
    assert AuditEntry.objects.filter(action="programme.update").count() == 1


def test_a_funder_unlinked_is_no_longer_named(world, manager):
    """Its name, copied into the funder as written when the programme was made, stayed on
    every page after the organisation was unlinked (and its viewers had lost access)."""
    from remis.accounts.models import Organisation

    donor = Organisation.objects.create(name="Delegation of the Union", kind=OrganisationType.DONOR)
    programme = actions.create_programme(
        manager,
        code="FUNDED",
        name="Funded",
        host_countries=["BE"],
        origin_countries=["GN"],
        starts_on=dt.date(2026, 1, 1),
        funders=[donor],
    )
    assert programme.funder_label == "Delegation of the Union" and programme.funder == ""
    edit(manager, programme, programme.version, funders=[])
    programme = Programme.objects.get(pk=programme.pk)
    assert programme.funder_label == ""


def test_a_code_taken_in_other_letters_case_is_refused_naming_the_programme(world, manager):
    """ "rvs-2027" beside "RVS-2027": two programmes offered side by side, and the API read one
    or the other by the letters' case."""
    values: Any = {
        "name": "Doublon",
        "host_countries": ["BE"],
        "origin_countries": ["GN"],
        "starts_on": dt.date(2026, 1, 1),
    }
    actions.create_programme(manager, code="RVS-2027", **values)
    with pytest.raises(ValidationFailed) as refused:
        actions.create_programme(manager, code="rvs-2027", **values)
    assert refused.value.field == "code" and "RVS-2027" in refused.value.message


def test_a_name_another_programme_has_is_refused_whatever_the_letters_case(world, manager):
    """Every programme filter and report names programmes by name: two "Réintégration
    Guinée" were two identical choices."""
    values: Any = {"host_countries": ["BE"], "origin_countries": ["GN"], "starts_on": dt.date(2026, 1, 1)}
    first = actions.create_programme(manager, code="RG-1", name="Réintégration Guinée", **values)
    with pytest.raises(ValidationFailed) as refused:
        actions.create_programme(manager, code="RG-2", name=" RÉINTÉGRATION guinée ", **values)
    # Not named: it may be another organisation's programme, which the actor does not see.
    assert refused.value.errors == [
        ("name", "Another programme is named “RÉINTÉGRATION guinée” already: give this one another name.")
    ]
    assert not Programme.objects.filter(code="RG-2").exists()
    # Names that read alike: other spaces (a no-break one), another dash.
    for alike in ("Réintégration  Guinée", "Réintégration\u00a0Guinée"):
        with pytest.raises(ValidationFailed):
            actions.create_programme(manager, code="RG-3", name=alike, **values)
    dashed = actions.create_programme(manager, code="RG-4", name="Retours – Sahel", **values)
    assert dashed.name == "Retours – Sahel"
    for alike in ("Retours - Sahel", "Retours—Sahel", "Ret\u200bours – Sahel", "Ｒetours – Sahel"):
        with pytest.raises(ValidationFailed):
            actions.create_programme(manager, code="RG-5", name=alike, **values)
    with pytest.raises(ValidationFailed):  # a decomposed letter is the same letter
        actions.create_programme(
            manager, code="RG-5", name="Re\u0301inte\u0301gration Guine\u0301e", **values
        )
    spaced = actions.create_programme(manager, code="RG-6", name="  Retours   Mali ", **values)
    assert spaced.name == "Retours Mali"  # kept with one space between words
    # Renamed into another's name: refused too; its own name, saved untouched, is not another's.
    with pytest.raises(ValidationFailed) as renamed:
        edit(manager, Programme.objects.get(pk=world.programme.pk), world.programme.version, name=first.name)
    assert [field for field, _message in renamed.value.errors] == ["name"]
    edit(manager, first, first.version, name="réintégration guinée")
    assert Programme.objects.get(pk=first.pk).name == "réintégration guinée"


def test_a_programme_whose_only_host_is_its_only_origin_is_refused(world, manager):
    """No case could ever join it: a return goes from one country to another."""
    values: Any = {"name": "Nowhere", "starts_on": dt.date(2026, 1, 1)}
    with pytest.raises(ValidationFailed) as refused:
        actions.create_programme(
            manager, code="SAME-1", host_countries=["BE"], origin_countries=["be"], **values
        )
    assert refused.value.field == "origin_countries"
    assert "only country of origin is its only host country" in refused.value.message
    assert not Programme.objects.filter(code="SAME-1").exists()
    # A country on both sides beside others is a programme cases can join (a transit country
    # some return from while its own nationals return to it).
    actions.create_programme(
        manager, code="SAME-2", host_countries=["NE", "LY"], origin_countries=["NE", "ML"], **values
    )


def test_the_dates_and_countries_hold_the_cases_that_joined(world, manager):
    case = register(world)  # joined today, from Belgium to Guinea
    joined = timezone.localdate(case.registered_at)
    programme = Programme.objects.get(pk=world.programme.pk)
    version = programme.version
    later = joined + dt.timedelta(days=1)
    with pytest.raises(ValidationFailed) as refused:
        edit(manager, programme, version, starts_on=later)
    assert refused.value.field == "starts_on" and "cannot start after that day" in refused.value.message
    with pytest.raises(ValidationFailed) as refused:
        edit(manager, programme, version, ends_on=joined - dt.timedelta(days=1))
    assert refused.value.field == "ends_on" and "cannot end before that day" in refused.value.message
    partner = programme.partners.get(organisation=world.gn_partner)
    actions.change_partner_countries(manager, partner, ["SN"], expected_version=None)
    programme.refresh_from_db()
    with pytest.raises(ValidationFailed) as refused:
        edit(manager, programme, programme.version, origin_countries=["SN", "IQ", "XK"])
    assert refused.value.errors == [
        ("origin_countries", "Cases of this programme are in Guinea: keep those countries.")
    ]
    programme.refresh_from_db()
    assert programme.starts_on < later and "GN" in programme.origin_countries and programme.ends_on is None
    # What stays within the cases' days is taken: an earlier start, an end on the day they joined.
    edit(manager, programme, programme.version, starts_on=programme.starts_on - dt.timedelta(days=30))
    programme.refresh_from_db()
    edit(manager, programme, programme.version, ends_on=joined)
    assert Programme.objects.get(pk=programme.pk).ends_on == joined


def test_the_running_organisation_keeps_a_managing_role(world, manager):
    """Its implementing role ended while it stays the reintegration partner, or created as a
    reintegration partner only: nobody could change the programme again."""
    values: Any = {
        "name": "Duo",
        "host_countries": ["BE"],
        "origin_countries": ["GN"],
        "starts_on": dt.date(2026, 1, 1),
    }
    with pytest.raises(ValidationFailed) as refused:
        actions.create_programme(
            manager, code="DUO-0", partner_role=PartnerRole.REINTEGRATION_PARTNER, **values
        )
    assert refused.value.field == "partner_role" and not Programme.objects.filter(code="DUO-0").exists()
    programme = actions.create_programme(manager, code="DUO", **values)
    runner = programme.partners.get()
    also = actions.add_partner(manager, programme, world.be_office, PartnerRole.REINTEGRATION_PARTNER, ["GN"])
    with pytest.raises(ValidationFailed) as refused:
        actions.remove_partner(manager, runner, expected_version=None)
    assert "last organisation managing this programme" in refused.value.message
    assert programme.partners.filter(pk=runner.pk).exists()
    actions.remove_partner(manager, also, expected_version=None)  # its other role: fine
    # Another organisation managing it beside: the runner's role may end.
    actions.add_partner(manager, programme, world.nl_office, PartnerRole.HOST_COORDINATOR, ["BE"])
    make_user("nadia", world.nl_office, "programme_manager", ["NL"])
    actions.remove_partner(manager, runner, expected_version=None)


def test_the_creation_form_offers_only_roles_that_manage(world, manager, signed_in):
    page = signed_in(manager).get("/programmes/new/").content.decode()
    options = page.split('name="partner_role"', 1)[1].split("</select>", 1)[0]
    assert 'value="implementing"' in options and 'value="host_coordinator"' in options
    assert 'value="reintegration_partner"' not in options


def test_a_donor_is_not_made_a_partner(world, manager):
    """A partner receives the programme's cases: a donor reads figures only."""
    programme = Programme.objects.get(pk=world.programme.pk)
    with pytest.raises(ValidationFailed) as refused:
        actions.add_partner(manager, programme, world.donor, PartnerRole.REINTEGRATION_PARTNER, ["GN"])
    assert refused.value.field == "organisation" and "is a donor" in refused.value.message
    assert not programme.partners.filter(organisation=world.donor).exists()


def test_a_retired_category_is_not_chosen_anew_but_kept_where_it_was(world, manager):
    from remis.programmes.models import MigrantCategory

    MigrantCategory.objects.filter(code="stranded_migrant").update(active=False)
    values: Any = {
        "name": "With a retired one",
        "host_countries": ["BE"],
        "origin_countries": ["GN"],
        "starts_on": dt.date(2026, 1, 1),
    }
    with pytest.raises(ValidationFailed) as refused:
        actions.create_programme(manager, code="RET-1", eligible_categories=["stranded_migrant"], **values)
    assert (
        refused.value.field == "eligible_categories" and "Retired migrant categories" in refused.value.message
    )
    # A programme that had it keeps it on an edit, and the API finds it whatever the letters' case.
    MigrantCategory.objects.filter(code="stranded_migrant").update(active=True)
    programme = actions.create_programme(
        manager, code="RET-2", eligible_categories=["stranded_migrant"], **values
    )
    MigrantCategory.objects.filter(code="stranded_migrant").update(active=False)
    edit(manager, programme, programme.version, name="Renamed", eligible_categories=["stranded_migrant"])
    from remis.programmes.queries import get_programme_for

    assert get_programme_for(manager, "ret-2").pk == programme.pk


def test_partners_in_countries_left_out_are_named_in_one_message_a_field(world, manager):
    programme = Programme.objects.get(pk=world.programme.pk)
    actions.add_partner(manager, programme, world.nl_office, PartnerRole.REINTEGRATION_PARTNER, ["GN"])
    programme.refresh_from_db()
    with pytest.raises(ValidationFailed) as refused:
        edit(manager, programme, programme.version, origin_countries=["SN", "IQ"])
    assert [field for field, _m in refused.value.errors] == ["origin_countries"]
    message = refused.value.errors[0][1]
    assert message.startswith("2 partners act for this programme") and "Guinée Retour NGO (Guinea)" in message
    assert "IOM Netherlands (Guinea)" in message
