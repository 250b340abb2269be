"""GeoJSON of the providers, honouring the list's filters."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from remis.services.tests.factories import make_provider

pytestmark = pytest.mark.django_db


def test_geojson_has_a_point_per_provider_with_coordinates_and_its_properties(signed_in, alice):
    located = make_provider(sectors=["vocational_training", "employment"])
    make_provider(name="Somewhere unknown", latitude=None, longitude=None)
    make_provider(name="Erbil clinic", country="IQ", area_1="Erbil", latitude="36.19", longitude="44.01")
    response = signed_in(alice).get(reverse("provider_geojson"), {"country": "GN"})
    assert response["Content-Type"] == "application/geo+json"
    data = json.loads(response.content)
    assert data["type"] == "FeatureCollection"
    assert len(data["features"]) == 1
    feature = data["features"][0]
    assert feature["type"] == "Feature" and feature["id"] == str(located.uuid)
    assert feature["geometry"] == {"type": "Point", "coordinates": [-13.7122, 9.5092]}  # lon, lat
    assert feature["properties"] == {
        "name": located.name,
        "kind": "ngo",
        "sectors": ["vocational_training", "employment"],
        "country": "GN",
        "area": "Kaloum, Conakry",
        "area_1": "Conakry",
        "area_2": "Kaloum",
        "active": True,
    }
    # The same file whatever the reader's language (it said "Kaloum، Conakry" in Arabic).
    arabic = signed_in(alice).get(reverse("provider_geojson"), {"country": "GN"}, HTTP_ACCEPT_LANGUAGE="ar")
    assert json.loads(arabic.content) == data
    # The list says the file leaves out the provider without coordinates.
    page = signed_in(alice).get(reverse("provider_list"), {"country": "GN"}).content.decode()
    assert "(1 without coordinates is not in the file)" in page


def test_geojson_follows_the_search_and_the_status(signed_in, alice):
    make_provider(name="Kaloum centre")
    make_provider(name="Closed centre", active=False)
    client = signed_in(alice)
    names = [f["properties"]["name"] for f in client.get(reverse("provider_geojson")).json()["features"]]
    assert names == ["Kaloum centre"]
    everything = client.get(reverse("provider_geojson"), {"status": "all"}).json()["features"]
    assert len(everything) == 2
    assert client.get(reverse("provider_geojson"), {"q": "nothing"}).json()["features"] == []


def test_the_api_gives_the_same_collection(api_client, alice):
    make_provider()
    body = api_client.as_(alice).get("/services/providers/geojson", sector="vocational_training").json()
    assert body["type"] == "FeatureCollection" and len(body["features"]) == 1
    assert api_client.get("/services/providers/geojson", sector="health").json()["features"] == []
