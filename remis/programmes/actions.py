"""Writes on programmes and their partners."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from remis.accounts.models import Organisation
from remis.accounts.permissions import Perm
from remis.accounts.scope import has_perm
from remis.accounts.system import is_system
from remis.audit.actions import created, record
from remis.lib.countries import is_country
from remis.lib.errors import PermissionDenied, ValidationFailed
from remis.programmes.models import MigrantCategory, PartnerRole, Programme, ProgrammePartner


def _require_manage(actor: Any) -> None:
    if not (
        is_system(actor) or getattr(actor, "is_superuser", False) or has_perm(actor, Perm.PROGRAMME_MANAGE)
    ):
        raise PermissionDenied()


def _countries(field: str, codes: Iterable[str]) -> list[str]:
    upper = sorted({c.upper() for c in codes})
    unknown = [c for c in upper if not is_country(c)]
    if unknown:
        raise ValidationFailed(
            _("Unknown country code(s): %(codes)s.") % {"codes": ", ".join(unknown)}, field
        )
    return upper


def create_programme(
    actor: Any,
    *,
    code: str,
    name: str,
    funder: str,
    host_countries: Iterable[str],
    origin_countries: Iterable[str],
    starts_on: dt.date,
    ends_on: dt.date | None = None,
    eligible_categories: Iterable[str] = (),
    currency: str = "EUR",
    grant_per_person: Decimal = Decimal("0"),
    grant_per_family: Decimal = Decimal("0"),
    submission_response_days: int = 10,
) -> Programme:
    _require_manage(actor)
    if ends_on and ends_on < starts_on:
        raise ValidationFailed(_("The end date is before the start date."), "ends_on")
    if Programme.objects.filter(code=code).exists():
        raise ValidationFailed(_("A programme with code “%(code)s” exists.") % {"code": code}, "code")
    hosts = _countries("host_countries", host_countries)
    origins = _countries("origin_countries", origin_countries)
    categories = list(MigrantCategory.objects.filter(code__in=list(eligible_categories)))
    with transaction.atomic():
        programme = Programme.objects.create(
            code=code,
            name=name,
            funder=funder,
            host_countries=hosts,
            origin_countries=origins,
            starts_on=starts_on,
            ends_on=ends_on,
            currency=currency.upper(),
            grant_per_person=grant_per_person,
            grant_per_family=grant_per_family,
            submission_response_days=submission_response_days,
        )
        programme.eligible_categories.set(categories)
        record(
            actor,
            "programme.create",
            programme,
            changes=created(
                programme,
                [
                    "code",
                    "name",
                    "funder",
                    "host_countries",
                    "origin_countries",
                    "starts_on",
                    "ends_on",
                    "currency",
                    "grant_per_person",
                    "grant_per_family",
                    "eligible_categories",
                ],
            ),
        )
    return programme


def add_partner(
    actor: Any, programme: Programme, organisation: Organisation, role: PartnerRole, countries: Iterable[str]
) -> ProgrammePartner:
    _require_manage(actor)
    codes = _countries("countries", countries)
    with transaction.atomic():
        partner = ProgrammePartner.objects.create(
            programme=programme, organisation=organisation, role=role, countries=codes
        )
        record(
            actor,
            "programme.add_partner",
            partner,
            organisation_id=organisation.pk,
            changes=created(partner, ["programme", "organisation", "role", "countries"]),
        )
    return partner
