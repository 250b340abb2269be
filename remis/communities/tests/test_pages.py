"""The community project pages: valid HTML in English, French and Arabic (forms with their
errors too), creating through the form, an untouched edit, adding and removing a returnee,
and who sees which participants."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from remis.audit.models import AuditEntry
from remis.cases.tests.factories import PASSWORD, make_user, returned_case
from remis.communities import actions
from remis.communities.models import CommunityProject
from tests.test_pages_are_valid_html import run_vnu

pytestmark = pytest.mark.django_db


def _client(user: Any, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    assert client.login(username=user.username, password=PASSWORD)
    return client


def _form_data(**changes: Any) -> dict[str, Any]:
    data = {
        "name": "Poultry cooperative",
        "kind": "income_generating",
        "sector": "livelihoods",
        "programme": "BE-REAB",
        "country": "GN",
        "area_1": "Labé",
        "area_2": "",
        "description": "",
        "status": "preparation",
        "start_date": "",
        "end_date": "",
        "budget": "",
        "currency": "",
        "tags": ["sdg_10_2"],
        "outcomes": "",
        "members_F_0_17": "",
        "members_F_18_34": "5",
        "members_F_35_plus": "",
        "members_M_0_17": "",
        "members_M_18_34": "3",
        "members_M_35_plus": "",
        "version": "",
    }
    data.update(changes)
    return data


def test_project_pages_are_valid_html_in_every_language(
    world: Any, bob: Any, project: Any, tmp_path: Any
) -> None:
    actions.add_participant(bob, project, returned_case(world).reference)
    pages = [
        ("list", reverse("project_list"), None),
        ("list-search", reverse("project_list") + "?q=kindia&status=ongoing&tag=gcm_21", None),
        ("list-empty", reverse("project_list") + "?q=nothing", None),
        ("detail", reverse("project_detail", args=[project.uuid]), None),
        ("participant-errors", reverse("project_detail", args=[project.uuid]), {"reference": "NOPE"}),
        ("new", reverse("project_create"), None),
        ("new-errors", reverse("project_create"), _form_data(name="", budget="abc", members_F_0_17="-2")),
        ("edit", reverse("project_edit", args=[project.uuid]), None),
    ]
    files: list[Path] = []
    for name, url, data in pages:
        for language in ("en", "fr", "ar"):
            response = (
                _client(bob, language).get(url) if data is None else _client(bob, language).post(url, data)
            )
            assert response.status_code == 200, (name, language, response.status_code)
            body = response.content.decode()
            assert f'<html lang="{language}"' in body
            path = tmp_path / f"{name}.{language}.html"
            path.write_text(body, encoding="utf-8")
            files.append(path)
    assert [(e["url"].rsplit("/", 1)[-1], e["message"]) for e in run_vnu(files)] == []


def test_member_counts_are_read_as_french_groups_thousands(world: Any, bob: Any) -> None:
    """ "1 200" was refused as not a whole number; the limit read "100000"."""
    client = _client(bob)
    client.cookies["django_language"] = "fr"
    refused = client.post(reverse("project_create"), _form_data(members_F_18_34="-3"))
    said = str(refused.context["form"].errors)
    assert "100000" not in said and re.search(r"100\s000", said), said  # grouped as French groups
    client.post(reverse("project_create"), _form_data(members_F_18_34="1 200"))
    project = CommunityProject.objects.get()
    assert project.members["F_18_34"] == 1200
    # Shown grouped as typed, beside amounts that were ("1200", a total of "1212").
    shown = client.get(reverse("project_detail", args=[project.uuid])).content.decode()
    assert re.search(r">1\s200<", shown) and ">1200<" not in shown, shown


def test_every_bad_member_count_is_told_at_once(world: Any, bob: Any) -> None:
    """ "2.5" and "x" were told first, "-3" and "99999999999" only once those were fixed."""
    client = _client(bob)
    bad = {
        "members_F_0_17": "-3",
        "members_F_18_34": "99999999999",
        "members_M_0_17": "2.5",
        "members_M_18_34": "x",
    }
    refused = client.post(reverse("project_create"), _form_data(**bad))
    assert set(bad) <= set(refused.context["form"].errors)
    assert not CommunityProject.objects.exists()


def test_a_project_is_created_through_the_form_and_errors_name_their_fields(world: Any, bob: Any) -> None:
    client = _client(bob)
    refused = client.post(reverse("project_create"), _form_data(budget="12", members_F_18_34="-4"))
    assert refused.status_code == 200
    assert refused.context["form"].errors["currency"] == ["Give the budget's currency."]
    gold = client.post(reverse("project_create"), _form_data(budget="3", currency="XAU"))  # not money paid
    assert gold.context["form"].errors["currency"] == ["Unknown currency code “XAU”."]
    assert "members_F_18_34" in refused.context["form"].errors
    assert not CommunityProject.objects.exists()
    response = client.post(reverse("project_create"), _form_data())
    project = CommunityProject.objects.get()
    detail = reverse("project_detail", args=[project.uuid])
    assert response["Location"] == detail
    assert project.members == {"F_18_34": 5, "M_18_34": 3} and project.tags == ["sdg_10_2"]
    page = client.get(detail).content.decode()
    assert "Poultry cooperative" in page and "8 community members in all." in page


@pytest.mark.parametrize(
    ("language", "typed"), [("fr", "12 500,50"), ("ar", "١٢٥٠٠٫٥٠"), ("en", "12,500.50")]
)
def test_a_budget_is_read_as_the_reader_writes_it(world: Any, bob: Any, language: str, typed: str) -> None:
    client = _client(bob, language)
    client.post(reverse("project_create"), _form_data(budget=typed, currency="EUR"))
    assert str(CommunityProject.objects.get().budget) == "12500.50"


def test_a_budget_that_cannot_be_read_without_a_guess_is_refused(world: Any, bob: Any) -> None:
    refused = _client(bob, "en").post(
        reverse("project_create"), _form_data(budget="12500,50", currency="EUR")
    )
    assert refused.status_code == 200 and "budget" in refused.context["form"].errors
    assert not CommunityProject.objects.exists()


def test_the_edit_form_saved_untouched_changes_nothing(world: Any, bob: Any, project: Any) -> None:
    client = _client(bob)
    form = client.get(reverse("project_edit", args=[project.uuid])).context["form"]
    data = {}
    for field in form:
        value = field.value()
        if value is None:
            value = ""
        elif isinstance(value, dt.date):
            value = value.isoformat()
        data[field.name] = value
    entries = AuditEntry.objects.count()
    response = client.post(reverse("project_edit", args=[project.uuid]), data, follow=True)
    assert "Nothing was changed." in response.content.decode()
    assert AuditEntry.objects.count() == entries


def test_a_returnee_is_added_and_removed_on_the_project_page(world: Any, bob: Any, project: Any) -> None:
    case = returned_case(world)
    client = _client(bob)
    url = reverse("project_detail", args=[project.uuid])
    client.post(url, {"reference": case.reference, "joined_on": dt.date.today().isoformat()})
    page = client.get(url).content.decode()
    assert case.reference in page
    # A counsellor of another organisation covering Guinea reads the project, not the case.
    outsider = make_user("gaston", world.nl_office, "counsellor", ["GN"])
    seen = _client(outsider).get(url).content.decode()
    assert case.reference not in seen and "Returnees taking part in cases you cannot read: 1" in seen
    assert "Add the returnee" not in seen
    forbidden = _client(outsider).post(reverse("participant_remove", args=[project.uuid, case.pk]))
    assert forbidden.status_code == 403
    client.post(reverse("participant_remove", args=[project.uuid, case.pk]))
    assert not project.participants.exists()


def test_outsiders_do_not_find_the_project(world: Any, alice: Any, project: Any) -> None:
    client = _client(alice)
    assert client.get(reverse("project_detail", args=[project.uuid])).status_code == 404
    assert client.get(reverse("project_edit", args=[project.uuid])).status_code == 404
    assert client.get(reverse("project_create")).status_code == 403
    assert "Tree nursery" not in client.get(reverse("project_list")).content.decode()


def test_the_case_page_lists_the_projects_the_returnee_takes_part_in(
    world: Any, bob: Any, project: Any
) -> None:
    case = returned_case(world)
    case_url = reverse("case_detail", args=[case.uuid])
    assert 'id="community-projects"' not in _client(bob).get(case_url).content.decode()
    actions.add_participant(bob, project, case.reference)
    page = _client(bob).get(case_url).content.decode()
    assert 'id="community-projects"' in page and "Tree nursery of Kindia" in page
    # Alice reads the case (her office registered it) but not Guinean projects: the type only.
    seen = _client(world.alice).get(case_url).content.decode()
    assert 'id="community-projects"' in seen and "Tree nursery" not in seen  # nor in the history
    assert "Environment and agriculture" in seen


def test_the_forms_offer_only_the_programmes_their_user_may_read(world: Any, bob: Any, project: Any) -> None:
    import datetime as dt

    from remis.accounts.system import system_actor
    from remis.programmes import actions as programmes

    dutch = programmes.create_programme(
        system_actor(), code="NL-ONLY", name="Dutch only (synthetic)", host_countries=["NL"],
        origin_countries=["GN"], starts_on=dt.date(2024, 1, 1),
    )  # fmt: skip
    programmes.add_partner(system_actor(), dutch, world.nl_office, "host_coordinator", ["NL"])
    client = _client(bob)
    for url in (
        reverse("project_create"),
        reverse("project_edit", args=[project.uuid]),
        reverse("project_list"),
    ):
        page = client.get(url).content.decode()
        assert "BE-REAB" in page and "NL-ONLY" not in page, url


def test_a_host_office_manager_is_not_offered_a_project_they_could_not_keep(world: Any, bob: Any) -> None:
    # Projects are kept in countries of origin; this manager's right covers Belgium only.
    host = make_user("maria", world.be_office, "programme_manager", ["BE"])
    client = _client(host)
    assert "Add a community project" not in client.get(reverse("project_list")).content.decode()
    assert client.get(reverse("project_create")).status_code == 403
    assert "Add a community project" in _client(bob).get(reverse("project_list")).content.decode()


def test_a_funders_viewer_reads_a_project_without_its_counts_of_people(
    world: Any, bob: Any, project: Any
) -> None:
    """The community projects summary hides small counts of people from readers who do not
    read case records; a project's own page, the list and the API must not show them
    exactly (a country with a single project is that project's row)."""
    actions.add_participant(bob, project, returned_case(world).reference)
    world.programme.funders.add(world.donor)  # Victor's organisation funds the programme
    page = _client(world.victor).get(reverse("project_detail", args=[project.uuid]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Tree nursery of Kindia" in text
    assert "community members in all" not in text and "cannot read: 1" not in text
    assert reverse("project_summary") in text  # where the protected counts are
    listed = _client(world.victor).get(reverse("project_list")).content.decode()
    assert "Tree nursery of Kindia" in listed and "Community members" not in listed
    own = _client(bob).get(reverse("project_detail", args=[project.uuid])).content.decode()
    assert "12 community members in all." in own  # a reader of the cases reads them
    assert "Community members" in _client(bob).get(reverse("project_list")).content.decode()


def test_every_bad_field_is_named_in_one_round_trip(world: Any, bob: Any) -> None:
    """A member count of 2.5 (refused by the form) hid an end date before the start, a
    negative budget and an unknown currency until the next try."""
    refused = _client(bob).post(
        reverse("project_create"),
        _form_data(
            members_F_18_34="2.5", start_date="2026-05-04", end_date="2026-01-01", budget="-5", currency="XYZ"
        ),
    )
    errors = refused.context["form"].errors
    assert {"members_F_18_34", "end_date", "budget", "currency"} <= set(errors), errors
    assert not CommunityProject.objects.exists()


def test_the_country_filter_offers_the_countries_of_the_projects_read(
    world: Any, bob: Any, project: Any
) -> None:
    page = _client(bob, "fr").get(reverse("project_list")).content.decode()
    select = page.split('name="country"')[1].split("</select>")[0]
    assert 'value="GN"' in select and "Guinée" in select
    assert 'value="AQ"' not in select and 'value="BE"' not in select  # every country was offered


def test_a_filter_that_cannot_be_read_lists_nothing(world: Any, bob: Any, project: Any) -> None:
    """ "Ongoing" (a label, not the code) was named as an error above every project, listed
    as if no filter had been asked."""
    client = _client(bob, "en")
    page = client.get(reverse("project_list"), {"status": "Ongoing"}).content.decode()
    assert "Select a valid choice" in page and project.name not in page
    assert "No community project matches this search." in page
    assert project.name in client.get(reverse("project_list")).content.decode()
