"""UN M49 regions for every country (Kosovo included) and the named groupings of the 2010
AVRR annual report."""

from __future__ import annotations

import pycountry
import pytest

from remis.accounts.models import User
from remis.audit.models import AuditEntry
from remis.lib.errors import ValidationFailed
from remis.programmes.actions import create_grouping
from remis.programmes.models import Grouping
from remis.programmes.queries import countries_in, countries_in_region, groupings_of, region_of
from remis.programmes.regions import m49_table

M49_REGIONS = {"Africa", "Americas", "Asia", "Europe", "Oceania"}


def test_every_iso_country_has_an_m49_region():
    missing = [c.alpha_2 for c in pycountry.countries if region_of(c.alpha_2) is None]
    assert missing == []
    # Antarctica is the one area M49 places in no region.
    placed = {code for code, r in m49_table().items() if r.region in M49_REGIONS}
    assert {c.alpha_2 for c in pycountry.countries} - placed == {"AQ"}


def test_the_table_holds_no_code_that_is_not_a_country_except_kosovo():
    assert set(m49_table()) - {c.alpha_2 for c in pycountry.countries} == {"XK"}


def test_kosovo_is_in_southern_europe_like_serbia():
    assert region_of("XK") == region_of("RS")
    assert region_of("xk") is not None and region_of("XK").sub_region == "Southern Europe"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("country", "region", "sub_region", "intermediate"),
    [
        ("GN", "Africa", "Sub-Saharan Africa", "Western Africa"),
        ("MA", "Africa", "Northern Africa", ""),
        ("IQ", "Asia", "Western Asia", ""),
        ("AF", "Asia", "Southern Asia", ""),
        ("MX", "Americas", "Latin America and the Caribbean", "Central America"),
        ("US", "Americas", "Northern America", ""),
        ("JE", "Europe", "Northern Europe", "Channel Islands"),
        ("NO", "Europe", "Northern Europe", ""),
        ("GE", "Asia", "Western Asia", ""),
        ("FJ", "Oceania", "Melanesia", ""),
    ],
)
def test_m49_places_countries_as_the_un_does(country, region, sub_region, intermediate):
    found = region_of(country)
    assert found is not None
    assert (found.region, found.sub_region, found.intermediate_region) == (region, sub_region, intermediate)


def test_m49_codes_of_the_regions_are_given():
    guinea = region_of("GN")
    assert guinea is not None
    assert (guinea.region_code, guinea.sub_region_code, guinea.intermediate_region_code) == (
        "002",
        "202",
        "011",
    )


def test_countries_in_a_region_by_name():
    western_africa = countries_in_region("Western Africa")
    assert {"GN", "SN", "ML", "NE", "NG"} <= western_africa and "MA" not in western_africa
    assert len(countries_in_region("Europe")) > 40


AVRR_2010 = {
    "avrr2010-eu-no-ch": 29,  # 27 EU Member States of 2010, Norway and Switzerland
    "avrr2010-eastern-europe-caucasus": 14,
    "avrr2010-central-america": 8,
    "avrr2010-south-america": 10,
    "avrr2010-caribbean": 15,
    "avrr2010-central-south-west-asia": 9,
    "avrr2010-south-south-east-asia": 13,
    "avrr2010-far-east": 5,
}


@pytest.mark.django_db
def test_the_2010_annual_report_groupings_are_shipped_with_their_members():
    shipped = {g.code: len(countries_in(g)) for g in Grouping.objects.filter(scheme="avrr-2010")}
    assert shipped == AVRR_2010
    assert "XK" in countries_in("avrr2010-eastern-europe-caucasus")  # Kosovo/UNSC 1244
    assert {"GB", "NO", "CH", "BG", "RO"} <= countries_in("avrr2010-eu-no-ch")
    assert "HR" not in countries_in("avrr2010-eu-no-ch")  # joined the EU in 2013
    assert countries_in("avrr2010-far-east") == {"CN", "HK", "JP", "KR", "TW"}
    assert {"MX", "BZ"} <= countries_in("avrr2010-central-america")


@pytest.mark.django_db
def test_every_member_of_a_shipped_grouping_is_a_known_country():
    members = set().union(*(countries_in(g) for g in Grouping.objects.all()))
    assert members and members <= set(m49_table())


@pytest.mark.django_db
def test_a_country_belongs_to_at_most_one_grouping_of_the_2010_scheme():
    for country in m49_table():
        assert len(groupings_of(country, scheme="avrr-2010")) <= 1, country
    assert [g.code for g in groupings_of("mx", scheme="avrr-2010")] == ["avrr2010-central-america"]


@pytest.mark.django_db
def test_an_unknown_grouping_has_no_countries():
    assert countries_in("no-such-grouping") == frozenset()


@pytest.mark.django_db
def test_a_programme_manager_creates_a_grouping_and_it_is_audited(world):
    admin: User = world.admin
    grouping = create_grouping(admin, code="sahel", name="Sahel", countries=["ne", "ML", "TD", "BF"])
    assert countries_in("sahel") == {"NE", "ML", "TD", "BF"}
    entry = AuditEntry.objects.get(action="programme.create_grouping", object_id=str(grouping.pk))
    assert entry.changes["countries"] == [None, ["BF", "ML", "NE", "TD"]]


@pytest.mark.django_db
def test_only_holders_of_programme_manage_create_groupings(world, alice):
    from remis.lib.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        create_grouping(alice, code="sahel", name="Sahel", countries=["NE"])
    assert not Grouping.objects.filter(code="sahel").exists()


@pytest.mark.django_db
def test_a_grouping_with_unknown_countries_or_a_taken_code_is_refused(world):
    with pytest.raises(ValidationFailed) as refused:
        create_grouping(world.admin, code="avrr2010-far-east", name="", countries=["ZZ"])
    assert {field for field, _m in refused.value.errors} == {"code", "name", "countries"}


def test_every_region_has_its_name_in_each_language() -> None:
    """The statistics by region read "Africa", "Western Asia" on French and Arabic pages."""
    from django.utils import translation

    from remis.lib.defaults import load
    from remis.programmes.regions import REGION_NAMES

    assert set(load("programmes", "m49.yaml")["codes"]) == set(REGION_NAMES)
    for language, expected in (("fr", "Afrique de l’Ouest"), ("ar", "غرب أفريقيا"), ("en", "Western Africa")):
        with translation.override(language):
            assert str(REGION_NAMES["Western Africa"]) == expected
