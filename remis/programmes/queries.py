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


def programmes_for_registration(country: str) -> QuerySet[Programme]:
    return Programme.objects.filter(active=True).order_by("name")
