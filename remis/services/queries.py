"""Reads of the service map. The map holds no returnee's data, so any member of an
organisation reads all of it; changing it is services.manage in the record's country."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, Q, QuerySet

from remis.accounts.permissions import Perm
from remis.accounts.scope import grants_for, grants_with
from remis.accounts.system import is_system
from remis.lib.countries import country_name, country_name_place, named_countries
from remis.lib.errors import NotFound, PermissionDenied
from remis.lib.text import fold
from remis.services.models import Provider, Sector, Stakeholder


def may_read_map(actor: Any) -> bool:
    return is_system(actor) or getattr(actor, "is_superuser", False) or bool(grants_for(actor))


def require_reader(actor: Any) -> None:
    if not may_read_map(actor):
        raise PermissionDenied()


def may_manage_somewhere(actor: Any) -> bool:
    return (
        is_system(actor)
        or getattr(actor, "is_superuser", False)
        or bool(grants_with(actor, Perm.SERVICES_MANAGE))
    )


def can_manage_country(actor: Any, country: str) -> bool:
    """services.manage held in a membership covering `country` (or covering all)."""
    if is_system(actor) or getattr(actor, "is_superuser", False):
        return True
    return any(g.covers(country) for g in grants_with(actor, Perm.SERVICES_MANAGE))


SORTS: dict[str, list[Any]] = {
    "name": ["name", "id"],
    "-name": ["-name", "-id"],
    "country": ["country", "area_1", "name", "id"],
    "-verified": [F("last_verified_on").desc(nulls_last=True), "name", "id"],
    "verified": [F("last_verified_on").asc(nulls_first=True), "name", "id"],
}
STATUSES = ("active", "inactive", "all")


@dataclass
class ProviderFilters:
    q: str = ""  # name, areas, services, eligibility or languages, accents and case aside
    sector: str = ""  # a sector code
    country: str = ""
    area: str = ""
    language: str = ""
    kind: str = ""
    status: str = "active"
    sort: str = "name"

    def as_params(self) -> dict[str, str]:
        """The filters as query parameters (the GeoJSON and paging links carry them)."""
        defaults = ProviderFilters()
        return {
            name: str(value)
            for name, value in vars(self).items()
            if value and value != getattr(defaults, name)
        }


def filter_providers(actor: Any, filters: ProviderFilters) -> QuerySet[Provider]:
    require_reader(actor)
    rows = Provider.objects.all()
    sectors = [
        (s.pk, fold(" ".join([s.code, s.name, *(s.names or {}).values()]))) for s in Sector.objects.all()
    ]
    for word in fold(filters.q).split():
        # A word may name a sector, in any language the map is read in: "الصحة" (health)
        # found nothing, the sectors being in no provider's own text.
        naming = [pk for pk, names in sectors if word in names]
        rows = (
            rows.filter(Q(search_text__contains=word) | Q(sectors__in=naming))
            if naming
            else rows.filter(search_text__contains=word)
        )
    rows = rows.distinct() if filters.q.strip() else rows
    if filters.sector:
        rows = rows.filter(sectors__code=filters.sector)
    if filters.country:
        rows = rows.filter(country=filters.country.upper())
    # Word by word: the list writes "Kaloum, Conakry" (district first, a comma between),
    # and that text copied into the filter found nothing.
    for word in re.findall(r"\w+", fold(filters.area)):
        rows = rows.filter(area_text__contains=word)
    if filters.language.strip():
        rows = rows.filter(language_text__contains=fold(filters.language))
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    if filters.status == "active":
        rows = rows.filter(active=True)
    elif filters.status == "inactive":
        rows = rows.filter(active=False)
    codes = (
        set(rows.order_by().values_list("country", flat=True).distinct())
        if filters.sort == "country"
        else set()
    )
    place = country_name_place(codes)
    if place is not None:
        # Annotated: a search's DISTINCT takes on PostgreSQL only an order it selects.
        return rows.annotate(country_place=place).order_by("country_place", "area_1", "name", "id")
    return rows.order_by(*SORTS.get(filters.sort, SORTS["name"]))


def countries_in_use(actor: Any, model: str) -> list[str]:
    """The countries providers (`model` "provider") or stakeholders ("stakeholder") are
    mapped in: what a list's country filter offers (every country of the world was)."""
    require_reader(actor)
    rows = Provider.objects.all() if model == "provider" else Stakeholder.objects.all()
    return sorted(set(rows.values_list("country", flat=True)))


def with_sectors(rows: QuerySet[Provider]) -> QuerySet[Provider]:
    return rows.prefetch_related("sectors")


