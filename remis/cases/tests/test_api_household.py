"""The household through the API: read back with contacts and documents (to those holding
their group), and members added as on the case page."""

from __future__ import annotations

import pytest

from remis.accounts.models import Role
from remis.audit.models import AuditEntry
from remis.cases.models import CaseMember
from remis.cases.tests.factories import make_user, register
from remis.programmes.models import Vulnerability

pytestmark = pytest.mark.django_db

MEMBER = {"given_name": "Awa", "family_name": "Barry", "sex": "F", "date_of_birth": "2015-03-02"}


def test_the_household_is_read_with_contacts_and_documents(api_client, world, alice):
    case = register(world)
    api = api_client.as_(alice)
    principal = case.principal
    patched = api.patch(f"/persons/{principal.uuid}", {"phone": "+224 620 00 00 01", "version": 1})
    assert patched.status_code == 200, patched.content
    assert patched.json()["phone"] == "+224 620 00 00 01"  # what was sent is read back
    added = api.post(f"/persons/{principal.uuid}/documents", {"kind": "passport", "number": "GN77"})
    assert added.status_code == 201, added.content
    members = api.get(f"/cases/{case.uuid}/members").json()
    assert [m["relation"] for m in members] == ["principal"]
    person = members[0]["person"]
    assert person["phone"] == "+224 620 00 00 01" and person["restricted"] == []
    assert [(d["kind"], d["number"]) for d in person["documents"]] == [("passport", "GN77")]
    again = api.post(f"/persons/{principal.uuid}/documents", {"kind": "passport", "number": "gn 77"})
    assert again.status_code == 409 and again.json()["errors"][0]["field"] == "number"


def test_documents_are_withheld_from_a_reader_without_their_group(api_client, world, alice, carol):
    case = register(world)
    api_client.as_(alice).post(
        f"/persons/{case.principal.uuid}/documents", {"kind": "passport", "number": "GN78"}
    )
    person = api_client.as_(carol).get(f"/persons/{case.principal.uuid}").json()
    assert person["documents"] is None and person["restricted"] == ["documents"]
    members = api_client.as_(carol).get(f"/cases/{case.uuid}/members").json()
    assert members[0]["person"]["documents"] is None
    assert "GN78" not in str(members)


def test_a_member_is_added_and_counted_in_the_household(api_client, world, alice):
    case = register(world)
    api = api_client.as_(alice)
    response = api.post(f"/cases/{case.uuid}/members", {"person": MEMBER, "relation": "child"})
    assert response.status_code == 201, response.content
    assert response.json()["person"]["given_name"] == "Awa"
    assert api.get(f"/cases/{case.uuid}").json()["household_size"] == 2
    members = api.get(f"/cases/{case.uuid}/members").json()
    assert [m["relation"] for m in members] == ["principal", "child"]
    assert AuditEntry.objects.filter(action="case.add_member").count() == 1


def test_a_bad_member_is_refused_naming_the_field_as_the_body_nests_it(api_client, world, alice):
    case = register(world)
    api = api_client.as_(alice)
    born_before_parent = MEMBER | {"date_of_birth": "1950-01-01"}
    response = api.post(f"/cases/{case.uuid}/members", {"person": born_before_parent, "relation": "child"})
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"relation"}
    bad_document = MEMBER | {"documents": [{"kind": "passport", "number": "X1", "issuing_country": "QQ"}]}
    response = api.post(f"/cases/{case.uuid}/members", {"person": bad_document, "relation": "child"})
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"person.documents.0.issuing_country"}
    assert CaseMember.objects.filter(case=case).count() == 1  # nothing half-written


