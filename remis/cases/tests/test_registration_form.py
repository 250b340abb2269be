"""The registration form offers what the office can use, and registers the household
returning together in one go."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from remis.accounts.system import system_actor
from remis.cases.models import Case
from remis.cases.tests.test_case_pages import login, registration_form
from remis.programmes import actions as programmes

pytestmark = pytest.mark.django_db


@pytest.fixture
def dutch_programme(world):
    return programmes.create_programme(
        system_actor(),
        code="NL-REAN",
        name="Dutch return programme",
        funder="DT&V",
        host_countries=["NL"],
        origin_countries=["GN"],
        starts_on=dt.date(2024, 1, 1),
    )


def test_only_programmes_covering_the_offices_country_are_offered(
    client, world, alice, dave, dutch_programme
):
    login(client, alice)
    form = client.get(reverse("case_register")).context["form"]
    assert list(form.fields["programme"].queryset) == [world.programme]
    assert [c for c, _label in form.fields["host_country"].choices if c] == ["BE"]
    login(client, dave)
    offered = set(client.get(reverse("case_register")).context["form"].fields["programme"].queryset)
    assert offered == {world.programme, dutch_programme}


def _members(*rows):
    data = {"members-TOTAL_FORMS": str(len(rows)), "members-INITIAL_FORMS": "0"}
    for i, row in enumerate(rows):
        data.update({f"members-{i}-{k}": v for k, v in row.items()})
    return data


def test_household_members_are_registered_with_the_case(client, world, alice):
    login(client, alice)
    data = registration_form(world) | _members(
        {
            "given_name": "Ibrahima",
            "family_name": "Condé",
            "sex": "M",
            "date_of_birth": "2015-04-02",
            "relation": "child",
        },
        {},  # a row added and left blank is ignored
        {"given_name": "Saran", "family_name": "Condé", "sex": "F", "relation": "spouse", "DELETE": "on"},
    )
    response = client.post(reverse("case_register"), data)
    assert response.status_code == 302, response.context["members"].errors
    case = Case.objects.get()
    members = {(m.person.given_name, m.relation) for m in case.members.select_related("person")}
    assert members == {("Néné", "principal"), ("Ibrahima", "child")}
    assert case.household_size == 2


def test_a_bad_member_row_is_named_and_nothing_is_written(client, world, alice):
    login(client, alice)
    data = registration_form(world) | _members({"given_name": "Ibrahima", "family_name": "Condé", "sex": "M"})
    response = client.post(reverse("case_register"), data)
    assert response.status_code == 400
    assert response.context["members"].forms[0].errors["relation"]
    assert not Case.objects.exists()


def test_an_added_member_row_carries_its_index(client, world, alice):
    login(client, alice)
    html = client.get(reverse("case_member_row"), {"index": "3"}).content.decode()
    assert 'name="members-3-given_name"' in html
    assert 'name="members-TOTAL_FORMS" value="4"' in html
    assert "index=4" in html  # the next "add" asks for the row after


def test_sex_and_relation_have_no_preselected_default(client, world, alice):
    from remis.cases.tests.factories import register

    case = register(world)
    login(client, alice)
    member_form = client.get(reverse("case_detail", args=[case.uuid])).context["forms"]["member"]
    assert member_form["sex"].value() in (None, "")
    assert member_form["relation"].value() in (None, "")
    assert not member_form.fields["sex"].choices[0][0]
    data = {"given_name": "Ibrahima", "family_name": "Condé"}
    response = client.post(reverse("case_step", args=[case.uuid, "member"]), data)
    assert response.status_code == 400
    bound = response.context["forms"]["member"]
    assert bound.errors["sex"] and bound.errors["relation"]


def test_the_api_registers_household_members_too(client, world, alice):
    from remis.accounts.actions import issue_api_token
    from remis.cases.tests.test_implausible_input import case_body

    _token, raw = issue_api_token(alice, name="test")
    member = {"person": {"given_name": "Alpha", "family_name": "Barry", "sex": "M"}, "relation": "child"}
    body = case_body(world, members=[member])
    response = client.post(
        "/api/v1/cases", body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["household_size"] == 2
    body["members"][0]["relation"] = "principal"
    refused = client.post(
        "/api/v1/cases", body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}"
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "members.0.relation"


def test_a_phone_number_is_typed_left_to_right_in_every_language(client, world, alice):
    """In Arabic a number typed in a right-to-left field reads "33 22 11 620 224+"."""
    login(client, alice)
    html = client.get(reverse("case_register"), HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    field = re.search(r'<input[^>]*name="phone"[^>]*>', html)
    assert field and 'dir="ltr"' in field.group(0) and 'type="tel"' in field.group(0)
