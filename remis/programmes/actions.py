"""Writes on programmes, their partners, funders and settings, and country groupings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from remis.accounts.models import Organisation
from remis.accounts.permissions import Perm
from remis.accounts.scope import has_perm
from remis.accounts.system import is_system
from remis.audit.actions import created, diff, record, snapshot
from remis.lib.countries import is_country
from remis.lib.errors import PermissionDenied, ValidationFailed
from remis.programmes.models import (
    Grouping,
    GroupingCountry,
    MigrantCategory,
    PartnerRole,
    Programme,
    ProgrammePartner,
    ProgrammeSettings,
)
from remis.programmes.programme_settings import SETTINGS, clean_settings, shipped_settings
from remis.programmes.queries import manages_programme, settings_on
from remis.programmes.regions import m49_table


def _require_manage(actor: Any) -> None:
    if not (
        is_system(actor) or getattr(actor, "is_superuser", False) or has_perm(actor, Perm.PROGRAMME_MANAGE)
    ):
        raise PermissionDenied()


def _require_manage_programme(actor: Any, programme: Programme) -> None:
    """programme.manage, held in an organisation that implements this programme. Who passes
    `_require_manage` without holding it in an organisation (the actor of automated writes)
    passes this too."""
    _require_manage(actor)
    if not is_system(actor) and not manages_programme(actor, programme):
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
    funders: Iterable[Organisation] = (),
    host_countries: Iterable[str],
    origin_countries: Iterable[str],
    starts_on: dt.date,
    ends_on: dt.date | None = None,
    eligible_categories: Iterable[str] = (),
    currency: str | None = None,
    grant_per_person: Decimal | None = None,
    grant_per_family: Decimal | None = None,
    submission_response_days: int | None = None,
    small_cell_threshold: int | None = None,
) -> Programme:
    """A programme and its first settings version, in force from `starts_on`; settings not
    given take the shipped values (defaults/programme_settings.yaml)."""
    _require_manage(actor)
    if ends_on and ends_on < starts_on:
        raise ValidationFailed(_("The end date is before the start date."), "ends_on")
    if Programme.objects.filter(code=code).exists():
        raise ValidationFailed(_("A programme with code “%(code)s” exists.") % {"code": code}, "code")
    hosts = _countries("host_countries", host_countries)
    origins = _countries("origin_countries", origin_countries)
    given = {
        "currency": currency,
        "grant_per_person": grant_per_person,
        "grant_per_family": grant_per_family,
        "submission_response_days": submission_response_days,
        "small_cell_threshold": small_cell_threshold,
    }
    values, errors = clean_settings({k: v for k, v in given.items() if v is not None})
    if errors:
        raise ValidationFailed(errors[0][1], errors[0][0], errors=errors)
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
        )
        programme.eligible_categories.set(categories)
        programme.funders.set(list(funders))
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
                    "eligible_categories",
                    "funders",
                ],
            ),
        )
        _new_version(actor, programme, starts_on, {**shipped_settings(), **values}, note="")
    return programme


def _new_version(
    actor: Any,
    programme: Programme,
    effective_from: dt.date,
    values: dict[str, Any],
    note: str,
    base: ProgrammeSettings | None = None,
) -> ProgrammeSettings:
    """Write a version and its audit entry: the settings that differ from `base` (the
    version in force on that day before), or all of them for a first version."""
    version = ProgrammeSettings.objects.create(
        programme=programme,
        effective_from=effective_from,
        note=note,
        created_by=actor if getattr(actor, "pk", None) else None,
        **values,
    )
    fixed = ["programme", "effective_from", "note"]
    if base is None:
        changes = created(version, [*fixed, *SETTINGS])
    else:
        changes = {**created(version, fixed), **diff(snapshot(base, SETTINGS), snapshot(version, SETTINGS))}
    record(actor, "programme.settings_change", version, changes=changes)
    return version


def change_programme_settings(
    actor: Any,
    programme: Programme,
    effective_from: dt.date,
    values: Mapping[str, Any],
    note: str = "",
) -> ProgrammeSettings:
    """A new version of the programme's settings, in force from `effective_from` until the
    next version's day. Settings not in `values` keep what is in force on that day. Earlier
    versions are kept: records made under them still name them."""
    _require_manage_programme(actor, programme)
    base = settings_on(programme, effective_from)
    cleaned, errors = clean_settings(values)
    if not isinstance(effective_from, dt.date) or isinstance(effective_from, dt.datetime):
        errors.insert(0, ("effective_from", _("Enter a date.")))
    elif effective_from < programme.starts_on:
        errors.insert(
            0, ("effective_from", _("The settings cannot take effect before the programme starts."))
        )
    if len(note.strip()) > 500:
        errors.append(("note", _("Keep the note under 500 characters.")))
    full = {name: cleaned.get(name, getattr(base, name)) for name in SETTINGS}
    if not errors and base.pk is not None and all(full[name] == getattr(base, name) for name in SETTINGS):
        errors.append((None, _("These are already the settings in force on that day.")))
    if errors:
        raise ValidationFailed(errors[0][1], errors[0][0], errors=errors)
    with transaction.atomic():
        return _new_version(
            actor, programme, effective_from, full, note.strip(), base if base.pk is not None else None
        )


def set_programme_funders(actor: Any, programme: Programme, funders: Iterable[Organisation]) -> None:
    """Link the organisations funding the programme; donors' statistics follow these links."""
    _require_manage_programme(actor, programme)
    chosen = sorted({o.pk for o in funders})
    before = sorted(programme.funders.values_list("pk", flat=True))
    if chosen == before:
        return
    with transaction.atomic():
        programme.funders.set(chosen)
        record(actor, "programme.set_funders", programme, changes={"funders": [before, chosen]})


def create_grouping(
    actor: Any, *, code: str, name: str, countries: Iterable[str], scheme: str = "", source: str = ""
) -> Grouping:
    """A named set of countries for reports (e.g. a donor's own regions)."""
    _require_manage(actor)
    errors: list[tuple[str | None, str]] = []
    if Grouping.objects.filter(code=code).exists():
        errors.append(("code", _("A grouping with code “%(code)s” exists.") % {"code": code}))
    if not name.strip():
        errors.append(("name", _("Give the grouping a name.")))
    members = sorted({c.strip().upper() for c in countries})
    unknown = [c for c in members if c not in m49_table()]
    if unknown:
        errors.append(("countries", _("Unknown country code(s): %(codes)s.") % {"codes": ", ".join(unknown)}))
    elif not members:
        errors.append(("countries", _("List at least one country.")))
    if errors:
        raise ValidationFailed(errors[0][1], errors[0][0], errors=errors)
    with transaction.atomic():
        grouping = Grouping.objects.create(code=code, name=name.strip(), scheme=scheme, source=source)
        GroupingCountry.objects.bulk_create([GroupingCountry(grouping=grouping, country=c) for c in members])
        record(
            actor,
            "programme.create_grouping",
            grouping,
            changes={**created(grouping, ["code", "name", "scheme", "source"]), "countries": [None, members]},
        )
    return grouping


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
