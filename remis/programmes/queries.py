"""Reads on programmes: which partner organisations act where."""

from __future__ import annotations

from django.db.models import QuerySet

from remis.accounts.models import Organisation
from remis.programmes.models import PartnerRole, Programme


def partners_in(programme: Programme, role: PartnerRole, country: str) -> QuerySet[Organisation]:
    """Organisations acting for `programme` in `role` in `country` (no country list: all)."""
    ids = [
        p.organisation_id
        for p in programme.partners.filter(role=role)
        if not p.countries or country in p.countries
    ]
    return Organisation.objects.filter(pk__in=ids, active=True)


def programme_countries() -> tuple[list[str], list[str]]:
    """The host countries and countries of origin covered by active programmes."""
    hosts: set[str] = set()
    origins: set[str] = set()
    for host_list, origin_list in Programme.objects.filter(active=True).values_list(
        "host_countries", "origin_countries"
    ):
        hosts.update(host_list)
        origins.update(origin_list)
    return sorted(hosts), sorted(origins)


def programmes_covering(countries: frozenset[str] | None, *, side: str) -> QuerySet[Programme]:
    """Active programmes covering any of `countries` (None: any country) on `side`
    ("host" or "origin"); a programme with no list of countries covers them all."""
    programmes = Programme.objects.filter(active=True)
    if countries is None:
        return programmes
    column = "host_countries" if side == "host" else "origin_countries"
    ids = [
        pk for pk, covered in programmes.values_list("pk", column) if not covered or set(covered) & countries
    ]
    return programmes.filter(pk__in=ids)
