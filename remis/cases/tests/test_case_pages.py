from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from remis.audit.sealing import readable_changes
from remis.cases.models import Case, Note
from remis.cases.tests.factories import PASSWORD, make_user, register, returned_case
from remis.cases.tests.home import my_work_page

pytestmark = pytest.mark.django_db


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def registration_form(world, **overrides):
    data = {
        "organisation": world.be_office.pk,
        "programme": world.programme.pk,
        "category": 2,
        "host_country": "BE",
        "origin_country": "GN",
        "given_name": "Néné",
        "family_name": "Condé",
        "sex": "F",
        "date_of_birth": "1990-03-02",
        "nationality": "GN",
        "document_kind": "passport",
        "document_number": "G1234567",
        "document_country": "GN",
    }
    data.update(overrides)
    return data


def test_counsellor_registers_a_case_through_the_form(client, world, alice):
    login(client, alice)
    response = client.post(reverse("case_register"), registration_form(world))
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("case_detail", args=[case.uuid])
    page = client.get(response["Location"])
    assert case.reference in page.content.decode()
    assert "Condé" in page.content.decode()


def test_the_same_person_registered_again_is_said_before_a_second_case_is_made(client, world, alice):
    """Back, then "Register case" again, made a second case for the same person, unsaid."""
    login(client, alice)
    assert client.post(reverse("case_register"), registration_form(world)).status_code == 302
    first = Case.objects.get()
    again = client.post(
        reverse("case_register"), registration_form(world, given_name="NENE", family_name="conde")
    )
    body = again.content.decode()
    assert again.status_code == 400 and Case.objects.count() == 1
    assert f"{first.reference}, registered on " in body and "same name, sex and birth" in body
    assert 'type="checkbox" name="confirm_duplicate"' in body
    # The case named opens beside the form, to compare before deciding.
    assert f'<a href="{reverse("case_detail", args=[first.uuid])}" target="_blank" rel="noopener">' in body
    other = client.post(
        reverse("case_register"), registration_form(world, date_of_birth="1991-03-02", document_number="G1")
    )
    assert other.status_code == 302 and Case.objects.count() == 2  # another birth: another person
    confirmed = registration_form(world, confirm_duplicate="on", document_number="G7654321")
    assert client.post(reverse("case_register"), confirmed).status_code == 302
    assert Case.objects.count() == 3
    # Only a year known the first time, the day the second: the same year is the same birth.
    by_year = registration_form(
        world, given_name="Mamadou", family_name="Baldé", sex="M", date_of_birth="", document_number="B1"
    )
    by_year["birth_year_estimated"] = "2010"
    made = client.post(reverse("case_register"), by_year)
    assert made.status_code == 302
    # A year alone reads as estimated in the household table, not as a date of birth.
    assert "<td>2010 (estimated)</td>" in client.get(made["Location"]).content.decode()
    dated = registration_form(
        world,
        given_name="Mamadou",
        family_name="Balde",
        sex="M",
        date_of_birth="2010-05-01",
        document_number="B2",
    )
    answer = client.post(reverse("case_register"), dated)
    assert answer.status_code == 400 and "same name, sex and birth" in answer.content.decode()
    assert Case.objects.count() == 4


def test_a_person_registered_long_ago_as_a_member_or_under_other_spellings_is_said_too(client, world, alice):
    """Only principals of the last 30 days, by exact names, were compared: a returnee in
    monitoring, a spouse on another case, names typed the other way round, the same man in
    another script and the same passport for another name were all registered again."""
    from remis.cases.models import CaseMember, Person

    login(client, alice)
    form = registration_form(world, given_name="Bohdan", family_name="Orlenko", document_number="UA1")
    form["alternate_names"] = "Богдан Орленко"
    assert client.post(reverse("case_register"), form).status_code == 302
    first = Case.objects.get()
    Case.objects.filter(pk=first.pk).update(registered_at=first.registered_at - dt.timedelta(days=400))

    def refused(**values: str) -> str:
        values.setdefault("document_kind", "" if values.get("document_number") == "" else "passport")
        answer = client.post(reverse("case_register"), registration_form(world, **values))
        assert answer.status_code == 400 and Case.objects.count() == 1, values
        return answer.content.decode()

    assert "same name, sex and birth" in refused(
        given_name="Bohdan", family_name="Orlenko", document_number=""
    )
    assert "same name, sex and birth" in refused(
        given_name="orlenko", family_name="BOHDAN", document_number=""
    )
    assert "same name, sex and birth" in refused(
        given_name="Богдан", family_name="Орленко", document_number=""
    )
    passport = refused(given_name="Other", family_name="Person", document_number="ua-1")
    assert "holds an identity document with the same number" in passport
    # A household member of that case, registered as the principal of a new one.
    principal = CaseMember.objects.get(case=first).person
    spouse = Person.objects.create(
        given_name="Olena", family_name="Orlenko", sex=principal.sex, date_of_birth=principal.date_of_birth
    )
    CaseMember.objects.create(case=first, person=spouse, relation="spouse")
    from remis.cases.actions.common import refresh_search_text

    refresh_search_text(first)
    assert "same name, sex and birth" in refused(
        given_name="Olena", family_name="Orlenko", document_number=""
    )
    # Another birth, another person: no word.
    other = registration_form(
        world, given_name="Bohdan", family_name="Orlenko", document_number="", document_kind=""
    )
    other["date_of_birth"] = "1960-01-01"
    assert client.post(reverse("case_register"), other).status_code == 302


