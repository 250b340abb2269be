from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from remis.audit.models import AuditEntry
from remis.cases import actions
from remis.cases.models import CaseDocument, Reception, ReturnTravel
from remis.cases.tests.factories import make_person, register, returned_case
from remis.lib.errors import Conflict, PermissionDenied, ValidationFailed

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n%synthetic test document\n"


def test_arrival_before_departure_is_refused_and_nothing_written(world, alice, today):
    case = register(world)
    with pytest.raises(ValidationFailed) as raised:
        actions.save_travel(
            alice,
            case,
            expected_version=None,
            departure_date=today,
            arrival_date=today - dt.timedelta(days=2),
        )
    assert raised.value.field == "arrival_date"
    assert not ReturnTravel.objects.exists()


def test_travel_sets_the_case_arrival_date_and_is_version_checked(world, alice, today):
    case = register(world)
    travel = actions.save_travel(alice, case, expected_version=None, departure_date=today, arrival_date=today)
    case.refresh_from_db()
    assert case.arrival_date == today
    actions.save_travel(
        alice,
        case,
        expected_version=travel.version,
        departure_date=today,
        arrival_date=today,
        route="BRU – IST – CKY",
    )
    with pytest.raises(Conflict):
        actions.save_travel(
            alice,
            case,
            expected_version=travel.version - 1,
            departure_date=today,
            arrival_date=today,
            route="overwritten",
        )
    assert ReturnTravel.objects.get().route == "BRU – IST – CKY"


def test_a_returnee_not_fit_to_travel_is_not_marked_returned_until_cleared(world, alice, today):
    """ "Not fit to travel" was recorded and the case moved to "Returned" without a word."""
    from remis.cases.tests.factories import accepted_case
    from remis.lib.errors import TransitionRefused

    case = accepted_case(world)
    actions.transition_case(alice, case, "counselling")
    actions.transition_case(alice, case, "return_planned")
    travel = actions.save_travel(
        alice,
        case,
        expected_version=None,
        departure_date=today - dt.timedelta(days=1),
        arrival_date=today,
        medical_fitness="unfit",
    )
    case.refresh_from_db()
    with pytest.raises(TransitionRefused) as refused:
        actions.transition_case(alice, case, "returned")
    assert "not fit to travel" in refused.value.message
    case.refresh_from_db()
    assert case.stage == "return_planned"
    actions.save_travel(
        alice,
        case,
        expected_version=travel.version,
        departure_date=today - dt.timedelta(days=1),
        arrival_date=today,
        medical_fitness="conditions",
    )
    case.refresh_from_db()
    assert actions.transition_case(alice, case, "returned").stage == "returned"


def test_reception_by_partner_with_pocket_money_in_a_currency(world, bob, today):
    case = returned_case(world)
    with pytest.raises(ValidationFailed) as raised:
        actions.save_reception(
            bob, case, expected_version=None, received_on=today, pocket_money=Decimal("50")
        )
    assert raised.value.field == "pocket_money_currency"
    reception = actions.save_reception(
        bob,
        case,
        expected_version=None,
        received_on=today,
        pocket_money=Decimal("50"),
        pocket_money_currency="gnf",
        accommodation_nights=3,
    )
    assert reception.pocket_money_currency == "GNF"


