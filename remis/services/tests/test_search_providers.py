"""Searching the map by name, service sector, country, area, eligibility and language, with
filters, sorting and paging; inactive providers only when asked for."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from remis.services import actions
from remis.services.queries import ProviderFilters, filter_providers
from remis.services.tests.factories import make_provider

pytestmark = pytest.mark.django_db


@pytest.fixture
def providers(world):
    kaloum = make_provider()
    clinic = make_provider(
        name="Clinique Espoir (synthetic)",
        kind="private",
        sectors=["health", "mhpss"],
        area_1="Kankan",
        area_2="",
        eligibility="Women and children first",
        languages="Malinké, Français",
        last_verified_on=dt.date(2026, 3, 1),
    )
    erbil = make_provider(
        name="Erbil Legal Aid (synthetic)",
        sectors=["legal"],
        country="IQ",
        area_1="Erbil",
        area_2="",
        eligibility="Anyone without civil documents",
        languages="Kurdish, Arabic",
        last_verified_on=None,
    )
    closed = make_provider(name="Old Kaloum workshop (synthetic)", active=False)
    return {"kaloum": kaloum, "clinic": clinic, "erbil": erbil, "closed": closed}


def names(actor, **filters):
    return [p.name for p in filter_providers(actor, ProviderFilters(**filters))]


def test_search_matches_name_area_eligibility_and_language_whatever_the_accents(alice, providers):
    assert names(alice, q="clinique") == ["Clinique Espoir (synthetic)"]
    assert names(alice, q="WOMEN children") == ["Clinique Espoir (synthetic)"]
    assert names(alice, q="malinke") == ["Clinique Espoir (synthetic)"]
    assert names(alice, area="kaloum") == ["Centre de Formation Kaloum (synthetic)"]
    # As the list writes the area (district, comma, region; an Arabic comma in Arabic).
    kaloum = providers["kaloum"]
    for written in (f"{kaloum.area_2}, {kaloum.area_1}", f"{kaloum.area_2}، {kaloum.area_1}"):
        assert names(alice, area=written) == ["Centre de Formation Kaloum (synthetic)"], written
    assert names(alice, language="arabic") == ["Erbil Legal Aid (synthetic)"]
    assert names(alice, language="francais") == [
        "Centre de Formation Kaloum (synthetic)",
        "Clinique Espoir (synthetic)",
    ]


def test_filters_by_sector_country_kind_and_status(alice, providers):
    assert names(alice, sector="mhpss") == ["Clinique Espoir (synthetic)"]
    assert names(alice, country="iq") == ["Erbil Legal Aid (synthetic)"]
    assert names(alice, kind="private") == ["Clinique Espoir (synthetic)"]
    assert "Old Kaloum workshop (synthetic)" not in names(alice)
    assert names(alice, status="inactive") == ["Old Kaloum workshop (synthetic)"]
    assert len(names(alice, status="all")) == 4


def test_a_sector_is_found_by_its_name_in_the_readers_language(alice, providers):
    """ "الصحة" (health, as the Arabic map names the sector) found nothing: sectors are in no
    provider's own text."""
    from remis.services.models import Sector

    health = Sector.objects.get(code="health")
    assert names(alice, q=health.names["ar"]) == ["Clinique Espoir (synthetic)"]
    assert names(alice, q=health.names["fr"]) == ["Clinique Espoir (synthetic)"]
    assert names(alice, q=f"{health.names['fr']} kankan") == ["Clinique Espoir (synthetic)"]
    assert names(alice, q=f"{health.names['fr']} erbil") == []


def test_sorting_by_country_follows_the_readers_alphabet(alice, providers):
    """By ISO code, Arabic read إثيوبيا، غينيا، العراق (ET, GN, IQ): in Arabic, Iraq
    (العراق) comes before Guinea (غينيا)."""
    from django.utils import translation

    with translation.override("en"):
        assert names(alice, sort="country")[-1] == "Erbil Legal Aid (synthetic)"  # Guinea, then Iraq
    with translation.override("ar"):
        assert names(alice, sort="country")[0] == "Erbil Legal Aid (synthetic)"
        # With a search (its DISTINCT), and with nothing found (PostgreSQL read the empty
        # ordering as "ORDER BY 0": a server error).
        assert names(alice, sort="country", q="clinique") == ["Clinique Espoir (synthetic)"]
        assert names(alice, sort="country", q="nothing like this") == []


def test_sorting_by_last_verification(alice, providers):
    assert names(alice, sort="-verified") == [
        "Centre de Formation Kaloum (synthetic)",
        "Clinique Espoir (synthetic)",
        "Erbil Legal Aid (synthetic)",
    ]
    assert names(alice, sort="-name")[0] == "Erbil Legal Aid (synthetic)"


def test_the_list_page_searches_pages_and_says_when_nothing_matches(signed_in, alice, providers):
    client = signed_in(alice)
    page = client.get(reverse("provider_list"), {"q": "espoir"}).content.decode()
    assert "Clinique Espoir" in page and "Erbil Legal Aid" not in page
    assert "q=espoir" in page  # the GeoJSON link keeps the filters
    page = client.get(reverse("provider_list"), {"q": "nothing like this"}).content.decode()
    assert "No provider matches these filters." in page
    # A filter it cannot read (an old bookmark) lists nothing, not every provider.
    for bad in ({"sector": "bogus"}, {"sort": "bogus"}, {"q": "x" * 300}):
        answer = client.get(reverse("provider_list"), bad)
        assert answer.context["form"].errors and not answer.context["page"].object_list, bad
        assert "Clinique Espoir" not in answer.content.decode()
    geojson = client.get(reverse("provider_geojson"), {"sector": "bogus"}).json()
    assert geojson["features"] == []