def test_a_reader_without_the_document_group_cannot_add_documents(api_client, world, alice, bob):
    """As on the page: only holders of the identity group write documents."""
    case = register(world)
    Role.objects.create(code="clerk", name="Clerk", permissions=["case.view", "case.edit"])
    editor = make_user("clerk", world.be_office, "clerk", ["BE"])
    api = api_client.as_(editor)
    with_document = MEMBER | {"documents": [{"kind": "passport", "number": "X2"}]}
    response = api.post(f"/cases/{case.uuid}/members", {"person": with_document, "relation": "child"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "person.documents"
    assert (
        api.post(
            f"/persons/{case.principal.uuid}/documents", {"kind": "passport", "number": "X3"}
        ).status_code
        == 403
    )


def test_a_cases_details_are_read_and_changed_with_its_version(api_client, world, alice, carol):
    codes = ["single_parent", "medical_condition"]
    case = register(world, vulnerabilities=list(Vulnerability.objects.filter(code__in=codes)))
    api = api_client.as_(alice)
    read = api.get(f"/cases/{case.uuid}").json()
    assert read["vulnerabilities"] == sorted(codes) and read["assigned_workers"] == ["alice"]
    # A health vulnerability is counted, not named, for a reader without the health group.
    seen = api_client.as_(carol).get(f"/cases/{case.uuid}").json()
    assert seen["vulnerabilities"] == ["single_parent"] and seen["vulnerabilities_restricted"] == 1
    listed = api_client.as_(carol).get("/cases").json()["items"]
    assert [c["vulnerabilities_restricted"] for c in listed] == [1]
    api = api_client.as_(alice)  # one client, signed in as one user at a time
    body = {"version": read["version"], "intended_return_date": "2027-01-15", "assigned_workers": []}
    changed = api.patch(f"/cases/{case.uuid}", body)
    assert changed.status_code == 200, changed.content
    after = changed.json()
    assert after["intended_return_date"] == "2027-01-15" and after["assigned_workers"] == []
    assert after["vulnerabilities"] == sorted(codes)  # not sent: kept
    assert api.patch(f"/cases/{case.uuid}", body).status_code == 409  # the version read is old
    stranger = api.patch(f"/cases/{case.uuid}", {"version": after["version"], "assigned_workers": ["nobody"]})
    outsider = api.patch(f"/cases/{case.uuid}", {"version": after["version"], "assigned_workers": ["dave"]})
    # An unknown username is said as one of another organisation: which names exist is not told.
    assert stranger.status_code == outsider.status_code == 422
    assert stranger.json()["errors"] == outsider.json()["errors"]
    unknown = api.patch(f"/cases/{case.uuid}", {"version": after["version"], "vulnerabilities": ["nope"]})
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "vulnerabilities"
    assert (
        api_client.as_(carol).patch(f"/cases/{case.uuid}", {"version": after["version"]}).status_code == 403
    )
    assert AuditEntry.objects.filter(action="case.update").count() == 1


def test_the_case_page_does_not_tell_a_reader_without_the_group_who_has_documents(
    api_client, world, alice, carol, signed_in
):
    """ "Restricted" on every member's row, with a document or none: on the rows of those
    with one only, it told which of them had a passport."""
    import re

    case = register(world)
    api = api_client.as_(alice)
    api.post(f"/cases/{case.uuid}/members", {"person": MEMBER, "relation": "child"})
    api.post(f"/persons/{case.principal.uuid}/documents", {"kind": "passport", "number": "GN79"})
    page = signed_in(carol).get(f"/cases/{case.uuid}/").content.decode()
    table = page.split('id="person"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr><td>.*?</tr>", table, re.S)
    cells = [re.findall(r"<td>(.*?)</td>", row, re.S)[4] for row in rows]
    assert cells == ["Restricted", "Restricted"] and "GN79" not in page
    # The holder of the group reads each member's own.
    page = signed_in(alice).get(f"/cases/{case.uuid}/").content.decode()
    table = page.split('id="person"', 1)[1].split("</table>", 1)[0]
    cells = [
        re.findall(r"<td>(.*?)</td>", row, re.S)[4] for row in re.findall(r"<tr><td>.*?</tr>", table, re.S)
    ]
    assert [c.strip() for c in cells] == ["Passport GN79", "—"]


def test_a_document_recorded_in_error_is_removed_through_the_api(api_client, world, alice, carol):
    from remis.cases.models import IdentityDocument

    case = register(world)
    api = api_client.as_(alice)
    added = api.post(f"/persons/{case.principal.uuid}/documents", {"kind": "passport", "number": "GN80"})
    document = added.json()["id"]
    # A reader without the identity group: refused alike, the document there or not.
    assert (
        api_client.as_(carol).delete(f"/persons/{case.principal.uuid}/documents/{document}").status_code
        == 403
    )
    assert api_client.as_(carol).delete(f"/persons/{case.principal.uuid}/documents/999999").status_code == 403
    api = api_client.as_(alice)
    assert api.delete(f"/persons/{case.principal.uuid}/documents/{document}").status_code == 204
    assert not IdentityDocument.objects.filter(pk=document).exists()
    assert api.delete(f"/persons/{case.principal.uuid}/documents/{document}").status_code == 404  # gone
    assert AuditEntry.objects.filter(action="identity_document.remove", case_uuid=case.uuid).count() == 1


def test_contacts_go_only_to_those_who_contact_the_returnee(api_client, world, alice):
    """A role reading cases for their figures (case.view alone) read every phone through the
    API, which its pages never show it: blank, and said in `restricted`."""
    case = register(world)
    api_client.as_(alice).patch(
        f"/persons/{case.principal.uuid}", {"phone": "+224 620 00 00 02", "version": 1}
    )
    Role.objects.create(code="case_reader", name="Case reader", permissions=["case.view"])
    reader = make_user("rita", world.be_office, "case_reader", ["BE"])
    person = api_client.as_(reader).get(f"/persons/{case.principal.uuid}").json()
    assert (person["phone"], person["email"], person["address"]) == ("", "", "")
    assert "contacts" in person["restricted"]
    members = api_client.as_(reader).get(f"/cases/{case.uuid}/members").json()
    assert "+224 620 00 00 02" not in str(members)
    # A counsellor who edits the case reads them.
    assert api_client.as_(alice).get(f"/persons/{case.principal.uuid}").json()["phone"] == "+224 620 00 00 02"