def get_provider_for(actor: Any, provider_uuid: uuid.UUID | str) -> Provider:
    require_reader(actor)
    try:
        return Provider.objects.select_related("organisation").get(uuid=provider_uuid)
    except (Provider.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def get_stakeholder_for(actor: Any, stakeholder_id: int) -> Stakeholder:
    require_reader(actor)
    stakeholder = Stakeholder.objects.filter(pk=stakeholder_id).first()
    if stakeholder is None:
        raise NotFound()
    return stakeholder


@dataclass
class StakeholderFilters:
    q: str = ""  # words found in the name, capacity, interest or notes
    country: str = ""
    kind: str = ""
    status: str = ""  # a partnership status

    def as_params(self) -> dict[str, str]:
        return {name: str(value) for name, value in vars(self).items() if value}


def stakeholders(actor: Any, filters: StakeholderFilters | None = None) -> QuerySet[Stakeholder]:
    require_reader(actor)
    filters = filters or StakeholderFilters()
    rows = Stakeholder.objects.all()
    # A country's stakeholders are tens, the whole map a few thousand: a plain scan is enough.
    for word in filters.q.split():
        rows = rows.filter(
            Q(name__icontains=word)
            | Q(capacity__icontains=word)
            | Q(interest__icontains=word)
            | Q(notes__icontains=word)
        )
    if filters.country:
        rows = rows.filter(country=filters.country.upper())
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    if filters.status:
        rows = rows.filter(partnership_status=filters.status)
    return rows.order_by("name", "id")


def sectors() -> list[Sector]:
    return list(Sector.objects.filter(active=True))


def countries_on_the_map(actor: Any) -> list[tuple[str, str, int]]:
    """(code, name, active providers) of every country where a provider is active."""
    require_reader(actor)
    counts = dict(
        Provider.objects.filter(active=True).values_list("country").annotate(n=Count("id")).order_by()
    )
    return [(code, name, counts[code]) for code, name in named_countries(set(counts))]


# ---- the country information sheet ----------------------------------------------------------


@dataclass
class SheetArea:
    name: str
    providers: list[Provider]


@dataclass
class SheetSector:
    sector: Sector
    areas: list[SheetArea] = field(default_factory=list)


@dataclass
class Sheet:
    country: str
    country_name: str
    sectors: list[SheetSector]
    provider_count: int


def information_sheet(actor: Any, country: str) -> Sheet:
    """What a counsellor in a host country tells a person about to return: the active
    providers of the country, by sector then area, each with its terms and the date it was
    last verified. Inactive providers are left out."""
    require_reader(actor)
    code = country.upper()
    providers = list(
        Provider.objects.filter(country=code, active=True)
        .prefetch_related("sectors")
        .order_by("area_1", "area_2", "name", "id")
    )
    by_sector: dict[int, SheetSector] = {}
    for sector in Sector.objects.all():
        by_sector[sector.pk] = SheetSector(sector)
    for provider in providers:
        for sector in provider.sectors.all():
            entry = by_sector[sector.pk]
            area = provider.area_1 or ""
            if not entry.areas or entry.areas[-1].name != area:
                entry.areas.append(SheetArea(area, []))
            entry.areas[-1].providers.append(provider)
    return Sheet(
        country=code,
        country_name=country_name(code),
        sectors=[entry for entry in by_sector.values() if entry.areas],
        provider_count=len(providers),
    )


# ---- GeoJSON --------------------------------------------------------------------------------


def geojson(providers: Iterable[Provider]) -> dict[str, Any]:
    """A GeoJSON FeatureCollection (RFC 7946: [longitude, latitude]) of the providers that
    have coordinates; `providers` should have their sectors prefetched."""
    features = []
    for provider in providers:
        if not provider.has_coordinates:
            continue
        features.append(
            {
                "type": "Feature",
                "id": str(provider.uuid),
                "geometry": {
                    "type": "Point",
                    "coordinates": [float(provider.longitude or 0), float(provider.latitude or 0)],
                },
                "properties": {
                    "name": provider.name,
                    "kind": provider.kind,
                    "sectors": [s.code for s in provider.sectors.all()],
                    "country": provider.country,
                    # The same whatever the reader's language (GIS joins and filters on it):
                    # the area_label's separator was the Arabic comma for an Arabic reader.
                    "area": ", ".join(part for part in (provider.area_2, provider.area_1) if part),
                    "area_1": provider.area_1,
                    "area_2": provider.area_2,
                    "active": provider.active,
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def with_coordinates(rows: QuerySet[Provider]) -> QuerySet[Provider]:
    return rows.filter(~Q(latitude=None), ~Q(longitude=None))