def test_the_list_pages_through_many_providers(signed_in, alice, bob):
    for n in range(30):
        actions.create_provider(
            bob,
            {"name": f"Provider {n:02d}", "kind": "ngo", "sectors": ["other"], "country": "GN"},
        )
    client = signed_in(alice)
    first = client.get(reverse("provider_list"))
    assert first.context["page"].has_next() and "page=2" in first.content.decode()
    second = client.get(reverse("provider_list"), {"page": "2"})
    assert [p.name for p in second.context["page"].object_list] == [f"Provider {n}" for n in range(25, 30)]


def test_the_list_page_reads_in_a_bounded_number_of_queries(
    signed_in, alice, providers, django_assert_max_num_queries
):
    client = signed_in(alice)
    with django_assert_max_num_queries(14):
        client.get(reverse("provider_list"))


def test_the_api_searches_with_the_same_filters(api_client, alice, providers):
    api = api_client.as_(alice)
    body = api.get("/services/providers", q="erbil").json()
    assert [p["name"] for p in body["items"]] == ["Erbil Legal Aid (synthetic)"] and body["count"] == 1
    assert body["items"][0]["sectors"] == ["legal"]
    assert api.get("/services/providers", country="QQ").status_code == 422
    response = api.get("/services/providers", sector="astrology")
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "sector"


def _stakeholder(bob, **values):
    base = {"name": "Chambre de commerce (synthetic)", "kind": "private", "country": "GN"}
    return actions.create_stakeholder(bob, {**base, **values})


def test_stakeholders_are_found_by_words_kind_country_and_partnership(client, hana, alice):
    bob = hana  # manages every country
    _stakeholder(bob, capacity="Mentoring of small businesses", partnership_status="active")
    _stakeholder(bob, name="Ministère de la jeunesse (synthetic)", kind="government", interest="Youth jobs")
    _stakeholder(bob, name="Diaspora Erbil (synthetic)", kind="community_based", country="IQ")
    client.force_login(alice)  # reads the map, manages nothing
    page = reverse("stakeholder_list")

    def names(**params):
        text = client.get(page, params).text
        return [n for n in ("Chambre", "Ministère", "Diaspora") if n in text]

    assert names() == ["Chambre", "Ministère", "Diaspora"]
    assert names(q="MENTORING") == ["Chambre"]  # a word of the capacity, any case
    assert names(q="youth") == ["Ministère"]
    assert names(country="IQ") == ["Diaspora"]
    assert names(kind="government") == ["Ministère"]
    assert names(status="active") == ["Chambre"]
    assert names(q="youth", country="IQ") == []
    assert "No stakeholder matches this search." in client.get(page, {"q": "nothing-like-this"}).text


def test_stakeholder_pages_keep_the_search(client, hana, alice):
    bob = hana
    for number in range(55):
        _stakeholder(bob, name=f"Association {number:02} (synthetic)", country="IQ")
    _stakeholder(bob, name="Guinea group (synthetic)")
    client.force_login(alice)
    first = client.get(reverse("stakeholder_list"), {"country": "IQ"})
    assert "Stakeholders found: 55" in first.text and "Guinea group" not in first.text
    assert "?country=IQ&amp;page=2" in first.text
    last = client.get(reverse("stakeholder_list"), {"country": "IQ", "page": 3})  # 25 a page
    assert "Association 54" in last.text and "Association 49" not in last.text
    assert "Guinea group" not in last.text and "page=4" not in last.text
    # A filter that cannot be read lists nothing, as the providers' list (every stakeholder
    # was listed under the error).
    refused = client.get(reverse("stakeholder_list"), {"status": "Active"})
    assert "Select a valid choice" in refused.text and "Guinea group" not in refused.text


def test_the_api_searches_stakeholders_too(api_client, bob):
    _stakeholder(bob, interest="Return migrants' savings")
    _stakeholder(bob, name="Other (synthetic)", kind="ngo")
    api = api_client.as_(bob)
    found = api.get("/services/stakeholders", q="savings").json()
    assert [row["name"] for row in found["items"]] == ["Chambre de commerce (synthetic)"]
    assert api.get("/services/stakeholders", kind="ngo").json()["count"] == 1
    assert api.get("/services/stakeholders", kind="spaceship").status_code == 422


def test_the_country_filter_offers_the_countries_providers_are_mapped_in(signed_in, alice, providers):
    """It listed about 250 countries (Antarctica, Bouvet Island…) for providers in a few."""
    page = signed_in(alice).get(reverse("provider_list")).content.decode()
    select = page.split('name="country"')[1].split("</select>")[0]
    assert [code for code in ("GN", "IQ", "AQ", "BV", "FR") if f'value="{code}"' in select] == ["GN", "IQ"]
    unknown = signed_in(alice).get(reverse("provider_list"), {"country": "AQ"})
    # A country not offered is said on its field, and lists nothing: every provider of every
    # country listed under "one field to correct" read as the country's.
    assert "country" in unknown.context["form"].errors and "Erbil Legal Aid" not in unknown.content.decode()