def test_registration_form_names_each_bad_field_and_writes_nothing(client, world, alice):
    login(client, alice)
    future = (dt.date.today() + dt.timedelta(days=5)).isoformat()
    response = client.post(
        reverse("case_register"),
        registration_form(world, date_of_birth=future, origin_country="XX", family_name=""),
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "The date of birth is in the future." in body
    assert "Select a valid choice" in body  # unknown country code
    assert "This field is required" in body
    assert not Case.objects.exists()


def test_registration_says_a_members_error_and_the_applicants_in_one_round(client, world, alice):
    """A member born in the future hid the applicant's date of birth and estimated year that
    disagree: the second came only after the first was fixed."""
    login(client, alice)
    future = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    data = registration_form(world, date_of_birth="1990-01-01", birth_year_estimated="1975")
    data.update(
        {
            "members-TOTAL_FORMS": "1", "members-INITIAL_FORMS": "0",
            "members-0-given_name": "Fanta", "members-0-family_name": "Condé", "members-0-sex": "F",
            "members-0-date_of_birth": future, "members-0-relation": "child",
        }
    )  # fmt: skip
    response = client.post(reverse("case_register"), data)
    body = response.content.decode()
    assert response.status_code == 400 and not Case.objects.exists()
    assert "The date is in the future." in body  # the member's
    assert "The estimated year of birth is not the year of the date of birth" in body  # the applicant's


def test_registration_refuses_same_host_and_origin_with_a_field_message(client, world, alice):
    login(client, alice)
    response = client.post(reverse("case_register"), registration_form(world, origin_country="BE"))
    assert "must differ from the host country" in response.content.decode()
    assert not Case.objects.exists()


def test_outsider_gets_404_and_nothing_changes(client, world, dave):
    case = register(world)
    login(client, dave)
    assert client.get(reverse("case_detail", args=[case.uuid])).status_code == 404
    response = client.post(reverse("case_step", args=[case.uuid, "note"]), {"body": "sneaky"})
    assert response.status_code == 404
    assert not Note.objects.exists()


def test_read_only_member_sees_the_case_but_writing_is_403(client, world, carol):
    case = register(world)
    login(client, carol)
    assert client.get(reverse("case_detail", args=[case.uuid])).status_code == 200
    response = client.post(reverse("case_step", args=[case.uuid, "note"]), {"body": "hello"})
    assert response.status_code == 403
    assert not Note.objects.exists()


def test_forbidden_transition_shows_the_reason_on_the_case_page(client, world, alice):
    case = register(world)
    login(client, alice)
    client.post(reverse("case_step", args=[case.uuid, "transition"]), {"stage": "counselling", "version": 1})
    response = client.post(
        reverse("case_step", args=[case.uuid, "transition"]),
        {"stage": "return_planned", "version": 2},
        follow=True,
    )
    # Back on the case's own URL, the reason said once above the page, and in the journey
    # where the move's button is no longer offered.
    assert response.redirect_chain == [(reverse("case_detail", args=[case.uuid]) + "#journey", 302)]
    text = response.content.decode()
    assert text.count("Record at least one counselling session") == 2
    assert "Next stage, “Return planned”: Record at least one counselling session" in text
    case.refresh_from_db()
    assert case.stage == "counselling"


def test_stale_form_shows_a_conflict_message(client, world, alice):
    case = register(world)
    login(client, alice)
    client.post(reverse("case_step", args=[case.uuid, "transition"]), {"stage": "counselling", "version": 1})
    response = client.post(
        reverse("case_step", args=[case.uuid, "details"]),
        {
            "version": 1,
            "category": case.category_id,
            "intended_return_date": "",
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Someone else saved this record" in body
    # The banner over the page gives that reason: no field is red to correct.
    banner = body.split('id="not-saved"')[1].split("</div>")[0]
    assert "Nothing was saved: Someone else saved this record" in banner
    assert "fields marked in red" not in banner
    # Reloading this answer would send the form again: the banner links to the case as it
    # is now, and says so rather than "reload".
    current = reverse("case_detail", args=[case.uuid]) + "?open=details"
    assert f'href="{current}"' in banner and "Open the case as it is now" in banner
    assert "Reload" not in banner


def test_a_conflict_says_who_saved_the_record_first_and_when(client, world, alice):
    """The refusal said "someone else" and people went round asking their colleagues who."""
    from django.test import Client

    from remis.cases import actions
    from remis.cases.tests.factories import make_user

    case = register(world)
    colleague = Client()
    colleague.force_login(make_user("fatou", world.be_office, "counsellor", ["BE"], last_name="Camara"))
    login(client, alice)
    details = reverse("case_step", args=[case.uuid, "details"])
    soon = (dt.date.today() + dt.timedelta(days=20)).isoformat()
    sent = {"version": 1, "category": case.category_id, "intended_return_date": soon}
    assert colleague.post(details, sent).status_code == 302  # version 1 -> 2 while alice reads 1
    body = client.post(details, {**sent, "intended_return_date": ""}).text
    banner = body.split('id="not-saved"')[1].split("</div>")[0]
    assert "Saved by Fatou Camara on " in banner
    # A move along the journey changes nothing the form holds: no one is named for it.
    case.refresh_from_db()
    actions.transition_case(alice, case, "counselling")
    other = client.post(details, {**sent, "version": 2, "intended_return_date": ""}).text
    assert "Someone else saved this record" in other and "Saved by" not in other
    # Saved by themselves in another tab, they are told so, not pointed at a colleague.
    person = case.principal
    fields = {
        "person": str(person.uuid),
        "version": person.version,
        "given_name": person.given_name,
        "family_name": person.family_name,
        "sex": person.sex,
    }
    url = reverse("case_step", args=[case.uuid, "person"])
    assert client.post(url, {**fields, "phone": "+32 470 11 22 33"}).status_code == 302
    again = client.post(url, {**fields, "phone": "+32 470 44 55 66"})
    assert again.status_code == 400
    assert "You saved this record on " in again.text and "from another page or tab" in again.text
    assert "Saved by" not in again.text and "Someone else saved" not in again.text
    # A change the form does not hold (an identity document, logged on the person, moving no
    # version) is not named as the save that came first: it blamed someone who changed
    # nothing of the form.
    from django.test import Client

    from remis.cases.actions.registration import add_identity_document
    from remis.cases.actions.validation import IdentityDocumentData

    person.refresh_from_db()
    fields = {**fields, "version": person.version}
    manu = Client()
    manu.force_login(make_user("manu", world.be_office, "counsellor", ["BE"], last_name="Mbaye"))
    assert manu.post(url, {**fields, "phone": "+32 470 99 88 77"}).status_code == 302
    third = client.post(url, {**fields, "phone": "+32 470 55 55 55"})
    assert "Saved by Manu Mbaye on " in third.text
    add_identity_document(world.alice, case, person, IdentityDocumentData(kind="passport", number="P123456"))
    fourth = client.post(url, {**fields, "phone": "+32 470 55 55 55"})
    assert "Someone else saved this record" in fourth.text and "Saved by" not in fourth.text


def test_travel_created_in_two_tabs_is_a_conflict_in_words_a_person_reads(client, world, alice):
    case = register(world)
    login(client, alice)
    url = reverse("case_step", args=[case.uuid, "travel"])
    today = dt.date.today().isoformat()
    values = {"version": "", "departure_date": today, "escort": "none", "medical_fitness": "not_assessed"}
    assert client.post(url, {**values, "route": "BRU-CKY"}).status_code == 302
    second = client.post(url, {**values, "route": "BRU-DKR-CKY"})
    assert second.status_code == 400
    body = second.content.decode()
    assert "send the version you read" not in body and "Someone else saved this record" in body
    assert case.travel.route == "BRU-CKY"


def test_registration_names_every_bad_value_in_one_round(client, world, alice):
    """The form's own refusals (a date of birth to come, a malformed email) hid the field
    rules' (a phone number, an estimated year of birth), shown only on the next try; a
    household member's row likewise, and its errors were missing from the summary."""
    login(client, alice)
    last_year = (dt.date.today() - dt.timedelta(days=500)).isoformat()
    response = client.post(
        reverse("case_register"),
        registration_form(
            world,
            date_of_birth="2090-05-05",
            email="notanemail",
            birth_year_estimated="-5",
            phone="abc",
            intended_return_date="2020-01-01",
            **{
                "members-TOTAL_FORMS": "1",
                "members-INITIAL_FORMS": "0",
                "members-0-given_name": "Awa",
                "members-0-family_name": "Condé",
                "members-0-date_of_birth": "2090-01-01",
            },
        ),
    )
    body = response.content.decode()
    assert response.status_code == 400
    for message in (
        "The date of birth is in the future.",
        "Enter a valid email address.",
        "Enter a year between 1900 and",
        "Enter a telephone number",
        "The intended return date is more than a year in the past.",
        "The date is in the future.",  # the member's date of birth
    ):
        assert message in body, message
    assert "The date must be on or after" not in body, "one message on the return date, not two"
    summary = body.split('class="error-summary"')[1].split("</div>")[0]
    assert "Household member 1: Sex" in summary and "Household member 1: Relation" in summary
    assert 'href="#id_members-0-sex"' in summary
    assert not Case.objects.exists()
    dated = client.post(reverse("case_register"), registration_form(world, intended_return_date=last_year))
    assert "The intended return date is more than a year in the past." in dated.content.decode()
    # The rows are named in the reader's language (the French summary read "Household member 1").
    client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    french = client.post(
        reverse("case_register"),
        registration_form(
            world,
            **{
                "members-TOTAL_FORMS": "1",
                "members-INITIAL_FORMS": "0",
                "members-0-given_name": "Awa",
                "members-0-family_name": "Condé",
            },
        ),
    ).content.decode()
    assert (
        "Membre du ménage 1" in french.split('class="error-summary"')[1] and "Household member" not in french
    )


def test_travel_with_arrival_before_departure_is_refused_on_the_field(client, world, alice):
    case = register(world)
    login(client, alice)
    response = client.post(
        reverse("case_step", args=[case.uuid, "travel"]),
        {
            "departure_date": "2026-05-10",
            "arrival_date": "2026-05-01",
            "escort": "none",
            "medical_fitness": "fit",
        },
    )
    assert response.status_code == 400
    assert "The arrival date is before the departure date." in response.content.decode()


def test_a_departure_before_the_registration_is_kept_with_a_word(client, world, alice):
    """Departure and arrival a month before the case was registered went through unsaid,
    and the monitoring rounds counted from them."""
    case = register(world)
    login(client, alice)
    earlier = (dt.date.today() - dt.timedelta(days=40)).isoformat()
    response = client.post(
        reverse("case_step", args=[case.uuid, "travel"]),
        {"departure_date": earlier, "arrival_date": earlier, "escort": "none", "medical_fitness": "fit"},
        follow=True,
    )
    body = response.content.decode()
    assert "Return travel saved." in body and "The departure is before the case&#x27;s registration" in body
    today = dt.date.today().isoformat()
    again = client.post(
        reverse("case_step", args=[case.uuid, "travel"]),
        {
            "departure_date": today,
            "arrival_date": today,
            "escort": "none",
            "medical_fitness": "fit",
            "version": 1,
        },
        follow=True,
    ).content.decode()
    assert "before the case&#x27;s registration" not in again


def test_an_empty_travel_form_says_it_recorded_nothing(client, world, alice):
    """It said "Return travel saved." while the section still read "No travel recorded yet."."""
    case = register(world)
    login(client, alice)
    response = client.post(
        reverse("case_step", args=[case.uuid, "travel"]),
        {"escort": "none", "medical_fitness": "not_assessed"},
        follow=True,
    )
    body = response.content.decode()
    assert "Nothing was recorded: the form was empty." in body
    assert "Return travel saved." not in body and "No travel recorded yet." in body


def test_document_is_served_only_to_those_who_see_the_case(client, world, alice, dave):
    from django.core.files.uploadedfile import SimpleUploadedFile

    case = register(world)
    login(client, alice)
    client.post(
        reverse("case_step", args=[case.uuid, "document"]),
        {
            "title": "Laissez-passer",
            "file": SimpleUploadedFile("lp.pdf", b"%PDF-1.4 synthetic", "application/pdf"),
        },
    )
    document = case.documents.get()
    url = reverse("document_download", args=[case.uuid, document.pk])
    from remis.audit.models import CaseRead

    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    # In the read log that the focal point reviews, as a download (it was in no log of theirs).
    assert CaseRead.objects.filter(case_uuid=case.uuid, actor=alice, channel="document").count() == 1
    client.logout()
    login(client, dave)
    assert client.get(url).status_code == 404


def test_wrong_type_upload_names_the_file_field(client, world, alice):
    from django.core.files.uploadedfile import SimpleUploadedFile

    case = register(world)
    login(client, alice)
    response = client.post(
        reverse("case_step", args=[case.uuid, "document"]),
        {
            "title": "x",
            "file": SimpleUploadedFile("x.pdf", b"<html>not a pdf</html>", "application/pdf"),
        },
    )
    assert response.status_code == 400
    assert "Only PDF, JPEG and PNG" in response.content.decode()
    assert not case.documents.exists()


def test_partner_accepts_from_the_case_page(client, world, alice, bob):
    from remis.cases import actions

    case = register(world)
    today = dt.date.today()
    actions.record_consent(alice, case, purpose="sharing_with_partners", given=True, given_on=today)
    submission = actions.submit_case(alice, case, world.gn_partner)
    login(client, bob)
    page = client.get(reverse("case_detail", args=[case.uuid])).content.decode()
    assert "Accept case" in page
    assert 'data-confirm="Accept this case? Your organisation then takes it on."' in page
    # The reason is a text area: Enter in a one-line field sent Accept, the form's first button.
    assert '<textarea name="reason" cols="40" rows="2"' in page
    step = reverse("case_step", args=[case.uuid, "respond"])
    typed = client.post(
        step, {"submission": submission.pk, "decision": "accept", "reason": "Outside our area"}
    )
    assert "A reason is for rejecting" in typed.content.decode()
    submission.refresh_from_db()
    assert submission.status == "pending"
    client.post(step, {"submission": submission.pk, "decision": "accept"})
    submission.refresh_from_db()
    assert submission.status == "accepted"


def test_case_page_query_count_is_bounded(client, world, bob, django_assert_max_num_queries):
    case = returned_case(world)
    login(client, bob)
    # 46th: the session's second factor (django-otp); 47th and 48th: the read log's entry
    # (the organisation giving access, the insert); 49th: the next stage's guard (whether
    # the move would be refused, said instead of a button); 50th: the names of the case
    # workers in the history (the registering counsellor is assigned at registration);
    # 51st and 52nd: the reader's organisations' people (the case workers they assign) and
    # those other organisations assigned (shown beside them, unchangeable).
    with django_assert_max_num_queries(52):
        assert client.get(reverse("case_detail", args=[case.uuid])).status_code == 200


def test_removing_a_document_hides_it_keeps_the_file_and_is_audited(client, world, alice, carol):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from remis.audit.models import AuditEntry

    case = register(world)
    login(client, alice)
    client.post(
        reverse("case_step", args=[case.uuid, "document"]),
        {
            "title": "Old photo",
            "file": SimpleUploadedFile("p.png", b"\x89PNG\r\n\x1a\nsynthetic", "image/png"),
        },
    )
    document = case.documents.get()
    client.logout()
    login(client, carol)  # read-only
    assert (
        client.post(
            reverse("case_step", args=[case.uuid, "remove-document"]), {"document": document.pk}
        ).status_code
        == 403
    )
    client.logout()
    login(client, alice)
    client.post(reverse("case_step", args=[case.uuid, "remove-document"]), {"document": document.pk})
    document.refresh_from_db()
    assert document.deleted_at is not None and document.file.storage.exists(document.file.name)
    download = reverse("document_download", args=[case.uuid, document.pk])
    assert download not in client.get(reverse("case_detail", args=[case.uuid])).content.decode()
    assert client.get(download).status_code == 404
    assert AuditEntry.objects.filter(action="case.document_delete", case_uuid=case.uuid).exists()


def _add_member(client, case, **overrides):
    data = {"given_name": "Fanta", "family_name": "Condé", "sex": "F", "relation": "child"}
    data.update(overrides)
    return client.post(reverse("case_step", args=[case.uuid, "member"]), data)


def test_a_household_member_is_edited_from_the_members_table(client, world, alice):
    from remis.audit.models import AuditEntry

    case = register(world)
    login(client, alice)
    _add_member(client, case)
    child = case.members.get(relation="child").person
    page = client.get(reverse("case_detail", args=[case.uuid])).content.decode()
    assert f"?person={child.uuid}#person" in page

    form_page = client.get(
        reverse("case_detail", args=[case.uuid]), {"person": str(child.uuid)}
    ).content.decode()
    assert "Edit household member (Child)" in form_page
    assert 'value="Fanta"' in form_page

    response = client.post(
        reverse("case_step", args=[case.uuid, "person"]),
        {
            "person": str(child.uuid),
            "version": child.version,
            "given_name": "Fantah",
            "family_name": "Condé",
            "sex": "F",
        },
    )
    assert response.status_code == 302
    child.refresh_from_db()
    case.principal.refresh_from_db()
    assert child.given_name == "Fantah"
    assert case.principal.given_name != "Fantah"  # the principal is untouched
    entry = AuditEntry.objects.filter(action="person.update", case_uuid=case.uuid).latest("id")
    assert readable_changes(entry)["given_name"] == ["Fanta", "Fantah"]
    assert "Fantah" not in str(entry.changes)  # sealed in the log itself


def test_editing_a_member_with_a_stale_version_is_a_conflict(client, world, alice):
    case = register(world)
    login(client, alice)
    _add_member(client, case)
    child = case.members.get(relation="child").person
    fields = {"person": str(child.uuid), "family_name": "Condé", "sex": "F"}
    first = client.post(
        reverse("case_step", args=[case.uuid, "person"]),
        {**fields, "version": child.version, "given_name": "A"},
    )
    assert first.status_code == 302
    stale = client.post(
        reverse("case_step", args=[case.uuid, "person"]),
        {**fields, "version": child.version, "given_name": "B"},
    )
    assert stale.status_code == 400
    assert "You saved this record on" in stale.content.decode()  # from another tab: said so
    child.refresh_from_db()
    assert child.given_name == "A"


def test_a_person_of_another_case_cannot_be_edited_through_this_one(client, world, alice):
    case = register(world)
    other = register(world)
    login(client, alice)
    stranger = other.principal
    response = client.post(
        reverse("case_step", args=[case.uuid, "person"]),
        {
            "person": str(stranger.uuid),
            "version": stranger.version,
            "given_name": "X",
            "family_name": "Y",
            "sex": "M",
        },
    )
    assert response.status_code == 404
    stranger.refresh_from_db()
    assert stranger.given_name != "X"


def test_a_refusal_is_a_page_in_the_sites_layout(client, world, carol):
    login(client, carol)
    response = client.get(reverse("case_register"))
    assert response.status_code == 403
    body = response.content.decode()
    assert "Your role cannot register cases." in body and "<nav" in body


def test_the_case_page_names_the_countries_in_the_readers_language(client, world, alice):
    case = register(world)
    login(client, alice)
    client.post(reverse("set_language"), {"language": "fr"})
    html = client.get(reverse("case_detail", args=[case.uuid])).content.decode()
    assert "<bdi>Belgique</bdi>" in html and "<bdi>Guinée</bdi>" in html


def test_the_case_page_is_never_kept_by_the_browser(client, world, alice):
    """Back after saving a step fetches the page again: a kept copy would hold the forms'
    old versions, and the next save would be refused as someone else's change. Nor does a
    shared office computer keep a returnee's page on disk."""
    case = register(world)
    login(client, alice)
    response = client.get(reverse("case_detail", args=[case.uuid]))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_the_need_form_sent_untouched_records_nothing(client, world, alice):
    """Its type list started on "medical": an untouched send recorded a medical need."""
    from remis.cases.models import PreDepartureNeed

    case = register(world)
    login(client, alice)
    response = client.post(reverse("case_step", args=[case.uuid, "need"]), {"kind": "", "description": ""})
    assert response.status_code == 400
    assert not PreDepartureNeed.objects.filter(case=case).exists()
    assert 'value="" selected' in response.text or '<option value="" selected>' in response.text


@pytest.mark.parametrize(
    ("step", "section"), [("note", "note"), ("need", "counselling"), ("member", "person")]
)
def test_a_refused_form_says_so_at_the_top_of_the_case_page(client, world, alice, step, section):
    """The errors sat by a form far below the fold, and the page looked saved."""
    case = register(world)
    login(client, alice)
    response = client.post(reverse("case_step", args=[case.uuid, step]), {})
    assert response.status_code == 400
    top = response.text.index('id="not-saved"')
    assert top < response.text.index("<h1>") and f'<a href="#{section}">' in response.text
    assert f'id="{section}" open' in response.text
    assert 'id="not-saved"' not in client.get(reverse("case_detail", args=[case.uuid])).text


def test_the_history_shows_no_raw_codes_even_on_hover(client, world, alice):
    """Action and field codes (case.transition, joined_on…) showed as tooltips."""
    case = register(world)
    login(client, alice)
    client.post(reverse("case_step", args=[case.uuid, "transition"]), {"stage": "counselling", "version": 1})
    for page in (reverse("case_detail", args=[case.uuid]), reverse("dashboard")):
        text = client.get(page).text
        assert 'title="case.' not in text and 'title="stage"' not in text, page


def test_after_a_save_the_page_returns_to_the_section_holding_the_form(client, world, alice):
    """A need went back to "#need", an element the page does not have."""
    case = register(world)
    login(client, alice)
    saved = client.post(
        reverse("case_step", args=[case.uuid, "need"]), {"kind": "medical", "description": ""}
    )
    assert saved.status_code == 302 and saved["Location"].endswith("#counselling")
    page = client.get(saved["Location"].split("#")[0]).text
    assert 'id="counselling" open' in page
    noted = client.post(reverse("case_step", args=[case.uuid, "note"]), {"body": "Called the family"})
    assert noted["Location"].endswith("#note")


def test_changing_language_after_a_refused_form_returns_to_the_case_page(client, world, alice):
    """The refused form is drawn at its POST-only action: the language switch returned there
    and met "405 Method not allowed"."""
    case = register(world)
    login(client, alice)
    page = reverse("case_detail", args=[case.uuid])
    response = client.post(
        reverse("case_step", args=[case.uuid, "need"]), {}, HTTP_REFERER=f"http://testserver{page}?open=note"
    )
    assert response.status_code == 400
    assert f'name="next" value="{page}?open=note"' in response.text
    switched = client.post(reverse("set_language"), {"language": "fr", "next": f"{page}?open=note"})
    assert switched.status_code == 302 and client.get(switched["Location"]).status_code == 200
    # Without a Referer (or another site's), the home page; never the form's action.
    assert 'name="next" value="/"' in client.post(reverse("case_step", args=[case.uuid, "need"]), {}).text
    assert (
        'name="next" value="/"'
        in client.post(
            reverse("case_step", args=[case.uuid, "need"]), {}, HTTP_REFERER="https://evil.example/x"
        ).text
    )


def test_the_address_of_a_refused_form_opens_the_case_page_at_its_section(client, world, alice, bob):
    """Reloading or bookmarking it answered 405; another organisation's reader still finds nothing."""
    case = register(world)
    login(client, alice)
    got = client.get(reverse("case_step", args=[case.uuid, "need"]))
    assert got.status_code == 302
    assert got["Location"] == reverse("case_detail", args=[case.uuid]) + "?open=counselling#counselling"
    assert client.get(reverse("case_step", args=[case.uuid, "nonsense"])).status_code == 404
    client.logout()
    login(client, bob)
    assert client.get(reverse("case_step", args=[case.uuid, "need"])).status_code == 404


def test_case_workers_are_offered_by_their_names(client, world, alice):
    """The case list's filter and the assignment listed usernames ("caseworker.gn")."""
    alice.first_name, alice.last_name = "Aïssatou", "Diallo"
    alice.save()
    case = register(world)
    login(client, alice)
    for page in (reverse("case_list"), reverse("case_detail", args=[case.uuid])):
        text = client.get(page).text
        assert f'<option value="{alice.pk}">Aïssatou Diallo</option>' in text or (
            f'value="{alice.pk}"' in text and "Aïssatou Diallo</label>" in text
        ), page
        assert f">{alice.username}</option>" not in text, page


def test_a_phone_typed_with_arabic_indic_digits_is_kept_in_digits_0_to_9(client, world, alice):
    login(client, alice)
    response = client.post(reverse("case_register"), registration_form(world, phone="+٢٢٤ ٦٢٢ ١٢ ٣٤ ٥٦"))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Case.objects.get().principal.phone == "+224 622 12 34 56"


def test_a_counselling_session_sent_twice_is_recorded_once(client, world, alice):
    """Back, then the button again, recorded the same session twice."""
    case = register(world)
    login(client, alice)
    url = reverse("case_step", args=[case.uuid, "counselling"])
    session = {
        "held_on": dt.date.today().isoformat(),
        "mode": "in_person",
        "topics": "Travel",
        "notes": "Asked",
    }
    assert client.post(url, session).status_code == 302
    twice = client.post(url, session)
    assert twice.status_code == 400 and "This session is already recorded, as it is" in twice.content.decode()
    assert case.counselling_sessions.count() == 1
    assert client.post(url, {**session, "topics": "Travel, documents"}).status_code == 302  # another one
    assert case.counselling_sessions.count() == 2
    # Saved untouched (a date and a mode, no word of what was said): no session recorded.
    untouched = client.post(url, {**session, "topics": "", "notes": ""})
    assert untouched.status_code == 400
    assert "Say what the session covered: its topics or notes." in untouched.content.decode()
    assert case.counselling_sessions.count() == 2


def test_the_programme_narrows_the_categories_and_countries_offered(client, world, alice):
    """Every category and country of origin was offered, the programme's refusal said only
    once the form was sent."""
    from remis.programmes.models import MigrantCategory

    eligible = list(MigrantCategory.objects.filter(active=True).order_by("pk")[:2])
    world.programme.eligible_categories.set(eligible)
    login(client, alice)

    def offered(page: str, name: str, pattern: str) -> set[str]:
        return set(re.findall(pattern, page.split(f'name="{name}"')[1].split("</select>")[0]))

    page = client.get(reverse("case_register")).content.decode()  # the office's one programme
    assert offered(page, "origin_country", r'value="([A-Z]{2})"') == {"GN", "SN", "IQ"}
    assert offered(page, "category", r'value="(\d+)"') == {str(c.pk) for c in eligible}
    refused = client.post(reverse("case_register"), registration_form(world, family_name="")).content.decode()
    assert offered(refused, "origin_country", r'value="([A-Z]{2})"') == {"GN", "SN", "IQ"}


def test_every_submission_awaiting_an_answer_can_be_reached_from_my_work(client, world, alice, bob):
    """My work lists the first ten; the eleventh had no link to it, and each row led to an
    anchor the case page does not have."""
    from remis.cases import actions

    today = dt.date.today()
    for _n in range(11):
        case = register(world)
        actions.record_consent(alice, case, purpose="sharing_with_partners", given=True, given_on=today)
        actions.submit_case(alice, case, world.gn_partner)
    login(client, bob)
    work = my_work_page(client)
    assert "See all 11 items" in work and reverse("submissions_waiting") in work
    assert "?open=sharing#sharing" in work and "#submit" not in work
    listed = client.get(reverse("submissions_waiting")).content.decode()
    assert listed.count("?open=sharing#sharing") == 11
    case_page = client.get(reverse("case_detail", args=[case.uuid]) + "?open=sharing").content.decode()
    assert 'id="sharing" open' in case_page


def test_a_rejection_sent_after_the_case_was_accepted_says_by_whom_and_keeps_the_reason(client, world, bob):
    """ "This submission has already been answered.": not how, nor by whom, and the reason
    typed was gone."""
    from remis.cases import actions
    from remis.cases.tests.factories import submitted_case

    case, submission = submitted_case(world)
    actions.respond_to_submission(bob, submission, accept=True)  # in another tab
    login(client, bob)
    reason = "The documents of the household members are missing"
    answer = client.post(
        reverse("case_step", args=[case.uuid, "respond"]),
        {"submission": submission.pk, "decision": "reject", "reason": reason},
        follow=True,
    )
    assert "already been answered: accepted by Bob on " in answer.text
    assert reason in answer.text


def test_a_partner_withdrawing_its_own_access_is_told_and_sent_to_the_list(client, world, alice, bob):
    """Recording the withdrawal of consent to share with partners ends the partner's
    access: its case worker landed on "Page not found", the withdrawal's message lost."""
    from remis.cases import actions

    case = register(world)
    today = dt.date.today()
    actions.record_consent(alice, case, purpose="sharing_with_partners", given=True, given_on=today)
    submission = actions.submit_case(alice, case, world.gn_partner)
    actions.respond_to_submission(bob, submission, accept=True)
    # Asked first, in words that say their own organisation loses it (the question named
    # only "the partners"); the host office is asked as before.
    own = "Your organisation holds this case as a partner"
    login(client, alice)
    assert own not in client.get(reverse("case_detail", args=[case.uuid])).content.decode()
    login(client, bob)
    assert own in client.get(reverse("case_detail", args=[case.uuid])).content.decode()
    answer = client.post(
        reverse("case_step", args=[case.uuid, "consent"]),
        {"purpose": "sharing_with_partners", "given": "no", "given_on": today.isoformat()},
        follow=True,
    )
    assert answer.redirect_chain[-1][0] == reverse("case_list")
    text = answer.content.decode()
    assert "Withdrawal recorded" in text and "no longer have access to this case" in text


def test_what_reception_and_counselling_record_is_read_back(client, world, alice, bob):
    """The reception's nutrition and notes and a session's notes were typed in and never
    shown; the nights of accommodation read as a bare "2"."""
    from remis.cases import actions

    today = dt.date.today()
    case = register(world)
    actions.record_counselling(
        alice, case, held_on=today, topics="Options", notes="Wishes to go back to Conakry"
    )
    login(client, alice)
    page = client.get(reverse("case_detail", args=[case.uuid])).content.decode()
    assert "Wishes to go back to Conakry" in page
    case = returned_case(world)
    actions.save_reception(
        bob,
        case,
        expected_version=None,
        received_on=today,
        accommodation_nights=2,
        nutrition=True,
        notes="Met by uncle",
    )
    login(client, bob)
    page = client.get(reverse("case_detail", args=[case.uuid])).content.decode()
    assert "2 nights" in page and "<dt>Nutrition</dt><dd>yes</dd>" in page and "Met by uncle" in page
    # The host office's travel notes reach the office receiving the returnee (shown nowhere).
    from remis.cases.models import ReturnTravel

    ReturnTravel.objects.filter(case=case).update(notes="Insulin in the cabin bag")
    page = client.get(reverse("case_detail", args=[case.uuid])).content.decode()
    assert "Insulin in the cabin bag" in page
    # A currency code typed in small letters is read as the code ("iqd" was refused).
    reception = case.reception
    answer = client.post(
        reverse("case_step", args=[case.uuid, "reception"]),
        {
            "version": reception.version,
            "received_on": today.isoformat(),
            "accommodation_nights": 2,
            "pocket_money": "150",
            "pocket_money_currency": "iqd",
        },
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    reception.refresh_from_db()
    assert reception.pocket_money_currency == "IQD"
    # In French, an amount as French writes it, as every other amount field reads it ("25 000"
    # and "7,50" were refused with "Saisissez un nombre." here alone).
    for typed, stored in (("25\u202f000", Decimal("25000")), ("7,50", Decimal("7.50"))):
        french = client.post(
            reverse("case_step", args=[case.uuid, "reception"]),
            {
                "version": reception.version,
                "received_on": today.isoformat(),
                "accommodation_nights": 2,
                "pocket_money": typed,
                "pocket_money_currency": "IQD",
            },
            HTTP_ACCEPT_LANGUAGE="fr",
        )
        assert french.status_code == 302, french.content.decode()[:2000]
        reception.refresh_from_db()
        assert reception.pocket_money == stored
    edit = client.get(
        reverse("case_detail", args=[case.uuid]) + "?open=reception", HTTP_ACCEPT_LANGUAGE="fr"
    ).text
    assert 'name="pocket_money" value="7,50"' in edit


def test_a_move_its_guard_refuses_says_why_instead_of_offering_a_button(client, world):
    """ "Move to “Returned”" asked "A stage reached is not undone?", then the move was
    refused: the arrival is days away."""
    import datetime as dt

    from django.utils import timezone

    from remis.cases import actions
    from remis.cases.tests.factories import accepted_case

    case = accepted_case(world)
    actions.transition_case(world.alice, case, "counselling")
    actions.transition_case(world.alice, case, "return_planned")
    day = timezone.localdate() + dt.timedelta(days=16)
    actions.save_travel(world.alice, case, expected_version=None, departure_date=day, arrival_date=day)
    client.force_login(world.alice)
    page = client.get(f"/cases/{case.uuid}/").text
    assert "Next stage, “Returned”:" in page and "the case is returned once the returnee has arrived" in page
    assert 'name="stage" value="returned"' not in page
    assert "<dt>Expected arrival</dt>" in page  # not "Arrival": the returnee is still in the host country


def test_a_planned_arrival_reads_as_expected_on_the_page_and_in_the_list_until_the_return(client, world):
    """A flight booked for a returnee who never left read "Arrival" on the case page once
    its day had passed, and the list showed every planned date as an arrival."""
    import datetime as dt

    from django.utils import timezone

    from remis.cases import actions
    from remis.cases.models import Case
    from remis.cases.tests.factories import accepted_case, returned_case

    case = accepted_case(world)
    actions.transition_case(world.alice, case, "counselling")
    actions.transition_case(world.alice, case, "return_planned")
    past = timezone.localdate() - dt.timedelta(days=10)
    actions.save_travel(world.alice, case, expected_version=None, departure_date=past, arrival_date=past)
    case.refresh_from_db()
    assert case.arrival_expected  # the day has passed, the returnee has not arrived
    back = returned_case(world)
    assert not back.arrival_expected
    client.force_login(world.alice)
    assert "<dt>Expected arrival</dt>" in client.get(f"/cases/{case.uuid}/").text
    rows = {r.reference: r for r in client.get("/cases/").context["rows"]}
    assert rows[case.reference].arrival_expected and not rows[back.reference].arrival_expected
    actions.close_case(world.bob, Case.objects.get(pk=case.pk), "withdrew")
    assert Case.objects.get(pk=case.pk).arrival_expected  # closed before leaving: never arrived


def test_identity_documents_are_added_to_any_member_and_removed_on_the_case_page(client, world, alice, carol):
    """No document could be added or corrected after the registration, nor recorded for a
    household member, though the registration page said they could."""
    from remis.audit.models import AuditEntry
    from remis.cases.actions.validation import MemberData
    from remis.cases.models import IdentityDocument
    from remis.cases.queries import CaseFilters, filter_cases
    from remis.cases.tests.factories import make_person, register

    member = MemberData(person=make_person(given_name="Mamadou", family_name="Baldé"), relation="child")
    case = register(world, members=[member])
    child = case.members.exclude(relation="principal").get().person
    login(client, alice)
    page = client.get(reverse("case_detail", args=[case.uuid]), {"person": child.uuid}).content.decode()
    assert "No identity document recorded." in page and 'name="document_number"' in page
    address = reverse("case_step", args=[case.uuid, "identity_document"])
    refused = client.post(address, {"person": child.uuid, "document_kind": "passport", "document_number": ""})
    assert refused.status_code == 400 and "This field is required" in refused.content.decode()
    assert '<details class="step" id="person" open>' in refused.content.decode()  # the refusal in sight
    typed = {
        "person": child.uuid,
        "document_kind": "passport",
        "document_number": "GN-٧٧٧ 1",
        "document_country": "GN",
    }
    # An expiry out of range is said beside the expiry date, not above the form.
    expired = client.post(address, {**typed, "document_expires_on": "1901-01-01"})
    assert expired.status_code == 400
    assert 'id="id_document_expires_on_error"' in expired.text or re.search(
        r'document_expires_on[^>]*aria-invalid="true"', expired.text
    )
    added = client.post(address, typed, follow=True)
    assert "Identity document added." in added.content.decode()
    document = IdentityDocument.objects.get(person=child)
    assert document.number == "GN-777 1" and document.issuing_country == "GN"
    assert list(filter_cases(alice, CaseFilters(q="GN7771"))) == [case]
    assert AuditEntry.objects.filter(action="identity_document.add", case_uuid=case.uuid).exists()
    client.force_login(carol)  # reads the case, does not edit it
    assert client.post(address, typed).status_code in (403, 404)
    assert IdentityDocument.objects.filter(person=child).count() == 1
    login(client, alice)
    removed = client.post(
        reverse("case_step", args=[case.uuid, "remove-identity-document"]),
        {"identity_document": document.pk},
        follow=True,
    )
    assert "Identity document removed." in removed.content.decode()
    assert not IdentityDocument.objects.filter(person=child).exists()
    # The same button in a second tab: told it is done already, not "Not found".
    again = client.post(
        reverse("case_step", args=[case.uuid, "remove-identity-document"]),
        {"identity_document": document.pk},
        follow=True,
    )
    assert again.status_code == 200 and "had already been removed" in again.content.decode()
    assert AuditEntry.objects.filter(action="identity_document.remove", case_uuid=case.uuid).count() == 1
    assert not list(filter_cases(alice, CaseFilters(q="GN7771")))
    entry = AuditEntry.objects.get(action="identity_document.remove", case_uuid=case.uuid)
    assert set(entry.changes) >= {"document_kind", "document_number"}
    assert entry.object_type == "cases.person" and entry.object_id == str(child.pk)
    # Logged on the member's record: their erasure makes the number unreadable in the log.
    from remis.audit.sealing import readable_changes
    from remis.cases.tests.factories import erase

    assert "GN-777 1" in str(readable_changes(entry))
    erase(world, case, child, "data_subject_request")
    for logged in AuditEntry.objects.filter(action__startswith="identity_document.", case_uuid=case.uuid):
        assert "GN-777 1" not in str(readable_changes(logged)), logged.action


def test_travel_and_reception_notes_say_every_reader_sees_them(client, world):
    """They sit beside fields masked for readers without the health group, and are not: a
    diabetes typed there was read by every reader of the case."""
    from remis.cases.tests.factories import returned_case

    case = returned_case(world)
    client.force_login(world.bob)
    page = client.get(reverse("case_detail", args=[case.uuid]), {"open": "travel"}).text
    assert page.count("Every reader of the case sees these notes") >= 1
    french = client.get(reverse("case_detail", args=[case.uuid]), HTTP_ACCEPT_LANGUAGE="fr").text
    assert "Toute personne qui lit le dossier voit ces notes" in french


def test_a_case_with_many_notes_offers_the_older_ones_too(client, world, alice, monkeypatch):
    """The page said "Notes (50)" of a case with more, and the older ones were nowhere; so
    was the history beyond its latest hundred entries."""
    from remis.cases import actions
    from remis.cases import queries as case_queries
    from remis.cases.tests.factories import register

    monkeypatch.setattr(case_queries, "NOTES_SHOWN", 3)
    monkeypatch.setattr(case_queries, "HISTORY_SHOWN", 4)
    case = register(world)
    for number in range(1, 6):
        actions.add_note(alice, case, f"Call number {number} with the returnee")
    login(client, alice)
    page = client.get(reverse("case_detail", args=[case.uuid])).content.decode()
    assert "Notes (3+)" in page and "Call number 5" in page and "Call number 1 " not in page
    assert (
        'href="?all=notes&amp;open=note#note"' in page
        and 'href="?all=history&amp;open=history#history"' in page
    )
    every = client.get(
        reverse("case_detail", args=[case.uuid]), {"all": "notes", "open": "note"}
    ).content.decode()
    assert "Notes (5)" in every and "Call number 1 with" in every and "Show the older notes too" not in every
    history = client.get(reverse("case_detail", args=[case.uuid]), {"all": "history"}).content.decode()
    assert "Show the whole history" not in history


def test_submitting_or_closing_a_case_a_colleague_just_submitted_or_closed_says_so_and_keeps_the_words(
    client, world, alice
):
    """ "Correct the fields marked in red" with none marked, or "someone else saved", and the
    message or the note typed was gone with the form."""
    from remis.cases import actions
    from remis.cases.tests.factories import only_cases_guards

    case = register(world)
    today = dt.date.today()
    actions.record_consent(alice, case, purpose="data_processing", given=True, given_on=today)
    actions.record_consent(alice, case, purpose="sharing_with_partners", given=True, given_on=today)
    actions.record_counselling(alice, case, held_on=today)
    colleague = make_user("fatou", world.be_office, "counsellor", ["BE"], last_name="Camara")
    actions.submit_case(colleague, case, world.gn_partner)  # while alice's page was open
    login(client, alice)
    message = "The returnee needs a medical follow-up on arrival"
    answer = client.post(
        reverse("case_step", args=[case.uuid, "submit"]),
        {"to_organisation": world.gn_partner.pk, "message": message},
        follow=True,
    )
    assert "meanwhile Fatou Camara submitted this case to " in answer.text
    assert message in answer.text and "fields marked in red" not in answer.text

    other = register(world)
    version = other.version
    first, second = (
        make_user(n, world.be_office, "programme_manager", ["BE"], last_name="Mbaye") for n in ("mona", "max")
    )
    with only_cases_guards():
        actions.close_case(first, other, "withdrew")
    client.force_login(second)
    note = "Confirmed by the family on the phone"
    closing = client.post(
        reverse("case_step", args=[other.uuid, "close"]),
        {"version": version, "closure_reason": "deceased", "note": note},
        follow=True,
    )
    assert "meanwhile Mona Mbaye closed this case on " in closing.text
    assert note in closing.text
