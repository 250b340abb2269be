"""Edits change exactly what the user changed: untouched saves write nothing, partial API
edits keep what they leave out, and every edit of an existing record names its version."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation

from remis.audit.models import AuditEntry
from remis.cases import actions
from remis.cases.forms import PersonEditForm, TravelForm
from remis.cases.models import Person, ReturnTravel
from remis.cases.tests.factories import make_person, register, returned_case
from remis.cases.tests.test_api import api  # noqa: F401  (fixture)
from remis.cases.tests.test_case_pages import login

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["en", "fr", "ar"])
def test_date_inputs_carry_iso_values_in_every_language(language):
    with translation.override(language):
        html = str(PersonEditForm(initial={"date_of_birth": dt.date(1994, 5, 17)})["date_of_birth"])
    assert 'value="1994-05-17"' in html


def _case_page_form(client, case, step):
    """The values the case page's `step` form would post if saved untouched."""
    html = client.get(reverse("case_detail", args=[case.uuid])).content.decode()
    action = reverse("case_step", args=[case.uuid, step])
    form = html[html.index(f'action="{action}"') :]
    form = form[: form.index("</form>")]
    values: dict[str, Any] = {}
    for tag in re.findall(r"<input[^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or name.group(1) == "csrfmiddlewaretoken":
            continue
        kind = re.search(r'type="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if kind and kind.group(1) == "checkbox":
            if "checked" in tag:
                values.setdefault(name.group(1), []).append(value.group(1) if value else "on")
            continue
        text = value.group(1) if value else ""
        if kind and kind.group(1) == "date" and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            text = ""  # what a browser does with a value a date input cannot show
        values[name.group(1)] = text
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        # A browser posts the selected option, or the first one when none is selected.
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', body) or re.search(
            r'<option value="([^"]*)"', body
        )
        values[name] = chosen.group(1) if chosen else ""
    for name, body in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S):
        values[name] = body.strip("\n")
    return values


@pytest.mark.parametrize("language", ["en", "fr", "ar"])
def test_saving_edit_forms_untouched_changes_nothing(client, world, alice, language):
    case = returned_case(world)
    person = case.principal
    person.date_of_birth = dt.date(1994, 5, 17)
    person.phone = "+224 600 00 00 00"
    person.save()
    case.intended_return_date = dt.date.today()
    case.save()
    login(client, alice)
    client.post(reverse("set_language"), {"language": language})
    entries = AuditEntry.objects.count()
    versions = (Person.objects.get(pk=person.pk).version, ReturnTravel.objects.get(case=case).version)
    for step in ("person", "details", "travel"):
        data = _case_page_form(client, case, step)
        response = client.post(reverse("case_step", args=[case.uuid, step]), data)
        assert response.status_code == 302, (step, response.content.decode()[:2000])
    person.refresh_from_db()
    case.refresh_from_db()
    assert person.date_of_birth == dt.date(1994, 5, 17)
    assert person.phone == "+224 600 00 00 00"
    assert case.intended_return_date == dt.date.today()
    assert (Person.objects.get(pk=person.pk).version, ReturnTravel.objects.get(case=case).version) == versions
    assert AuditEntry.objects.count() == entries