def test_pocket_money_reads_as_an_amount_in_each_language(world, bob, today, client):
    case = returned_case(world)
    actions.save_reception(
        bob,
        case,
        expected_version=None,
        received_on=today,
        pocket_money=Decimal("1500"),
        pocket_money_currency="GNF",
    )
    client.force_login(bob)
    # Kept left to right in one piece, so an Arabic page does not show "GNF 1500,00".
    # No centimes: the Guinean franc has no minor unit.
    for language, written in (("en", "1,500 GNF"), ("fr", "1\xa0500 GNF"), ("ar", "1\xa0500 GNF")):
        page = client.get(f"/cases/{case.uuid}/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
        assert f'<bdi dir="ltr">{written}</bdi>' in page, language


def test_read_only_member_cannot_write_notes(world, carol):
    case = register(world)
    with pytest.raises(PermissionDenied):
        actions.add_note(carol, case, "hello")


def test_household_members_count_as_individuals(world, alice):
    case = register(world)
    actions.add_household_member(alice, case, make_person(given_name="Binta", family_name="Diallo"), "child")
    case.refresh_from_db()
    assert case.household_size == 2
    with pytest.raises(ValidationFailed) as raised:
        actions.add_household_member(alice, case, make_person(), "principal")
    assert raised.value.field == "relation"


def test_upload_accepts_real_pdf_and_refuses_disguised_or_oversize_files(world, alice, settings):
    case = register(world)
    doc = actions.upload_document(
        alice, case, title="Passport copy", upload=SimpleUploadedFile("p.pdf", PDF, "application/pdf")
    )
    assert doc.content_type == "application/pdf" and doc.size == len(PDF)
    assert "p.pdf" not in doc.file.name  # stored under a random name
    with pytest.raises(ValidationFailed, match="PDF, JPEG and PNG"):
        actions.upload_document(
            alice,
            case,
            title="x",
            upload=SimpleUploadedFile("evil.pdf", b"MZ\x90\x00binary", "application/pdf"),
        )
    settings.DOCUMENT_MAX_BYTES = 10
    with pytest.raises(ValidationFailed) as raised:
        actions.upload_document(
            alice, case, title="big", upload=SimpleUploadedFile("big.pdf", PDF, "application/pdf")
        )
    assert raised.value.field == "file"
    assert CaseDocument.objects.count() == 1


def test_person_edit_is_version_checked_and_updates_search(world, alice):
    from remis.cases.queries import CaseFilters, filter_cases

    case = register(world)
    person = case.principal
    data = make_person(given_name="Hawa", family_name="Kouyaté")
    actions.update_person(alice, case, person, data, expected_version=person.version)
    assert list(filter_cases(alice, CaseFilters(q="kouyate"))) == [case]
    with pytest.raises(Conflict):
        actions.update_person(alice, case, person, make_person(), expected_version=1)


def test_only_people_of_organisations_with_access_can_be_assigned(world, alice, dave):
    case = register(world)
    with pytest.raises(ValidationFailed) as raised:
        actions.update_case_details(
            alice,
            case,
            expected_version=case.version,
            category=case.category,
            vulnerabilities=[],
            intended_return_date=None,
            assigned_workers=[dave],
        )
    assert raised.value.field == "assigned_workers"
    actions.update_case_details(
        alice,
        case,
        expected_version=case.version,
        category=case.category,
        vulnerabilities=[],
        intended_return_date=None,
        assigned_workers=[alice],
    )
    assert list(case.assigned_workers.all()) == [alice]


def test_reception_names_every_bad_value_in_one_round(world, bob, client):
    """Negative nights and pocket money hid the reception date to come until the next try."""
    case = returned_case(world)
    client.force_login(bob)
    response = client.post(
        f"/cases/{case.uuid}/do/reception/",
        {"received_on": "2090-01-01", "accommodation_nights": "-3", "pocket_money": "-50", "version": ""},
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "The date is in the future." in body
    assert body.count("Ensure this value is greater than or equal to 0.") == 2


def test_reception_refuses_an_invented_currency_and_centimes_of_one_without(world, bob, today):
    """The reception kept "XYZ" and "500 000,50 GNF", which the plan and payments refuse."""
    case = returned_case(world)
    for amount, currency, field in (
        ("150000", "xyz", "pocket_money_currency"),
        ("500000.50", "GNF", "pocket_money"),
    ):
        with pytest.raises(ValidationFailed) as raised:
            actions.save_reception(
                bob,
                case,
                expected_version=None,
                received_on=today,
                pocket_money=Decimal(amount),
                pocket_money_currency=currency,
            )
        assert raised.value.field == field
    assert not Reception.objects.filter(case=case).exists()


def test_the_same_amount_saved_again_is_no_change(world, bob, today):
    """150000 typed again over the stored 150000.00 read "150000.00 → 150000" in the history."""
    case = returned_case(world)
    values = dict(received_on=today, pocket_money=Decimal("150000"), pocket_money_currency="GNF")
    first = actions.save_reception(bob, case, expected_version=None, **values)
    first.refresh_from_db()
    again = actions.save_reception(bob, case, expected_version=first.version, **values)
    assert again.version == first.version
    assert AuditEntry.objects.filter(action="case.reception").count() == 1
