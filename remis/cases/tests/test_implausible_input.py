"""Input that parses but cannot be true (born in 1800, travelling in 9999, a megabyte of
address, a name of invisible characters, text that reorders itself on screen, a path as a
reference) is refused by the API and by the pages alike, naming the field, writing nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from remis.cases import api, forms
from remis.cases import fields as field_rules
from remis.cases.models import Case, Person, ReturnTravel
from remis.cases.tests.factories import register
from remis.cases.tests.test_case_pages import registration_form
from remis.lib.fields import Text

pytestmark = pytest.mark.django_db

MEGABYTE = "x" * 1_048_576
ZERO_WIDTH = "\u200b\u200b\u200b"
RIGHT_TO_LEFT_OVERRIDE = "Barry\u202egnp.exe"


def case_body(world, person=None, **overrides):
    body = {
        "organisation_id": world.be_office.pk,
        "programme": "BE-REAB",
        "category": "irregular_migrant",
        "host_country": "BE",
        "origin_country": "GN",
        "person": {"given_name": "Kadiatou", "family_name": "Barry", "sex": "F", **(person or {})},
    }
    body.update(overrides)
    return body


def form_data(world, **overrides):
    """The registration form's fields, without the optional ones `registration_form` fills."""
    data = registration_form(world, **overrides)
    for optional in ("date_of_birth", "nationality", "document_kind", "document_number", "document_country"):
        if optional not in overrides:
            data.pop(optional)
    return data


def error_fields(response):
    assert response.status_code == 422, response.content[:500]
    return {error["field"] for error in response.json()["errors"]}


API_EXAMPLES = [
    ({"person": {"date_of_birth": "1800-01-01"}}, "person.date_of_birth"),
    ({"intended_return_date": "9999-12-31"}, "intended_return_date"),
    (
        {"person": {"documents": [{"kind": "passport", "number": "G1", "expires_on": "9999-12-31"}]}},
        "person.documents.0.expires_on",
    ),
    ({"person": {"alternate_names": MEGABYTE}}, "person.alternate_names"),
    ({"person": {"address": MEGABYTE}}, "person.address"),
    ({"person": {"given_name": ZERO_WIDTH}}, "person.given_name"),
    ({"person": {"family_name": RIGHT_TO_LEFT_OVERRIDE}}, "person.family_name"),
    ({"person": {"given_name": "Kadi\u2067atou"}}, "person.given_name"),  # a right-to-left isolate
    ({"person": {"email": "not-an-email"}}, "person.email"),
    ({"reference": "../../etc"}, "reference"),
]


@pytest.mark.parametrize(("change", "field"), API_EXAMPLES, ids=[f for _, f in API_EXAMPLES])
def test_api_refuses_implausible_registration_naming_the_field(api_client, world, alice, change, field):
    body = case_body(world, person=change.pop("person", None), **change)
    response = api_client.as_(alice).post("/cases", body)
    assert field in error_fields(response)
    assert not Case.objects.exists() and not Person.objects.exists()


@pytest.mark.parametrize(
    ("travel", "field"),
    [
        ({"departure_date": "9999-12-31", "arrival_date": "9999-12-31"}, "departure_date"),
        ({"notes": MEGABYTE}, "notes"),
    ],
)
def test_api_refuses_implausible_travel(api_client, world, alice, travel, field):
    case = register(world)
    response = api_client.as_(alice).put(f"/cases/{case.uuid}/travel", travel)
    assert field in error_fields(response)
    assert not ReturnTravel.objects.exists()


def test_api_refuses_a_megabyte_note(api_client, world, alice):
    case = register(world)
    response = api_client.as_(alice).post(f"/cases/{case.uuid}/notes", {"body": MEGABYTE})
    assert "body" in error_fields(response)
    assert not case.notes.exists()


FORM_EXAMPLES = [
    ({"date_of_birth": "1800-01-01"}, "date_of_birth"),
    ({"intended_return_date": "9999-12-31"}, "intended_return_date"),
    ({"alternate_names": MEGABYTE}, "alternate_names"),
    ({"address": MEGABYTE}, "address"),
    ({"given_name": ZERO_WIDTH}, "given_name"),
    ({"family_name": RIGHT_TO_LEFT_OVERRIDE}, "family_name"),
    ({"email": "not-an-email"}, "email"),
]


@pytest.mark.parametrize(("change", "field"), FORM_EXAMPLES, ids=[f for _, f in FORM_EXAMPLES])
def test_registration_form_refuses_implausible_input_on_the_field(signed_in, world, alice, change, field):
    response = signed_in(alice).post(reverse("case_register"), form_data(world, **change))
    assert response.status_code == 400
    assert response.context["form"].errors.get(field), response.context["form"].errors
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    ("travel", "field"),
    [
        ({"departure_date": "9999-12-31", "arrival_date": "9999-12-31"}, "departure_date"),
        ({"notes": MEGABYTE}, "notes"),
    ],
)
def test_travel_form_refuses_implausible_input_on_the_field(signed_in, world, alice, travel, field):
    case = register(world)
    data = {"escort": "none", "medical_fitness": "fit", **travel}
    response = signed_in(alice).post(reverse("case_step", args=[case.uuid, "travel"]), data)
    assert response.status_code == 400
    assert response.context["forms"]["travel"].errors.get(field)
    assert not ReturnTravel.objects.exists()


def test_plausible_edge_values_are_accepted(api_client, world, alice, today):
    """The limits are not off by one: a name of one letter in any script, the oldest date
    of birth allowed, Arabic text with its ordinary direction marks, the longest name."""
    person = {
        "given_name": "\u0641\u0627\u0637\u0645\u0629\u200f",  # فاطمة and a right-to-left mark
        "family_name": "B" * 120,
        "date_of_birth": "1900-01-01",
        "email": "k.barry@example.org",
        "phone": "+224 (0)62 12-34-56",
    }
    response = api_client.as_(alice).post("/cases", case_body(world, person=person, reference="GIN-X-1"))
    assert response.status_code == 201, response.json()


@pytest.mark.parametrize(
    ("form", "schema", "rules"),
    [
        (forms.PersonForm, api.PersonIn, field_rules.PERSON),
        (forms.TravelForm, api.TravelIn, field_rules.TRAVEL),
        (forms.ReceptionForm, api.ReceptionIn, field_rules.RECEPTION),
        (forms.CounsellingForm, api.CounsellingIn, field_rules.COUNSELLING),
        (forms.NoteForm, api.NoteIn, field_rules.NOTE_FIELDS),
    ],
)
def test_forms_and_api_take_their_limits_from_the_field_rules(form, schema, rules):
    properties = schema.model_json_schema()["properties"]
    for name, rule in rules.items():
        if isinstance(rule, Text):
            assert form.base_fields[name].max_length == rule.max_length, name
            assert properties[name]["maxLength"] == rule.max_length, name


def test_field_rule_messages_are_in_the_readers_language(today):
    with translation.override("fr"):
        assert field_rules.PERSON["given_name"].problem(ZERO_WIDTH, today) == (
            "Ce champ ne contient que des caractères invisibles."
        )
    with translation.override("ar"):
        assert field_rules.PERSON["date_of_birth"].problem(today.replace(year=today.year + 1), today) == (
            "التاريخ في المستقبل."
        )
