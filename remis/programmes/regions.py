"""The UN M49 regions of countries, from the shipped table (defaults/m49.yaml).

The table is a UN standard, not something a deployment edits, so it is read from the file
(once per process) rather than kept in a table; groupings a deployment defines itself are
rows (models.Grouping)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from remis.lib.defaults import load


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
