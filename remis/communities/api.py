"""Community project endpoints under /api/v1/community-projects: search, read, create,
update (versioned: a stale `version` is a 409) and the returnees taking part. The same
actions and queries as the pages."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from remis.communities import actions
from remis.communities.models import MEMBER_GROUPS, CommunityProject, ProjectStatus, ProjectTag, ProjectType
from remis.communities.queries import (
    SORTS,
    ProjectFilters,
    counts_people_for,
    filter_projects,
    get_project_for,
    participants_for,
)
from remis.lib.api_schema import CountryFilter, InputSchema, literal_of
from remis.lib.errors import ValidationFailed, fields_renamed
from remis.lib.paging import COUNT_CAP
from remis.programmes.queries import visible_programmes

router = Router(tags=["community projects"])

TypeCode = literal_of(ProjectType)
BlankTypeCode = literal_of(ProjectType, blank=True)
StatusCode = literal_of(ProjectStatus)
TagCode = literal_of(ProjectTag)
SortCode = literal_of(list(SORTS))
MEMBERS = (
    f"community members by group ({', '.join(MEMBER_GROUPS)}: sex F or M, then age 0_17, 18_34 or 35_plus)"
)


PEOPLE_HIDDEN = (
    "null for readers without the right to read case records: they read these counts in "
    "GET /reports/community-projects, where small counts are hidden"
)


class ProjectOut(Schema):
    uuid: uuid.UUID
    name: str
    kind: TypeCode  # type: ignore[valid-type]
    sector: str = Field(description="a sector code (GET /services/sectors)")
    programme: str = Field(description="the programme's code")
    organisation_id: int = Field(description="the organisation keeping the project")
    country: str = Field(description="ISO 3166-1 alpha-2")
    area_1: str
    area_2: str
    description: str
    status: StatusCode  # type: ignore[valid-type]
    start_date: dt.date | None
    end_date: dt.date | None
    budget: Decimal | None
    currency: str
    tags: list[TagCode]  # type: ignore[valid-type]
    members: dict[str, int] | None = Field(description=f"{MEMBERS}; {PEOPLE_HIDDEN}")
    outcomes: str
    participants: int | None = Field(
        description=f"returnees taking part (all, whether or not you may read their case); {PEOPLE_HIDDEN}"
    )
    version: int

    @staticmethod
    def resolve_sector(obj: CommunityProject) -> str:
        return obj.sector.code

    @staticmethod
    def resolve_programme(obj: CommunityProject) -> str:
        return obj.programme.code

    @staticmethod
    def resolve_members(obj: CommunityProject, context: dict[str, Any]) -> dict[str, int] | None:
        return dict(obj.members) if counts_people_for(context["request"].user) else None

    @staticmethod
    def resolve_participants(obj: CommunityProject, context: dict[str, Any]) -> int | None:
        if not counts_people_for(context["request"].user):
            return None
        counted = getattr(obj, "participant_count", None)
        return counted if counted is not None else obj.participants.count()


class ProjectPage(Schema):
    items: list[ProjectOut]
    count: int = Field(description=f"matching projects, counted up to {COUNT_CAP + 1}")
    count_capped: bool
    limit: int
    offset: int


class ProjectParams(InputSchema):
    q: str = Field("", max_length=200, description="name, area or description")
    country: CountryFilter = Field("", description="ISO 3166 alpha-2 code")
    programme: str = Field("", max_length=40, description="a programme code")
    kind: TypeCode | None = None  # type: ignore[valid-type]
    status: StatusCode | None = None  # type: ignore[valid-type]
    tag: TagCode | None = None  # type: ignore[valid-type]
    sort: SortCode = "-start"  # type: ignore[valid-type]
    limit: int = Field(25, ge=1, le=200)
    offset: int = Field(0, ge=0, le=100_000)

    def filters(self) -> ProjectFilters:
        return ProjectFilters(
            q=self.q,
            country=self.country,
            programme=self.programme,
            kind=self.kind or "",
            status=self.status or "",
            tag=self.tag or "",
            sort=self.sort,
        )


class ProjectIn(InputSchema):
    """A project; the domain checks codes, dates, budget and counts, naming each field at
    fault. It is kept by your organisation."""

    name: str = Field(max_length=200)
    kind: TypeCode  # type: ignore[valid-type]
    sector: str = Field(description="a sector code (GET /services/sectors)")
    programme: str = Field(description="a programme code; the country must be one of its countries of origin")
    country: str = Field(max_length=2)
    area_1: str = Field("", max_length=120)
    area_2: str = Field("", max_length=120)
    description: str = Field("", max_length=20_000)
    status: StatusCode = "preparation"  # type: ignore[valid-type]
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    budget: Decimal | None = None
    currency: str = Field("", max_length=3)
    tags: list[TagCode] = Field(default_factory=list)  # type: ignore[valid-type]
    members: dict[str, int] = Field(default_factory=dict, description=MEMBERS)
    outcomes: str = Field("", max_length=20_000)


class ProjectPatch(ProjectIn):
    """Only the fields sent change; `version` is the one you read."""

    name: str = Field("", max_length=200)
    kind: BlankTypeCode = ""  # type: ignore[valid-type]
    sector: str = ""
    programme: str = ""
    country: str = Field("", max_length=2)
    version: int = Field(description="the project version you read")


class ParticipantIn(InputSchema):
    case_reference: str = Field(max_length=40, description="the reference of a case you may read")
    joined_on: dt.date | None = Field(None, description="default: today")


class ParticipantOut(Schema):
    case_uuid: uuid.UUID
    case_reference: str
    joined_on: dt.date


class ParticipantList(Schema):
    items: list[ParticipantOut] = Field(description="those whose case you may read")
    others: int | None = Field(
        description=f"returnees taking part in cases you may not read; {PEOPLE_HIDDEN}"
    )


def _read(request: HttpRequest, project_uuid: uuid.UUID | str) -> CommunityProject:
    return get_project_for(request.user, project_uuid)


@router.get("", response=ProjectPage, summary="Search community projects (filters, sort, pagination)")
def list_projects(request: HttpRequest, params: Query[ProjectParams]) -> dict[str, Any]:
    if (
        params.programme
        and not visible_programmes(request.user).filter(code__iexact=params.programme).exists()
    ):
        # As the page refuses it: no project read as none in a programme that is not.
        raise ValidationFailed(
            _("No programme you see has the code “%(code)s”.") % {"code": params.programme}, "programme"
        )
    rows = filter_projects(request.user, params.filters())
    count = rows[: COUNT_CAP + 1].count()
    return {
        "items": list(rows[params.offset : params.offset + params.limit]),
        "count": count,
        "count_capped": count > COUNT_CAP,
        "limit": params.limit,
        "offset": params.offset,
    }


@router.post("", response={201: ProjectOut}, summary="Record a community project")
def create_project(request: HttpRequest, body: ProjectIn) -> Any:
    project = actions.create_project(request.user, body.dict())
    return Status(201, _read(request, project.uuid))


@router.get("/{project_uuid}", response=ProjectOut)
def read_project(request: HttpRequest, project_uuid: uuid.UUID) -> CommunityProject:
    return _read(request, project_uuid)


@router.patch("/{project_uuid}", response=ProjectOut, summary="Change a project (versioned)")
def update_project(request: HttpRequest, project_uuid: uuid.UUID, body: ProjectPatch) -> CommunityProject:
    project = _read(request, project_uuid)
    values = body.dict(exclude={"version"}, exclude_unset=True)
    actions.update_project(request.user, project, values, body.version)
    return _read(request, project_uuid)


@router.get("/{project_uuid}/participants", response=ParticipantList, summary="Returnees taking part")
def list_participants(request: HttpRequest, project_uuid: uuid.UUID) -> dict[str, Any]:
    project = _read(request, project_uuid)
    if not counts_people_for(request.user):  # the count of others is the summary's, small ones hidden
        return {"items": [], "others": None}
    found = participants_for(request.user, project)
    return {
        "items": [
            {"case_uuid": p.case.uuid, "case_reference": p.case.reference, "joined_on": p.joined_on}
            for p in found.shown
        ],
        "others": found.others,
    }


@router.post(
    "/{project_uuid}/participants",
    response={201: ParticipantOut},
    summary="Add a returnee, by case reference",
)
def add_participant(request: HttpRequest, project_uuid: uuid.UUID, body: ParticipantIn) -> Any:
    with fields_renamed({"case": "case_reference"}):  # as the body names it
        participant = actions.add_participant(
            request.user, _read(request, project_uuid), body.case_reference, body.joined_on
        )
    return Status(
        201,
        {
            "case_uuid": participant.case.uuid,
            "case_reference": participant.case.reference,
            "joined_on": participant.joined_on,
        },
    )


@router.delete("/{project_uuid}/participants/{case_uuid}", response={204: None}, summary="Remove a returnee")
def remove_participant(request: HttpRequest, project_uuid: uuid.UUID, case_uuid: uuid.UUID) -> Any:
    from remis.cases.policy import visible_cases

    project = _read(request, project_uuid)
    case_id = visible_cases(request.user).filter(uuid=case_uuid).values_list("id", flat=True).first()
    actions.remove_participant(request.user, project, case_id or 0)
    return Status(204, None)
