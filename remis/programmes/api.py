"""Programme endpoints under /api/v1: programmes and their partners, the settings in force
on a day, every version and new versions; and the shared configuration under /platform.
The same queries and actions as the pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from remis.accounts.models import Organisation
from remis.accounts.permissions import SensitiveGroup
from remis.lib.api_schema import CountryFilter, InputSchema, RecordId, literal_of
from remis.lib.errors import ValidationFailed
from remis.lib.paging import COUNT_CAP
from remis.programmes import actions
from remis.programmes.actions import change_programme_settings
from remis.programmes.models import PartnerRole, Programme, ProgrammePartner, ProgrammeSettings
from remis.programmes.queries import (
    CONFIGURATION_KINDS,
    configuration_items,
    get_configuration_item_for,
    get_partner_for,
    get_programme_for,
    partners_of,
    search_programmes,
    settings_history,
    settings_on,
)

router = Router(tags=["programmes"])


class SettingsOut(Schema):
    id: int | None = Field(description="the version's id; records made under it name it")
    programme: str
    effective_from: dt.date
    submission_response_days: int
    currency: str = Field(description="ISO 4217 code of the grants")
    grant_per_person: Decimal
    grant_per_family: Decimal
    small_cell_threshold: int
    retention_years: int = Field(description="years a closed case is kept whole, then anonymised; 0: kept")
    note: str
    created_by: str | None
    created_at: dt.datetime | None

    @staticmethod
    def resolve_programme(obj: ProgrammeSettings) -> str:
        return obj.programme.code

    @staticmethod
    def resolve_created_by(obj: ProgrammeSettings) -> str | None:
        return obj.created_by.username if obj.created_by else None

    @staticmethod
    def resolve_created_at(obj: ProgrammeSettings) -> dt.datetime | None:
        return obj.created_at if obj.pk else None


class SettingsOnParams(InputSchema):
    on: dt.date | None = Field(None, description="the day (default: today)")


class SettingsChangeIn(InputSchema):
    """A new version from `effective_from`; settings left out keep the values in force that day."""

    effective_from: dt.date
    note: str = Field("", max_length=500)
    submission_response_days: int | None = None
    currency: str | None = Field(None, max_length=3)
    grant_per_person: Decimal | None = None
    grant_per_family: Decimal | None = None
    small_cell_threshold: int | None = None
    retention_years: int | None = None
    seen_latest: int | None = Field(
        None,
        ge=0,
        le=2**63 - 1,
        description="the id of the newest version you read (0: none); a version recorded since is a 409",
    )


@router.get("/{code}/settings", response=SettingsOut, summary="The programme's settings in force on a day")
def read_settings(request: HttpRequest, code: str, params: Query[SettingsOnParams]) -> ProgrammeSettings:
    programme = get_programme_for(request.user, code)
    return settings_on(programme, params.on or timezone.localdate())


@router.get("/{code}/settings/versions", response=list[SettingsOut], summary="Every version, latest first")
def list_settings_versions(request: HttpRequest, code: str) -> list[ProgrammeSettings]:
    return settings_history(get_programme_for(request.user, code))


@router.post("/{code}/settings", response={201: SettingsOut}, summary="Change settings from a day on")
def change_settings(request: HttpRequest, code: str, body: SettingsChangeIn) -> Any:
    programme = get_programme_for(request.user, code)
    values = body.dict(exclude={"effective_from", "note", "seen_latest"}, exclude_none=True)
    version = change_programme_settings(
        request.user, programme, body.effective_from, values, note=body.note, seen_latest=body.seen_latest
    )
    return Status(201, version)


# ---- programmes and partners ------------------------------------------------------------


class PartnerOut(Schema):
    id: int
    organisation_id: int
    organisation: str
    role: literal_of(PartnerRole)  # type: ignore[valid-type]
    countries: list[str] = Field(description="ISO 3166-1 alpha-2 codes (XK: Kosovo)")

    @staticmethod
    def resolve_organisation(obj: ProgrammePartner) -> str:
        return obj.organisation.name


class ProgrammeOut(Schema):
    id: int = Field(description="the number the reports' and indicators' `programme` filters take")
    code: str
    name: str
    funder: str = Field(description="the funder as written, shown when no funder organisation is linked")
    funder_ids: list[int] = Field(description="ids of the donor organisations funding it")
    host_countries: list[str]
    origin_countries: list[str]
    starts_on: dt.date
    ends_on: dt.date | None
    eligible_categories: list[str] = Field(description="codes of migrant categories")
    active: bool
    version: int = Field(description="send it back with a change; a newer one on the server: 409")
    partners: list[PartnerOut]

    @staticmethod
    def resolve_funder_ids(obj: Programme) -> list[int]:
        return sorted(o.pk for o in obj.funders.all())

    @staticmethod
    def resolve_eligible_categories(obj: Programme) -> list[str]:
        return sorted(c.code for c in obj.eligible_categories.all())

    @staticmethod
    def resolve_partners(obj: Programme) -> list[ProgrammePartner]:
        return partners_of(obj)


class ProgrammePage(Schema):
    items: list[ProgrammeOut]
    count: int = Field(description=f"programmes matching, counted up to {COUNT_CAP + 1}")
    count_capped: bool
    limit: int
    offset: int


class ProgrammeListParams(InputSchema):  # a NUL in `q` reached PostgreSQL: 500
    q: str = Field("", max_length=100, description="in the code or name")
    status: Literal["active", "inactive", ""] = Field("active", description='"" for both')
    country: CountryFilter = Field("", description="among the host countries or countries of origin")
    sort: Literal["name", "code", "starts_on", "ends_on"] = "name"
    limit: int = Field(25, ge=1, le=200)
    offset: int = Field(0, ge=0, le=100_000)


class ProgrammeFields(InputSchema):
    name: str = Field(max_length=200)
    funder: str = Field("", max_length=200)
    funder_ids: list[RecordId] = Field(default_factory=list, description="donor organisations")
    host_countries: list[str]
    origin_countries: list[str]
    starts_on: dt.date
    ends_on: dt.date | None = None
    eligible_categories: list[str] = Field(default_factory=list)


class ProgrammeIn(ProgrammeFields):
    code: str = Field(max_length=32, pattern=r"^[-a-zA-Z0-9_]+$")
    organisation_id: RecordId | None = Field(
        None,
        description="the organisation running it (one where you manage programmes); it becomes a partner",
    )
    partner_role: literal_of(PartnerRole) = PartnerRole.IMPLEMENTING  # type: ignore[valid-type]


class ProgrammePatch(InputSchema):
    """Fields left out keep their value."""

    version: int
    name: str | None = Field(None, max_length=200)
    funder: str | None = Field(None, max_length=200)
    funder_ids: list[RecordId] | None = None
    host_countries: list[str] | None = None
    origin_countries: list[str] | None = None
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    eligible_categories: list[str] | None = None
    active: bool | None = None


class PartnerIn(InputSchema):
    organisation_id: RecordId
    role: literal_of(PartnerRole)  # type: ignore[valid-type]
    countries: list[str]
    version: int = Field(description="the programme's version")


class PartnerPatch(InputSchema):
    countries: list[str]
    version: int = Field(description="the programme's version")


class VersionParams(InputSchema):
    version: int = Field(description="the programme's version")


def _organisations(field: str, ids: list[int]) -> list[Organisation]:
    found = list(Organisation.objects.filter(pk__in=ids))
    if len(found) != len(set(ids)):
        missing = sorted(set(ids) - {o.pk for o in found})
        raise ValidationFailed(
            _("Unknown organisation(s): %(ids)s.") % {"ids": ", ".join(map(str, missing))}, field
        )
    return found


@router.get("", response=ProgrammePage, summary="List the programmes your organisations run or fund")
def list_programmes(request: HttpRequest, params: Query[ProgrammeListParams]) -> dict[str, Any]:
    programmes = search_programmes(
        request.user, q=params.q, status=params.status, country=params.country, sort=params.sort
    )
    count = programmes[: COUNT_CAP + 1].count()
    return {
        "items": list(programmes[params.offset : params.offset + params.limit]),
        "count": count,
        "count_capped": count > COUNT_CAP,
        "limit": params.limit,
        "offset": params.offset,
    }


@router.post("", response={201: ProgrammeOut}, summary="Create a programme run by one of your organisations")
def create(request: HttpRequest, body: ProgrammeIn) -> Any:
    runner = _organisations("organisation_id", [body.organisation_id])[0] if body.organisation_id else None
    programme = actions.create_programme(
        request.user,
        code=body.code,
        name=body.name,
        funder=body.funder,
        funders=_organisations("funder_ids", body.funder_ids),
        host_countries=body.host_countries,
        origin_countries=body.origin_countries,
        starts_on=body.starts_on,
        ends_on=body.ends_on,
        eligible_categories=body.eligible_categories,
        organisation=runner,
        partner_role=body.partner_role,
    )
    return Status(201, programme)


@router.get("/{code}", response=ProgrammeOut, summary="One programme, with its partners")
def read(request: HttpRequest, code: str) -> Programme:
    return get_programme_for(request.user, code)


@router.patch("/{code}", response=ProgrammeOut, summary="Change a programme you manage (send its version)")
def change(request: HttpRequest, code: str, body: ProgrammePatch) -> Programme:
    programme = get_programme_for(request.user, code)
    given = body.dict(exclude_unset=True)
    fields = set(given) - {"version", "active"}
    # Nothing to change still checks the right and the version, as a case's PATCH does: a
    # stale or made-up version answered 200.
    if fields or body.active is None:
        current = {
            "name": programme.name,
            "funder": programme.funder,
            "funders": list(programme.funders.all()),
            "host_countries": programme.host_countries,
            "origin_countries": programme.origin_countries,
            "starts_on": programme.starts_on,
            "ends_on": programme.ends_on,
            "eligible_categories": list(programme.eligible_categories.values_list("code", flat=True)),
        }
        for name in fields:
            if name == "funder_ids":
                current["funders"] = _organisations("funder_ids", given[name] or [])
            elif given[name] is not None or name == "ends_on":
                current[name] = given[name]
        actions.update_programme(request.user, programme, expected_version=body.version, **current)
    if body.active is not None:
        actions.set_programme_active(
            request.user,
            programme,
            body.active,
            expected_version=programme.version if fields else body.version,
        )
    return get_programme_for(request.user, code)


@router.post("/{code}/partners", response={201: PartnerOut}, summary="Add a partner organisation in a role")
def create_partner(request: HttpRequest, code: str, body: PartnerIn) -> Any:
    programme = get_programme_for(request.user, code)
    organisation = _organisations("organisation_id", [body.organisation_id])[0]
    partner = actions.add_partner(
        request.user, programme, organisation, body.role, body.countries, expected_version=body.version
    )
    return Status(201, partner)


@router.patch("/{code}/partners/{partner_id}", response=PartnerOut, summary="Change a partner's countries")
def change_partner(request: HttpRequest, code: str, partner_id: int, body: PartnerPatch) -> ProgrammePartner:
    programme = get_programme_for(request.user, code)
    partner = get_partner_for(request.user, programme, partner_id)
    return actions.change_partner_countries(
        request.user, partner, body.countries, expected_version=body.version
    )


@router.delete(
    "/{code}/partners/{partner_id}",
    response={204: None},
    summary="Remove a partner (refused while cases are shared with it, or if none would manage it)",
)
def delete_partner(request: HttpRequest, code: str, partner_id: int, params: Query[VersionParams]) -> Any:
    programme = get_programme_for(request.user, code)
    partner = get_partner_for(request.user, programme, partner_id)
    actions.remove_partner(request.user, partner, expected_version=params.version)
    return Status(204, None)


# ---- shared configuration (/platform) ----------------------------------------------------

platform_router = Router(tags=["shared configuration"])
Kind = Literal["categories", "vulnerabilities"]


class ListItemOut(Schema):
    code: str
    name: str = Field(description="in English")
    names: dict[str, str] = Field(description='translations by language code: {"fr": …, "ar": …}')
    sensitive_group: literal_of([g.value for g in SensitiveGroup], blank=True)  # type: ignore[valid-type]
    active: bool = Field(description="false: retired, no longer offered")
    position: int


class ItemListParams(InputSchema):
    q: str = Field("", max_length=100, description="in the code or any name")
    status: Literal["active", "retired", ""] = ""


class ListItemIn(InputSchema):
    code: str = Field(max_length=64, pattern=r"^[-a-zA-Z0-9_]+$")
    name: str = Field(max_length=120)
    names: dict[Literal["fr", "ar"], str] = Field(default_factory=dict)
    sensitive_group: literal_of([g.value for g in SensitiveGroup], blank=True) = ""  # type: ignore[valid-type]


class ItemPatch(InputSchema):
    """Fields left out keep their value; `move` shifts it one place up or down the list."""

    name: str | None = Field(None, max_length=120)
    names: dict[Literal["fr", "ar"], str] | None = None
    sensitive_group: literal_of([g.value for g in SensitiveGroup], blank=True) | None = None  # type: ignore[valid-type]
    active: bool | None = None
    move: Literal["up", "down"] | None = None


@platform_router.get(
    "/{kind}", response=list[ListItemOut], summary="Migrant categories or vulnerabilities, in order"
)
def list_items(request: HttpRequest, kind: Kind, params: Query[ItemListParams]) -> Any:
    return list(configuration_items(request.user, kind, q=params.q, status=params.status))


@platform_router.post("/{kind}", response={201: ListItemOut}, summary="Add an item at the end of the list")
def create_item(request: HttpRequest, kind: Kind, body: ListItemIn) -> Any:
    configuration_items(request.user, kind)  # the permission and kind, before anything else
    item = actions.create_configuration_item(
        request.user,
        CONFIGURATION_KINDS[kind],
        code=body.code,
        name=body.name,
        names={str(k): v for k, v in body.names.items()},
        sensitive_group=body.sensitive_group,
    )
    return Status(201, item)


@platform_router.patch(
    "/{kind}/{code}", response=ListItemOut, summary="Rename, translate, regroup, retire or move"
)
def change_item(request: HttpRequest, kind: Kind, code: str, body: ItemPatch) -> Any:
    item = get_configuration_item_for(request.user, kind, code)
    given = body.dict(exclude_unset=True)
    if {"name", "names", "sensitive_group"} & set(given):
        names: dict[str, str] = dict(item.names or {})
        if body.names is not None:
            names = {str(k): v for k, v in body.names.items()}
        actions.update_configuration_item(
            request.user,
            item,
            name=body.name if body.name is not None else item.name,
            names=names,
            sensitive_group=body.sensitive_group
            if body.sensitive_group is not None
            else item.sensitive_group,
        )
    if body.active is not None:
        actions.set_configuration_item_active(request.user, item, body.active)
    if body.move is not None:
        actions.move_configuration_item(request.user, item, -1 if body.move == "up" else 1)
    return get_configuration_item_for(request.user, kind, code)
