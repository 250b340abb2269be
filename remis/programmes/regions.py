"""The UN M49 regions of countries, from the shipped table (defaults/m49.yaml).

The table is a UN standard, not something a deployment edits, so it is read from the file
(once per process) rather than kept in a table; groupings a deployment defines itself are
rows (models.Grouping)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from django.utils.translation import pgettext_lazy

from remis.lib.defaults import load

# The names of the M49 regions in the page's language (the UN publishes them in its six
# languages), by their English name, which is the key the statistics group by.
REGION_NAMES = {
    "Africa": pgettext_lazy("UN M49 region", "Africa"),
    "Americas": pgettext_lazy("UN M49 region", "Americas"),
    "Asia": pgettext_lazy("UN M49 region", "Asia"),
    "Europe": pgettext_lazy("UN M49 region", "Europe"),
    "Oceania": pgettext_lazy("UN M49 region", "Oceania"),
    "Northern Africa": pgettext_lazy("UN M49 region", "Northern Africa"),
    "Sub-Saharan Africa": pgettext_lazy("UN M49 region", "Sub-Saharan Africa"),
    "Eastern Africa": pgettext_lazy("UN M49 region", "Eastern Africa"),
    "Middle Africa": pgettext_lazy("UN M49 region", "Middle Africa"),
    "Southern Africa": pgettext_lazy("UN M49 region", "Southern Africa"),
    "Western Africa": pgettext_lazy("UN M49 region", "Western Africa"),
    "Latin America and the Caribbean": pgettext_lazy("UN M49 region", "Latin America and the Caribbean"),
    "Caribbean": pgettext_lazy("UN M49 region", "Caribbean"),
    "Central America": pgettext_lazy("UN M49 region", "Central America"),
    "South America": pgettext_lazy("UN M49 region", "South America"),
    "Northern America": pgettext_lazy("UN M49 region", "Northern America"),
    "Central Asia": pgettext_lazy("UN M49 region", "Central Asia"),
    "Eastern Asia": pgettext_lazy("UN M49 region", "Eastern Asia"),
    "South-eastern Asia": pgettext_lazy("UN M49 region", "South-eastern Asia"),
    "Southern Asia": pgettext_lazy("UN M49 region", "Southern Asia"),
    "Western Asia": pgettext_lazy("UN M49 region", "Western Asia"),
    "Eastern Europe": pgettext_lazy("UN M49 region", "Eastern Europe"),
    "Northern Europe": pgettext_lazy("UN M49 region", "Northern Europe"),
    "Channel Islands": pgettext_lazy("UN M49 region", "Channel Islands"),
    "Southern Europe": pgettext_lazy("UN M49 region", "Southern Europe"),
    "Western Europe": pgettext_lazy("UN M49 region", "Western Europe"),
    "Australia and New Zealand": pgettext_lazy("UN M49 region", "Australia and New Zealand"),
    "Melanesia": pgettext_lazy("UN M49 region", "Melanesia"),
    "Micronesia": pgettext_lazy("UN M49 region", "Micronesia"),
    "Polynesia": pgettext_lazy("UN M49 region", "Polynesia"),
}


@dataclass(frozen=True)
class M49Region:
    region: str  # Africa, Americas, Asia, Europe, Oceania ("" for Antarctica)
    sub_region: str  # e.g. Western Africa, Northern Africa, Southern Europe
    intermediate_region: str  # e.g. Western Africa within Sub-Saharan Africa; "" when none
    region_code: str  # M49 numeric codes of each level ("" when none)
    sub_region_code: str
    intermediate_region_code: str


@cache
def m49_table() -> dict[str, M49Region]:
    """Alpha-2 code -> its M49 region. Raises if the file lists a country twice."""
    data = load("programmes", "m49.yaml")
    codes: dict[str, str] = data["codes"]
    table: dict[str, M49Region] = {}
    for area in data["areas"]:
        region = M49Region(
            region=area["region"],
            sub_region=area["sub_region"],
            intermediate_region=area.get("intermediate_region", ""),
            region_code=codes.get(area["region"], ""),
            sub_region_code=codes.get(area["sub_region"], ""),
            intermediate_region_code=codes.get(area.get("intermediate_region", ""), ""),
        )
        for country in area["countries"]:
            if country in table:
                raise ValueError(f"m49.yaml lists {country} twice")
            table[country] = region
    return table
