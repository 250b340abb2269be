"""A person's subject access export: every record about them that the organisation holds,
in one workbook, produced only by holders of the right and every sensitive group, audited
and read-logged, and never covering a case the requester does not read."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from remis.accounts.models import Role
from remis.audit.models import AuditEntry, CaseRead
from remis.cases import actions
from remis.cases.actions.subject_access import export_subject_data
from remis.cases.actions.validation import IdentityDocumentData, MemberData
from remis.cases.models import CaseMember, Person
from remis.cases.tests.factories import PASSWORD, make_person, make_user, register
from remis.lib.errors import PermissionDenied
from remis.programmes.models import MigrantCategory

pytestmark = pytest.mark.django_db


@pytest.fixture
def household(world, alice):
    person = make_person(given_name="Aïssatou", family_name="Baldé", sex="F", phone="+32 470 12 34 56")
    person.documents = [IdentityDocumentData(kind="passport", number="GN7654321", issuing_country="GN")]
    child = MemberData(person=make_person(given_name="Mamadou", family_name="Baldé"), relation="child")
    case = register(world, person=person, members=[child])
    today = timezone.localdate()
    actions.record_consent(alice, case, purpose="data_processing", given=True, given_on=today, note="Signed")
    actions.record_counselling(
        alice, case, held_on=today, topics="Return options", notes="Worried about debts"
    )
    actions.add_note(alice, case, '=HYPERLINK("http://x") fears her former employer in Labé.')
    actions.upload_document(
        alice, case, title="Passport copy", upload=SimpleUploadedFile("p.pdf", b"%PDF-1.4 x")
    )
    return case


@pytest.fixture
def officer(world):
    return make_user("admin2", world.be_office, "administrator", ["BE"])


def _sheets(content: bytes) -> dict[str, list[list[object]]]:
    book = load_workbook(io.BytesIO(content))
    return {sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)] for sheet in book}


def _column(rows: list[list[object]], header: str) -> list[object]:
    at = rows[0].index(header)
    return [row[at] for row in rows[1:]]


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_no_sheet_title_is_cut_in_another_language(world, household, officer, language):
    """French tabs read "Organisations détenant le…" and "Dossier transmis aux…"."""
    from django.utils import translation

    with translation.override(language):
        content = export_subject_data(officer, household, household.principal)[1]
    titles = load_workbook(io.BytesIO(content)).sheetnames
    assert len(titles) > 5 and not [t for t in titles if t.endswith("…")], titles


def test_the_workbook_holds_the_persons_record_cases_and_journey(world, household, officer):
    name, content = export_subject_data(officer, household, household.principal)
    assert name.startswith(f"subject-access-{household.reference}-") and name.endswith(".xlsx")
    child = Person.objects.get(given_name="Mamadou")
    assert export_subject_data(officer, household, child)[0] != name  # each member's file named apart
    sheets = _sheets(content)
    assert _column(sheets["Person"], "Given name") == ["Aïssatou"]
    assert _column(sheets["Person"], "Phone") == ["+32 470 12 34 56"]
    assert _column(sheets["Person"], "Nationality")[0]  # a country's name, not blank
    assert _column(sheets["Identity documents"], "Document number") == ["GN7654321"]
    assert _column(sheets["Cases"], "Case") == [household.reference]
    assert _column(sheets["Cases"], "Relation") == ["Principal applicant"]
    assert _column(sheets["Cases"], "Vulnerabilities") == [None]  # none recorded yet
    from remis.programmes.models import Vulnerability

    vulnerability = Vulnerability.objects.filter(active=True).first()
    assert vulnerability is not None
    household.vulnerabilities.add(vulnerability)
    again = _sheets(export_subject_data(officer, household, household.principal)[1])
    assert _column(again["Cases"], "Vulnerabilities") == [vulnerability.label]
    assert _column(sheets["Consents"], "Note") == ["Signed"]
    assert _column(sheets["Counselling sessions"], "Notes") == ["Worried about debts"]
    # Text that a spreadsheet would run is written as text.
    book = load_workbook(io.BytesIO(content))
    note = book["Notes"].cell(row=2, column=3)
    assert note.value.startswith("=HYPERLINK") and note.data_type == "s"
    assert _column(sheets["Documents"], "Title") == ["Passport copy"]
    assert "IOM Belgium" in _column(sheets["Organisations holding the case"], "Organisation")
    # A kind of record with nothing in it says so.
    assert sheets["Return travel"][1] == ["None recorded"] + [None] * (len(sheets["Return travel"][0]) - 1)
    about = sheets["About this file"]
    assert ["Person", "Aïssatou Baldé"] in [row[:2] for row in about]


def test_a_household_members_file_holds_their_record_not_the_principals_notes(world, household, officer):
    child = Person.objects.get(given_name="Mamadou")
    sheets = _sheets(export_subject_data(officer, household, child)[1])
    assert _column(sheets["Person"], "Given name") == ["Mamadou"]
    assert _column(sheets["Cases"], "Relation") == ["Child"]
    # The records kept under the principal applicant are said to be elsewhere, not "None
    # recorded" (the spouse read that no plan or payment existed): every app's sheets alike.
    kept_elsewhere = f"Not in this file for {household.reference}: kept under the principal applicant."
    for title in ("Notes", "Counselling sessions", "Stage history", "Documents", "Follow-up visits"):
        assert sheets[title][1][0] == kept_elsewhere, title
    assert any(title.startswith(("Reintegration plan", "Payments")) for title in sheets)
    for title, rows in sheets.items():
        if title.startswith(("Reintegration plan", "Payments", "Referrals", "Assessments")):
            assert rows[1][0] == kept_elsewhere, title
    assert "Aïssatou" not in str(sheets)
    # The household's consents (and its travel and reception) cover them: read "None recorded".
    assert _column(sheets["Consents"], "Note") == ["Signed"]
    about = " ".join(str(c) for row in sheets["About this file"] for c in row if c)
    assert f"In {household.reference} this person is a household member" in about
    principal = _sheets(export_subject_data(officer, household, household.principal)[1])
    assert "household member" not in " ".join(
        str(c) for row in principal["About this file"] for c in row if c
    )


def _dutch_case_of(world, person):
    """A case of the Dutch office covering `person` too (as a spouse)."""
    elsewhere = actions.register_case(
        world.dave,
        world.nl_office,
        programme=world.programme,
        category=MigrantCategory.objects.get(code="rejected_asylum_seeker"),
        host_country="NL",
        origin_country="GN",
        person=make_person(given_name="Other"),
    )
    CaseMember.objects.create(case=elsewhere, person=person, relation="spouse")
    return elsewhere


def test_a_case_the_requester_does_not_read_is_left_out(world, household, officer):
    person = household.principal
    elsewhere = _dutch_case_of(world, person)
    sheets = _sheets(export_subject_data(officer, household, person)[1])
    assert _column(sheets["Cases"], "Case") == [household.reference]
    assert elsewhere.reference not in str(sheets)


def test_producing_it_is_audited_and_read_logged_with_every_group(world, household, officer):
    export_subject_data(officer, household, household.principal)
    entry = AuditEntry.objects.get(action="person.subject_access")
    assert entry.case_uuid == household.uuid and entry.actor_id == officer.pk
    read = CaseRead.objects.get(actor=officer, channel="access")
    assert read.case_uuid == household.uuid
    assert set(read.groups) == {"health", "protection", "psychosocial", "identity"}


def test_only_holders_of_the_right_and_of_every_group_produce_it(world, household, alice):
    with pytest.raises(PermissionDenied):
        export_subject_data(alice, household, household.principal)  # a counsellor: no right
    Role.objects.create(
        code="access_clerk",
        name="Access clerk",
        permissions=["case.view", "person.subject_access", "sensitive.identity"],
    )
    clerk = make_user("clerk", world.be_office, "access_clerk", ["BE"])
    with pytest.raises(PermissionDenied, match="every sensitive field group"):
        export_subject_data(clerk, household, household.principal)
    assert not AuditEntry.objects.filter(action="person.subject_access").exists()
    assert not CaseRead.objects.filter(channel="access").exists()


def test_the_case_page_offers_it_and_hands_the_file_over(client, world, household, officer):
    assert client.login(username=officer.username, password=PASSWORD)
    page = client.get(reverse("case_detail", args=[household.uuid])).content.decode()
    assert reverse("case_subject_access", args=[household.uuid]) in page
    assert "Mamadou Baldé" in page
    url = reverse("case_subject_access", args=[household.uuid])
    response = client.post(url, {"person": str(household.principal.uuid)})
    assert response.status_code == 200
    assert 'filename="subject-access-' in response["Content-Disposition"]
    assert _column(_sheets(response.content)["Person"], "Family name") == ["Baldé"]
    # The person is named in the body, never in the address.
    assert client.get(url)["Location"] == f"/cases/{household.uuid}/"  # no file from an address
    stranger = client.post(url, {"person": "00000000-0000-0000-0000-000000000000"}, follow=True)
    assert "Choose a person covered by the case." in stranger.content.decode()


def test_a_counsellor_is_not_offered_it_and_is_refused(client, world, household, alice):
    assert client.login(username=alice.username, password=PASSWORD)
    url = reverse("case_subject_access", args=[household.uuid])
    assert url not in client.get(reverse("case_detail", args=[household.uuid])).content.decode()
    refused = client.post(url, {"person": str(household.principal.uuid)}, follow=True)
    assert refused.status_code == 200 and "spreadsheetml" not in refused["Content-Type"]
    assert not AuditEntry.objects.filter(action="person.subject_access").exists()


def test_in_arabic_the_file_reads_right_to_left_with_arabic_headers(world, household, officer):
    from django.utils import translation

    with translation.override("ar"):
        content = export_subject_data(officer, household, household.principal)[1]
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames[0] == "عن هذا الملف"
    assert all(sheet.sheet_view.rightToLeft for sheet in book)
    assert book["الاحتياجات قبل المغادرة"]["A2"].value == "لا شيء مسجّل"


def test_the_api_hands_the_file_to_holders_and_refuses_others(api_client, world, household, officer, alice):
    url = f"/persons/{household.principal.uuid}/subject-access"
    response = api_client.as_(officer).post(url)
    assert response.status_code == 200 and "spreadsheetml" in response["Content-Type"]
    assert _column(_sheets(response.content)["Person"], "Given name") == ["Aïssatou"]
    assert api_client.as_(alice).post(url).status_code == 403
    assert api_client.as_(world.dave).post(url).status_code == 404  # another office's case
    assert AuditEntry.objects.filter(action="person.subject_access").count() == 1


def test_the_focal_point_finds_the_access_requests_answered_for_their_cases(world, household, officer):
    from remis.audit.queries import search_entries

    export_subject_data(officer, household, household.principal)
    dpo = make_user("dpo", world.be_office, "data_protection_focal_point", ["BE"])
    (found,) = search_entries(dpo, action="person.subject_access")
    assert found.case_uuid == household.uuid and found.actor_id == officer.pk


def test_a_case_seen_through_another_membership_with_fewer_rights_is_left_out(world, household, officer):
    """The officer also works for another office as an M&E officer (reads its cases, holds
    no sensitive group there): that office's case of the same person stays out of the file."""
    from remis.accounts import actions as accounts
    from remis.accounts.system import system_actor
    from remis.cases.queries import visible_cases

    accounts.add_membership(
        system_actor(), user=officer, organisation=world.nl_office, role="me_officer", countries=["NL"]
    )
    elsewhere = _dutch_case_of(world, household.principal)
    assert visible_cases(officer).filter(pk=elsewhere.pk).exists()  # read, with fewer rights
    sheets = _sheets(export_subject_data(officer, household, household.principal)[1])
    assert _column(sheets["Cases"], "Case") == [household.reference]
