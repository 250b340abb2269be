"""Loading the shipped sectors (defaults/sectors.yaml). Takes the model as an argument so the
data migration can pass its historical model."""

from __future__ import annotations

from typing import Any

from remis.lib.defaults import load


def seed_sectors(sector_model: Any) -> list[str]:
    """Add the shipped sectors that are missing, by code; a sector that exists is the
    deployment's to rename or retire and is left as it is."""
    added = []
    for position, row in enumerate(load("services", "sectors.yaml")):
        if sector_model.objects.filter(code=row["code"]).exists():
            continue
        sector_model.objects.create(
            code=row["code"], name=row["name"], names=row.get("names", {}), position=position
        )
        added.append(row["code"])
    return added