def test_the_empty_travel_form_saved_untouched_records_nothing(client, world, alice):
    """A case with no travel yet: its travel form, saved as it came, creates no empty travel
    record and no history entry; filled in, it creates one."""
    case = register(world, person=make_person())
    assert not ReturnTravel.objects.filter(case=case).exists()
    login(client, alice)
    entries = AuditEntry.objects.count()
    data = _case_page_form(client, case, "travel")
    response = client.post(reverse("case_step", args=[case.uuid, "travel"]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert not ReturnTravel.objects.filter(case=case).exists()
    assert AuditEntry.objects.count() == entries
    data["route"] = "Brussels - Conakry"
    client.post(reverse("case_step", args=[case.uuid, "travel"]), data)
    assert ReturnTravel.objects.get(case=case).route == "Brussels - Conakry"


def test_untouched_action_calls_write_no_version_and_no_audit(world, alice):
    case = register(world, person=make_person(phone="+32 470 00 00 00"))
    person = case.principal
    before = AuditEntry.objects.count()
    data = actions.PersonData.from_person(person)
    actions.update_person(alice, case, person, data, expected_version=person.version)
    assert Person.objects.get(pk=person.pk).version == 1
    assert AuditEntry.objects.count() == before


def test_person_patch_changes_only_the_fields_sent(api, world, alice):  # noqa: F811
    case = register(world, person=make_person(phone="+32 470 11 22 33", date_of_birth=dt.date(1990, 1, 2)))
    response = api.as_(alice).patch(f"/persons/{case.principal.uuid}", {"version": 1, "given_name": "Awa"})
    assert response.status_code == 200, response.json()
    person = Person.objects.get(pk=case.principal.pk)
    assert (person.given_name, person.phone, person.date_of_birth) == (
        "Awa",
        "+32 470 11 22 33",
        dt.date(1990, 1, 2),
    )
    entry = AuditEntry.objects.filter(action="person.update").get()
    assert list(entry.changes) == ["given_name"]


def test_person_patch_refuses_documents_instead_of_dropping_them(api, world, alice):  # noqa: F811
    case = register(world)
    body = {"version": 1, "documents": [{"kind": "passport", "number": "X1"}]}
    response = api.as_(alice).patch(f"/persons/{case.principal.uuid}", body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "documents"


def test_person_patch_refuses_null_for_a_required_text(api, world, alice):  # noqa: F811
    case = register(world)
    response = api.as_(alice).patch(f"/persons/{case.principal.uuid}", {"version": 1, "family_name": None})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "family_name"
    assert Person.objects.get(pk=case.principal.pk).family_name == case.principal.family_name


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("transitions", {"stage": "counselling"}),
        ("reopen", {"reason": "back"}),
    ],
)
def test_case_edits_without_version_are_422_naming_it(api, world, alice, path, body):  # noqa: F811
    case = register(world)
    response = api.as_(alice).post(f"/cases/{case.uuid}/{path}", body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "version"


def test_person_patch_without_version_is_422(api, world, alice):  # noqa: F811
    case = register(world)
    response = api.as_(alice).patch(f"/persons/{case.principal.uuid}", {"given_name": "Awa"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "version"


def test_travel_exists_once_and_changes_only_with_its_version(api, world, alice, today):  # noqa: F811
    case = returned_case(world)
    a = api.as_(alice)
    again = a.put(f"/cases/{case.uuid}/travel", {"departure_date": str(today), "arrival_date": str(today)})
    assert again.status_code == 422
    assert again.json()["errors"][0]["field"] == "version"
    assert ReturnTravel.objects.filter(case=case).count() == 1


def test_a_put_changes_only_the_fields_sent(api, world, alice, bob, today):  # noqa: F811
    """A PUT of the travel's dates alone reset the route, the medical fitness and the notes
    to their defaults; a PUT of the reception's day alone wiped the pocket money."""
    from remis.cases.models import Reception

    case = returned_case(world)
    a = api.as_(alice)
    travel = a.get(f"/cases/{case.uuid}/travel").json()
    body = {
        "version": travel["version"],
        "route": "CRL – CKY",
        "medical_fitness": "fit",
        "notes": "Wheelchair",
    }
    assert a.put(f"/cases/{case.uuid}/travel", body).status_code == 200
    version = ReturnTravel.objects.get(case=case).version
    moved = {"version": version, "departure_date": str(today - dt.timedelta(days=2))}
    response = a.put(f"/cases/{case.uuid}/travel", moved)
    assert response.status_code == 200, response.content
    assert (response.json()["route"], response.json()["medical_fitness"], response.json()["notes"]) == (
        "CRL – CKY",
        "fit",
        "Wheelchair",
    )
    assert response.json()["departure_date"] == str(today - dt.timedelta(days=2))

    b = api.as_(bob)  # the partner in Guinea receives the returnee
    path = f"/cases/{case.uuid}/reception"
    assert b.put(path, {"airport_pickup": True}).json()["errors"][0]["field"] == "received_on"  # creating
    assert (
        api.as_(alice).put(path, {"airport_pickup": True}).status_code == 403
    )  # no reception right: said first
    b = api.as_(bob)
    full = {
        "received_on": str(today),
        "airport_pickup": True,
        "pocket_money": "50",
        "pocket_money_currency": "EUR",
    }
    created = b.put(path, full)
    assert created.status_code == 200, created.content
    response = b.put(path, {"version": created.json()["version"], "accommodation_nights": 2})
    assert response.status_code == 200, response.content
    stored = Reception.objects.get(case=case)
    assert (stored.received_on, stored.airport_pickup, stored.pocket_money, stored.accommodation_nights) == (
        today,
        True,
        50,
        2,
    )


def test_form_edits_need_their_version(client, world, alice):
    case = register(world)
    login(client, alice)
    response = client.post(reverse("case_step", args=[case.uuid, "transition"]), {"stage": "counselling"})
    assert response.status_code == 302  # back on the case page, with the refusal said there
    case.refresh_from_db()
    assert case.stage == "registered"
    assert TravelForm({"escort": "none", "medical_fitness": "fit"}).is_valid()  # creating needs none
