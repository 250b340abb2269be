"""Service map endpoints under /api/v1/services: providers (search, read, create, update),
their quality assessments, stakeholders, sectors and the GeoJSON export. The same actions
and queries as the pages; a stale `version` is a 409."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from remis.lib.api_schema import CountryFilter, InputSchema, literal_of, page_out
from remis.lib.countries import is_country
from remis.lib.errors import ValidationFailed, fields_renamed
from remis.lib.paging import COUNT_CAP
from remis.services import actions
from remis.services.models import (
    PartnershipStatus,
    Provider,
    ProviderKind,
    QualityAssessment,
    Sector,
    Stakeholder,
    StakeholderKind,
)
from remis.services.queries import (
    SORTS,
    STATUSES,
    ProviderFilters,
    StakeholderFilters,
    filter_providers,
    geojson,
    get_provider_for,
    get_stakeholder_for,
    require_reader,
    sectors,
    stakeholders,
    with_coordinates,
    with_sectors,
)

router = Router(tags=["services"])

KindCode = literal_of(ProviderKind)
StakeholderKindCode = literal_of(StakeholderKind)
PartnershipCode = literal_of(PartnershipStatus)
SortCode = literal_of(list(SORTS))
StatusCode = literal_of(list(STATUSES))
MAX_OFFSET = 100_000


class SectorOut(Schema):
    code: str
    name: str = Field(description="in the language asked for (Accept-Language)")

    @staticmethod
    def resolve_name(obj: Sector) -> str:
        return obj.label


class ProviderOut(Schema):
    uuid: uuid.UUID
    name: str
    kind: KindCode  # type: ignore[valid-type]
    sectors: list[str] = Field(description="sector codes")
    services: str
    country: str = Field(description="ISO 3166-1 alpha-2")
    area_1: str
    area_2: str
    address: str
    latitude: Decimal | None
    longitude: Decimal | None
    eligibility: str
    documents_required: str
    cost: str
    distance: str
    safety: str
    capacity: str
    languages: str
    contact_person: str
    phone: str
    email: str
    opening_hours: str
    active: bool
    last_verified_on: dt.date | None
    organisation_id: int | None
    version: int

    @staticmethod
    def resolve_sectors(obj: Provider) -> list[str]:
        return [s.code for s in obj.sectors.all()]


class ProviderPage(Schema):
    items: list[ProviderOut]
    count: int = Field(description=f"matching providers, counted up to {COUNT_CAP + 1}")
    count_capped: bool
    limit: int
    offset: int


class ProviderParams(InputSchema):
    q: str = Field("", max_length=200, description="name, areas, services, eligibility or languages")
    sector: str = Field("", description="a sector code")
    country: CountryFilter = Field("", description="ISO 3166 alpha-2 code")
    area: str = Field("", max_length=120)
    language: str = Field("", max_length=60)
    kind: KindCode | None = None  # type: ignore[valid-type]
    status: StatusCode = "active"  # type: ignore[valid-type]
    sort: SortCode = "name"  # type: ignore[valid-type]
    limit: int = Field(25, ge=1, le=200)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)

    def filters(self) -> ProviderFilters:
        if self.sector and not Sector.objects.filter(code=self.sector).exists():
            raise ValidationFailed(_("Unknown sector code “%(code)s”.") % {"code": self.sector}, "sector")
        return ProviderFilters(
            q=self.q,
            sector=self.sector,
            country=self.country,
            area=self.area,
            language=self.language,
            kind=self.kind or "",
            status=self.status,
            sort=self.sort,
        )


class ProviderIn(InputSchema):
    """A provider. Coordinates are decimal degrees (both or neither); the domain checks
    ranges, the country code and the sectors, naming each field at fault."""

    name: str = Field(max_length=200)
    kind: str
    sectors: list[str] = Field(description="sector codes (GET /services/sectors)")
    services: str = ""
    country: str = Field(max_length=2)
    area_1: str = ""
    area_2: str = ""
    address: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    eligibility: str = ""
    documents_required: str = ""
    cost: str = ""
    distance: str = ""
    safety: str = ""
    capacity: str = ""
    languages: str = ""
    contact_person: str = ""
    phone: str = ""
    email: str = ""
    opening_hours: str = ""
    active: bool = True
    last_verified_on: dt.date | None = None
    organisation_id: int | None = Field(None, description="a service-provider organisation in REMIS")

    def values(self) -> dict[str, Any]:
        data = self.dict(exclude={"organisation_id"}, exclude_unset=True)
        if "organisation_id" in self.model_fields_set:
            data["organisation"] = self.organisation_id
        return data


class ProviderPatch(ProviderIn):
    """Only the fields sent change; `version` is the one you read."""

    name: str = Field("", max_length=200)
    kind: str = ""
    sectors: list[str] = Field(default_factory=list)
    country: str = Field("", max_length=2)
    version: int = Field(description="the provider version you read")

    def values(self) -> dict[str, Any]:
        data = super().values()
        data.pop("version", None)
        return data


class QualityIn(InputSchema):
    assessed_on: dt.date
    score: int = Field(description="1 (very poor) to 5 (excellent)")
    notes: str = Field("", max_length=5000)


class QualityOut(Schema):
    id: int
    assessed_on: dt.date
    score: int
    notes: str
    recorded_by: str | None
    recorded_at: dt.datetime

    @staticmethod
    def resolve_recorded_by(obj: QualityAssessment) -> str | None:
        return obj.recorded_by.username if obj.recorded_by else None


class StakeholderIn(InputSchema):
    name: str = Field(max_length=200)
    kind: str
    country: str = Field(max_length=2)
    capacity: str = ""
    interest: str = ""
    partnership_status: str = "none"
    notes: str = ""


class StakeholderPatch(StakeholderIn):
    name: str = Field("", max_length=200)
    kind: str = ""
    country: str = Field("", max_length=2)
    version: int = Field(description="the stakeholder version you read")


class StakeholderOut(Schema):
    id: int
    name: str
    kind: StakeholderKindCode  # type: ignore[valid-type]
    country: str
    capacity: str
    interest: str
    partnership_status: PartnershipCode  # type: ignore[valid-type]
    notes: str
    version: int


class StakeholderParams(InputSchema):
    q: str = Field("", max_length=200, description="Words found in the name, capacity, interest or notes")
    country: str = Field("", description="ISO 3166 alpha-2 code")
    kind: StakeholderKindCode | None = None  # type: ignore[valid-type]
    partnership_status: PartnershipCode | None = None  # type: ignore[valid-type]
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


class StakeholderPage(Schema):
    items: list[StakeholderOut]
    count: int = Field(description=f"counted up to {COUNT_CAP + 1}")
    count_capped: bool
    limit: int
    offset: int


# ---- endpoints -----------------------------------------------------------------------------


@router.get("/sectors", response=list[SectorOut], summary="The sectors services are offered in")
def list_sectors(request: HttpRequest) -> list[Sector]:
    require_reader(request.user)
    return sectors()


@router.get("/providers", response=ProviderPage, summary="Search providers (filters, sort, pagination)")
def list_providers(request: HttpRequest, params: Query[ProviderParams]) -> dict[str, Any]:
    rows = filter_providers(request.user, params.filters())
    count = rows[: COUNT_CAP + 1].count()
    return {
        "items": list(with_sectors(rows)[params.offset : params.offset + params.limit]),
        "count": count,
        "count_capped": count > COUNT_CAP,
        "limit": params.limit,
        "offset": params.offset,
    }


@router.get(
    "/providers/geojson",
    response=dict[str, Any],
    summary="The matching providers with coordinates, as a GeoJSON FeatureCollection",
)
def providers_geojson(request: HttpRequest, params: Query[ProviderParams]) -> dict[str, Any]:
    rows = with_sectors(with_coordinates(filter_providers(request.user, params.filters())))
    return geojson(rows)  # every match: a map layer is not paged


@router.post("/providers", response={201: ProviderOut}, summary="Add a provider to the map")
def create_provider(request: HttpRequest, body: ProviderIn) -> Any:
    with fields_renamed({"organisation": "organisation_id"}):  # the body's name for it
        provider = actions.create_provider(request.user, body.values())
    return Status(201, get_provider_for(request.user, provider.uuid))


@router.get("/providers/{provider_uuid}", response=ProviderOut)
def read_provider(request: HttpRequest, provider_uuid: uuid.UUID) -> Provider:
    return get_provider_for(request.user, provider_uuid)


@router.patch("/providers/{provider_uuid}", response=ProviderOut, summary="Change a provider (versioned)")
def update_provider(request: HttpRequest, provider_uuid: uuid.UUID, body: ProviderPatch) -> Provider:
    provider = get_provider_for(request.user, provider_uuid)
    with fields_renamed({"organisation": "organisation_id"}):
        actions.update_provider(request.user, provider, body.values(), body.version)
    return get_provider_for(request.user, provider_uuid)


@router.get("/providers/{provider_uuid}/quality", response=list[QualityOut], summary="Quality history")
def list_quality(request: HttpRequest, provider_uuid: uuid.UUID) -> Any:
    provider = get_provider_for(request.user, provider_uuid)
    return list(provider.quality.select_related("recorded_by"))


@router.post(
    "/providers/{provider_uuid}/quality", response={201: QualityOut}, summary="Record a quality score"
)
def record_quality(request: HttpRequest, provider_uuid: uuid.UUID, body: QualityIn) -> Any:
    provider = get_provider_for(request.user, provider_uuid)
    assessment = actions.record_quality_assessment(
        request.user, provider, assessed_on=body.assessed_on, score=body.score, notes=body.notes
    )
    return Status(201, assessment)


@router.get("/stakeholders", response=StakeholderPage, summary="Stakeholders that are not providers")
def list_stakeholders(request: HttpRequest, params: Query[StakeholderParams]) -> dict[str, Any]:
    if params.country and not is_country(params.country):
        raise ValidationFailed(
            _("“%(code)s” is not an ISO 3166 country code.") % {"code": params.country}, "country"
        )
    rows = stakeholders(
        request.user,
        StakeholderFilters(
            q=params.q, country=params.country, kind=params.kind or "", status=params.partnership_status or ""
        ),
    )
    return page_out(rows, params.limit, params.offset)


@router.post("/stakeholders", response={201: StakeholderOut}, summary="Record a stakeholder")
def create_stakeholder(request: HttpRequest, body: StakeholderIn) -> Any:
    return Status(201, actions.create_stakeholder(request.user, body.dict()))


@router.patch("/stakeholders/{stakeholder_id}", response=StakeholderOut, summary="Change a stakeholder")
def update_stakeholder(request: HttpRequest, stakeholder_id: int, body: StakeholderPatch) -> Stakeholder:
    stakeholder = get_stakeholder_for(request.user, stakeholder_id)
    values = body.dict(exclude={"version"}, exclude_unset=True)
    actions.update_stakeholder(request.user, stakeholder, values, body.version)
    return get_stakeholder_for(request.user, stakeholder_id)
