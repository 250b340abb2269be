"""Nobody finds, in the audit log, entries of a case they cannot see: not an administrator
of another office, not a superuser. The log holds the case's names, phones and notes."""

from __future__ import annotations

import pytest
from django.urls import reverse

from remis.accounts import actions as accounts
from remis.accounts.system import system_actor
from remis.audit.models import AuditEntry
from remis.audit.queries import search_entries
from remis.cases import actions
from remis.cases.tests.factories import PASSWORD, make_person, make_user, register
from remis.programmes.models import MigrantCategory

pytestmark = pytest.mark.django_db


def _register_at(world, actor, office, host, given_name):
    return actions.register_case(
        actor,
        office,
        programme=world.programme,
        category=MigrantCategory.objects.get(code="rejected_asylum_seeker"),
        host_country=host,
        origin_country="GN",
        person=make_person(given_name=given_name, phone="+32 470 00 00 00"),
    )


@pytest.fixture
def nl_admin(world):
    return make_user("nladmin", world.nl_office, "administrator", ["NL"])


def test_an_office_administrator_sees_no_entry_of_another_offices_case(client, world, nl_admin):
    """Sam works for both offices, so the Dutch administrator searches what Sam did; what
    Sam did on a Belgian case stays out of their sight."""
    sam = make_user("sam", world.be_office, "counsellor", ["BE"])
    accounts.add_membership(
        system_actor(), user=sam, organisation=world.nl_office, role="counsellor", countries=["NL"]
    )
    be_case = _register_at(world, sam, world.be_office, "BE", "Aïssatou")
    actions.add_note(sam, be_case, "Lives with her aunt in Kindia")
    nl_case = _register_at(world, sam, world.nl_office, "NL", "Mamadou")

    found = search_entries(nl_admin)
    assert not found.filter(case_uuid=be_case.uuid).exists()
    assert found.filter(case_uuid=nl_case.uuid, action="person.create").exists()
    assert found.filter(action="membership.create").exists()  # entries of no case stay searchable

    client.login(username="nladmin", password=PASSWORD)
    body = client.post(reverse("audit_search"), {"username": "sam"}).content.decode()
    assert "Mamadou" in body
    assert "Aïssatou" not in body and "Kindia" not in body


def test_a_superuser_sees_no_entry_of_a_case_outside_their_scope(client, world, dave):
    be_case = register(world, person=make_person(given_name="Aïssatou"))
    nl_case = _register_at(world, dave, world.nl_office, "NL", "Mamadou")
    root = accounts.create_user(system_actor(), username="root", password=PASSWORD, is_superuser=True)

    assert not search_entries(root).filter(case_uuid__isnull=False).exists()
    assert search_entries(root).filter(action="organisation.create").exists()
    # The test world's admin is a superuser and an administrator of the Belgian office.
    assert search_entries(world.admin).filter(case_uuid=be_case.uuid).exists()
    assert not search_entries(world.admin).filter(case_uuid=nl_case.uuid).exists()

    client.login(username="admin", password=PASSWORD)
    body = client.post(reverse("audit_search"), {}).content.decode()
    assert "Aïssatou" in body and "Mamadou" not in body
    found = client.post(reverse("audit_search"), {"case_reference": nl_case.reference}).content.decode()
    assert "Mamadou" not in found and "No audit entry matches." in found


def test_a_person_is_recorded_with_their_case(world, alice):
    case = register(world)
    member = actions.add_household_member(alice, case, make_person(given_name="Kadiatou"), "child")
    people = AuditEntry.objects.filter(action="person.create")
    assert set(people.values_list("case_uuid", flat=True)) == {case.uuid}
    assert people.filter(object_id=str(member.person_id)).exists()


def test_the_demo_administrator_administers_an_organisation_and_is_no_superuser(db):
    from django.core.management import call_command

    from remis.demo.world import build_world

    call_command("sync_defaults", verbosity=0)
    build_world()
    from remis.accounts.models import User

    admin = User.objects.get(username="admin")
    assert not admin.is_superuser
    assert list(admin.memberships.values_list("role_id", flat=True)) == ["administrator"]


def test_an_administrator_does_not_read_what_a_member_did_for_another_organisation(world, nl_admin):
    """Sam also belongs to the Belgian office, where Sam administers: the Dutch
    administrator read Sam's changes to Belgian memberships (who, which role), and what
    the platform did to the Belgian office."""
    sam = make_user("sam", world.be_office, "administrator", ["BE"])
    accounts.add_membership(
        system_actor(), user=sam, organisation=world.nl_office, role="counsellor", countries=["NL"]
    )
    belgian = world.alice.memberships.get(organisation=world.be_office)
    accounts.update_membership(sam, belgian, role="viewer", version=belgian.version)

    found = search_entries(nl_admin)
    assert not found.filter(action="membership.update", object_id=str(belgian.pk)).exists()
    assert not found.filter(object_type="accounts.organisation", object_id=str(world.be_office.pk)).exists()
    # What was done about the Dutch office stays searchable, whoever did it.
    assert found.filter(action="membership.create", organisation_id=world.nl_office.pk).exists()
    be_admin = make_user("beadmin", world.be_office, "administrator", ["BE"])
    assert search_entries(be_admin).filter(action="membership.update", object_id=str(belgian.pk)).exists()


def test_a_shared_members_export_is_found_by_the_organisation_whose_records_it_holds(world, nl_admin):
    """Sam works for the Belgian office and was added to the Dutch one. An export limited to
    the Belgian office's records is the Belgian administrators' to find, not the Dutch
    ones'; an export of all Sam may read names no organisation and both find it (hidden
    from both, a shared member's export of an office's own cases was found by nobody)."""
    from remis.interop import actions as interop

    sam = make_user("sam", world.be_office, "administrator", ["BE"])
    accounts.add_membership(
        system_actor(), user=sam, organisation=world.nl_office, role="counsellor", countries=["NL"]
    )
    belgian = interop.request_export(
        sam,
        kind_code="cases",
        filters={"organisation": world.be_office},
        file_format="csv",
        labels=False,
        language="en",
    )
    everything = interop.request_export(
        sam, kind_code="cases", filters={}, file_format="csv", labels=False, language="en"
    )
    be_admin = make_user("beadmin", world.be_office, "administrator", ["BE"])

    def found(admin, export):
        return search_entries(admin).filter(action="interop.export", object_id=str(export.pk)).exists()

    assert found(be_admin, belgian) and not found(nl_admin, belgian)
    assert found(be_admin, everything) and found(nl_admin, everything)
