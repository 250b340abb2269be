"""The one policy: the sensitive field groups, each read through its own permission, on the
case page, its forms, lists, the API and the history; and the case scope in one place."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from remis.accounts.models import Role
from remis.accounts.permissions import SENSITIVE_GROUPS, Perm, SensitiveGroup
from remis.cases import actions
from remis.cases.models import ReturnTravel
from remis.cases.policy import ALL_GROUPS, groups_everywhere, groups_on_case, register_scope, scope, withheld
from remis.cases.tests.factories import make_user, register
from remis.lib.errors import ValidationFailed
from remis.programmes.models import MigrantCategory, Vulnerability

pytestmark = pytest.mark.django_db

# A counsellor's work without the health group: what a deployment would give a travel
# desk that arranges tickets but must not read medical details.
TRAVEL_DESK = [
    Perm.CASE_VIEW,
    Perm.CASE_EDIT,
    Perm.CASE_TRAVEL,
    Perm.CASE_RECEPTION,
    Perm.SENSITIVE_PROTECTION,
    Perm.SENSITIVE_PSYCHOSOCIAL,
    Perm.SENSITIVE_IDENTITY,
]


@pytest.fixture
def desk(world: Any) -> Any:
    Role.objects.create(code="travel_desk", name="Travel desk", permissions=[str(p) for p in TRAVEL_DESK])
    return make_user("tariq", world.be_office, "travel_desk", ["BE"])


@pytest.fixture
def travelled(world: Any) -> Any:
    """A case with a medical vulnerability, a trafficking one and a medical escort."""
    case = register(
        world,
        category="victim_of_trafficking",
        vulnerabilities=list(
            Vulnerability.objects.filter(code__in=["medical_condition", "victim_of_trafficking"])
        ),
    )
    actions.save_travel(
        world.alice,
        case,
        expected_version=None,
        departure_date=dt.date(2026, 3, 1),
        arrival_date=dt.date(2026, 3, 2),
        escort="medical",
        medical_fitness="conditions",
    )
    case.refresh_from_db()
    return case


def test_every_shipped_role_that_read_sensitive_details_reads_all_four_groups(world):
    for code in ("administrator", "programme_manager", "counsellor", "case_worker"):
        perms = set(Role.objects.get(code=code).permissions)
        assert {str(g.permission) for g in SENSITIVE_GROUPS} <= perms, code
        assert "case.view_sensitive" not in perms
    assert not set(Role.objects.get(code="me_officer").permissions) & {
        str(g.permission) for g in SENSITIVE_GROUPS
    }
    assert "organisation.manage" in Role.objects.get(code="administrator").permissions


def test_shipped_items_name_their_group(world):
    assert (
        MigrantCategory.objects.get(code="victim_of_trafficking").sensitive_group == SensitiveGroup.PROTECTION
    )
    assert Vulnerability.objects.get(code="mental_health").sensitive_group == SensitiveGroup.PSYCHOSOCIAL
    assert Vulnerability.objects.get(code="medical_condition").sensitive_group == SensitiveGroup.HEALTH
    assert Vulnerability.objects.get(code="elderly").sensitive_group == ""


def test_a_reader_holds_exactly_the_groups_of_their_role(world, desk, travelled):
    assert groups_on_case(world.alice, travelled) == ALL_GROUPS
    assert groups_on_case(desk, travelled) == ALL_GROUPS - {"health"}
    assert groups_everywhere(world.carol) == frozenset()  # M&E officer: no group


def test_lists_show_only_the_groups_held_through_every_organisation(world, desk):
    """One membership without a group is enough to withhold it from lists: a list row does
    not say through which organisation it is read."""
    from remis.accounts import actions as accounts
    from remis.accounts.system import system_actor

    accounts.add_membership(
        system_actor(), user=world.alice, organisation=world.nl_office, role="travel_desk", countries=["NL"]
    )
    assert "health" not in groups_everywhere(world.alice)
    assert "protection" in groups_everywhere(world.alice)


def test_the_case_page_withholds_the_health_group_and_shows_the_others(world, desk, travelled, signed_in):
    page = signed_in(desk).get(reverse("case_detail", args=[travelled.uuid])).content.decode()
    assert "Victim of trafficking" in page  # protection: held
    assert "Medical condition" not in page  # health: not held
    assert "Fit to travel with conditions" not in page
    assert "Medical escort" not in page
    assert "Restricted" in page
    # The travel form leaves the withheld fields out: nothing to read in its initial values.
    assert 'name="medical_fitness"' not in page and 'name="escort"' not in page


def test_a_save_by_a_reader_without_the_group_keeps_the_withheld_values(world, desk, travelled, signed_in):
    client = signed_in(desk)
    travel = ReturnTravel.objects.get(case=travelled)
    response = client.post(
        reverse("case_step", args=[travelled.uuid, "travel"]),
        {
            "version": travel.version,
            "departure_date": "2026-03-01",
            "arrival_date": "2026-03-02",
            "route": "BRU – CKY",
            "notes": "",
        },
    )
    assert response.status_code == 302
    travel.refresh_from_db()
    assert travel.route == "BRU – CKY"
    assert (travel.escort, travel.medical_fitness) == ("medical", "conditions")


def test_the_api_sends_null_for_withheld_fields_and_ignores_what_is_sent(world, desk, travelled, api_client):
    api = api_client.as_(desk)
    body = api.get(f"/cases/{travelled.uuid}/travel").json()
    assert body["medical_fitness"] is None and body["escort"] is None
    assert body["restricted"] == ["escort", "medical_fitness"]
    assert body["route"] == ""
    put = api.put(
        f"/cases/{travelled.uuid}/travel",
        {
            **{k: body[k] for k in ("departure_date", "arrival_date")},
            "version": body["version"],
            "route": "X",
        },
    )
    assert put.status_code == 200, put.content
    travel = ReturnTravel.objects.get(case=travelled)
    assert (travel.route, travel.escort, travel.medical_fitness) == ("X", "medical", "conditions")
    full = api_client.as_(world.alice).get(f"/cases/{travelled.uuid}/travel").json()
    assert (full["medical_fitness"], full["restricted"]) == ("conditions", [])


def test_the_case_list_api_withholds_a_category_of_a_group_not_held(world, travelled, api_client):
    Role.objects.create(
        code="health_only", name="Health only", permissions=[Perm.CASE_VIEW, Perm.SENSITIVE_HEALTH]
    )
    reader = make_user("hana", world.be_office, "health_only", ["BE"])
    items = api_client.as_(reader).get("/cases").json()["items"]
    assert [i["category"] for i in items if i["uuid"] == str(travelled.uuid)] == ["other"]
    items = api_client.as_(world.alice).get("/cases").json()["items"]
    assert [i["category"] for i in items if i["uuid"] == str(travelled.uuid)] == ["victim_of_trafficking"]


def test_a_details_save_keeps_the_withheld_items_and_cannot_add_one(world, desk, travelled, signed_in):
    client = signed_in(desk)
    elderly = Vulnerability.objects.get(code="elderly")
    trafficking = Vulnerability.objects.get(code="victim_of_trafficking")
    url = reverse("case_step", args=[travelled.uuid, "details"])
    form = {"version": travelled.version, "category": travelled.category_id}
    response = client.post(url, {**form, "vulnerabilities": [trafficking.pk, elderly.pk]})
    assert response.status_code == 302
    codes = set(travelled.vulnerabilities.values_list("code", flat=True))
    assert codes == {"medical_condition", "victim_of_trafficking", "elderly"}  # health item kept
    travelled.refresh_from_db()
    pregnant = Vulnerability.objects.get(code="pregnant")  # health: not offered to the desk
    with pytest.raises(ValidationFailed) as refused:
        actions.update_case_details(
            desk,
            travelled,
            expected_version=travelled.version,
            category=None,
            vulnerabilities=[pregnant],
            intended_return_date=None,
            assigned_workers=[],
        )
    assert refused.value.errors[0][0] == "vulnerabilities"


def test_the_history_masks_a_withheld_field(world, desk, travelled, signed_in):
    page = signed_in(desk).get(reverse("case_detail", args=[travelled.uuid])).content.decode()
    history = page[page.index('id="history"') :]
    # That a hidden detail changed is visible, not which (a yes/no named would tell its value)…
    assert "Details in a restricted group" in history and "Medical fitness to travel" not in history
    assert "Fit to travel with conditions" not in history  # …nor to what
    own = signed_in(world.alice).get(reverse("case_detail", args=[travelled.uuid])).content.decode()
    assert "Fit to travel with conditions" in own[own.index('id="history"') :]


def test_withheld_is_computed_from_the_registered_fields():
    assert withheld(frozenset(), "cases.returntravel") == {"escort", "medical_fitness"}
    assert withheld(ALL_GROUPS, "cases.returntravel") == frozenset()
    assert withheld(frozenset({"health"}), "cases.identitydocument") == {
        "kind",
        "number",
        "issuing_country",
        "expires_on",
    }


def test_a_later_scope_is_registered_and_an_unknown_one_shows_nothing(world):
    from django.db.models import Q

    register_scope("test.referrals", lambda actor: Q(to_organisation_id=1))
    assert scope("test.referrals", world.bob) == Q(to_organisation_id=1)
    assert scope("test.nothing-registered", world.bob) is None


def test_the_host_countries_of_the_cases_held_are_those_of_the_reading_organisations(world):
    """What narrows a long list for a reader of every country (the follow-ups list): the host
    countries of the cases their organisations hold, revoked access left out. On PostgreSQL
    read by skipping through the index, one organisation at a time."""
    from remis.accounts import actions as accounts
    from remis.accounts.system import system_actor
    from remis.cases.models import CaseAccess
    from remis.cases.policy import access_host_countries
    from remis.cases.tests.factories import make_person

    register(world)  # hosted in Belgium by the Belgian office
    nl_case = actions.register_case(
        world.dave,
        world.nl_office,
        programme=world.programme,
        category=MigrantCategory.objects.get(code="rejected_asylum_seeker"),
        host_country="NL",
        origin_country="SN",
        person=make_person(),
    )
    both = make_user("both", world.be_office, "administrator", [])
    accounts.add_membership(
        system_actor(),
        user=both,
        organisation=world.nl_office,
        role="administrator",
        countries=[],
        all_countries=True,
    )
    assert access_host_countries(world.admin) == {"BE"}
    assert access_host_countries(both) == {"BE", "NL"}
    assert access_host_countries(world.bob) == frozenset()  # the Guinean partner: nothing submitted yet
    CaseAccess.objects.filter(case=nl_case).update(revoked_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    assert access_host_countries(both) == {"BE"}


def test_a_hidden_category_is_in_the_details_form_as_it_reads_and_kept_when_sent_back(
    world: Any, signed_in: Any
) -> None:
    """Left out of the form, the category said which cases hid one: the form shows it as the
    page reads it ("Other"), and that value sent back keeps the stored category."""
    Role.objects.create(
        code="no_protection", name="No protection", permissions=[str(Perm.CASE_VIEW), str(Perm.CASE_EDIT)]
    )
    editor = make_user("edda", world.be_office, "no_protection", ["BE"])
    case = register(world, category="victim_of_trafficking")
    other = MigrantCategory.objects.get(code="other")
    client = signed_in(editor)
    page = client.get(reverse("case_detail", args=[case.uuid])).content.decode()
    form = page[page.index('id="details-category"') - 200 :][:3000]
    assert f'<option value="{other.pk}" selected>' in form and "Victim of trafficking" not in page
    url = reverse("case_step", args=[case.uuid, "details"])
    untouched = {"version": case.version, "category": other.pk, "intended_return_date": "2027-01-10"}
    sent = client.post(url, untouched)
    assert sent.status_code == 302
    case.refresh_from_db()
    assert case.category.code == "victim_of_trafficking" and str(case.intended_return_date) == "2027-01-10"
