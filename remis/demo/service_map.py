"""The demo's service map (defaults/service_map.yaml): providers with their quality history
and stakeholders in several countries of origin, written through the services actions as
the system actor. Skipped when the map already has providers (a second load adds nothing)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from remis.accounts.models import Organisation
from remis.accounts.system import system_actor
from remis.lib.defaults import load
from remis.services import actions
from remis.services.models import Provider


def _provider_values(row: dict[str, Any], today: dt.date) -> dict[str, Any]:
    values = {k: v for k, v in row.items() if k not in ("organisation", "coordinates", "quality")}
    values.pop("verified_days_ago", None)
    if "coordinates" in row:
        values["latitude"], values["longitude"] = (str(c) for c in row["coordinates"])
    if "verified_days_ago" in row:
        values["last_verified_on"] = today - dt.timedelta(days=int(row["verified_days_ago"]))
    if "organisation" in row:
        organisation = Organisation.objects.filter(name=row["organisation"]).first()
        values["organisation"] = organisation.pk if organisation else None
    return values


def build_service_map() -> int:
    """Returns how many providers it added."""
    if Provider.objects.exists():
        return 0
    spec = load("demo", "service_map.yaml")
    actor = system_actor()
    today = timezone.localdate()
    for row in spec["providers"]:
        provider = actions.create_provider(actor, _provider_values(row, today))
        for days_ago, score, notes in row.get("quality", []):
            actions.record_quality_assessment(
                actor, provider, assessed_on=today - dt.timedelta(days=days_ago), score=score, notes=notes
            )
    for row in spec["stakeholders"]:
        actions.create_stakeholder(actor, row)
    return len(spec["providers"])
