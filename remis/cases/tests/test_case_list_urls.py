"""Names searched for never travel in URLs: a `q` in a URL is ignored, and the URL pushed
into the browser's history for Back carries only filters, the page and a search flag."""

from __future__ import annotations

import pytest
from django.urls import reverse

from remis.cases.tests.factories import make_person, register
from remis.cases.tests.test_case_pages import login

pytestmark = pytest.mark.django_db


def test_a_name_in_the_url_does_not_search(client, world, alice):
    register(world, person=make_person(given_name="Aminata", family_name="Keita"))
    register(world, person=make_person(given_name="Ousmane", family_name="Sow"))
    login(client, alice)
    html = client.get(reverse("case_list"), {"q": "Keita"}).content.decode()
    assert "2 cases" in html


def test_pushed_url_keeps_filters_and_page_but_not_the_name(client, world, alice):
    register(world, person=make_person(given_name="Aminata", family_name="Keita"))
    login(client, alice)
    response = client.post(
        reverse("case_list"), {"q": "Keita", "stage": "registered", "page": "1"}, HTTP_HX_REQUEST="true"
    )
    pushed = response["HX-Push-Url"]
    assert "stage=registered" in pushed and "search=1" in pushed and "page=1" in pushed
    assert "Keita" not in pushed
    # Going back to that URL restores the search from the session, not from the URL.
    html = client.get(pushed).content.decode()
    assert "1 case" in html and 'value="Keita"' in html


def test_without_a_search_flag_the_session_search_is_not_applied(client, world, alice):
    register(world, person=make_person(given_name="Aminata", family_name="Keita"))
    register(world, person=make_person(given_name="Ousmane", family_name="Sow"))
    login(client, alice)
    client.post(reverse("case_list"), {"q": "Keita"}, HTTP_HX_REQUEST="true")
    assert "2 cases" in client.get(reverse("case_list")).content.decode()


def test_back_to_an_earlier_search_shows_that_search(client, world, alice):
    """Every search's URL said `search=1`: Back to an earlier search showed the latest one."""
    register(world, person=make_person(given_name="Aminata", family_name="Keita"))
    register(world, person=make_person(given_name="Ousmane", family_name="Sow"))
    login(client, alice)
    url = reverse("case_list")
    first = client.post(url, {"q": "Keita", "page": "1"}, HTTP_HX_REQUEST="true")["HX-Push-Url"]
    second = client.post(url, {"q": "Sow", "page": "1"}, HTTP_HX_REQUEST="true")["HX-Push-Url"]
    assert first != second and "Keita" not in first + second and "Sow" not in first + second
    back = client.get(first).content.decode()
    assert 'value="Keita"' in back and "Aminata" in back and "Ousmane" not in back
    forward = client.get(second).content.decode()
    assert 'value="Sow"' in forward and "Ousmane" in forward and "Aminata" not in forward
    # The same search again keeps its address; another user's session has none of them.
    assert client.post(url, {"q": "Keita", "page": "1"}, HTTP_HX_REQUEST="true")["HX-Push-Url"] == first
    client.logout()
    login(client, world.carol)
    assert 'value="Keita"' not in client.get(first).content.decode()


def test_a_search_no_longer_kept_is_said_never_dropped_for_every_case(client, world):
    """An old link's search key (the list keeps the last searches) showed every case, and
    its export link offered to export them all, without a word."""
    from remis.cases.tests.factories import make_person, make_user, register

    register(world, person=make_person(given_name="Aïssatou", family_name="Kouyaté"))
    register(world, person=make_person(given_name="Moussa", family_name="Sylla"))
    client.force_login(world.alice)
    page = client.get("/cases/", {"search": "7", "sort": "-registered"}).text
    assert "The search this page showed is no longer kept" in page
    assert "Sylla" not in page and "Kouyaté" not in page
    client.force_login(make_user("paula", world.be_office, "programme_manager", ["BE"]))
    export = client.get("/exports/new/cases/", {"search": "7"}).text
    assert "The search this page showed is no longer kept" in export
    # A bad filter on a full page names what to correct under the heading.
    wrong = client.get("/cases/", {"arrived_from": "2026-13-01"}).text
    assert (
        "Correct the filters to see cases:</p>" in wrong
        and "Arrived from" in wrong.split("Correct the filters")[1]
    )
