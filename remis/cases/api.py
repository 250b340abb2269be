"""Case endpoints under /api/v1: the same actions and the same scoped queries as the pages."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

from django.db.models import prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict, ValidationInfo, field_validator

from remis.accounts.models import Organisation
from remis.accounts.permissions import SENSITIVE_GROUPS, Perm
from remis.audit.models import ReadChannel
from remis.cases import actions
from remis.cases import fields as rules
from remis.cases.actions.registration import document_writer
from remis.cases.actions.validation import IdentityDocumentData, MemberData, PersonData
from remis.cases.lifecycle import ClosureReason, Stage
from remis.cases.models import (
    Case,
    ConsentPurpose,
    CounsellingMode,
    DocumentKind,
    Erasure,
    ErasureReason,
    ErasureStatus,
    Escort,
    Fitness,
    Person,
    PostArrivalStatus,
    Reception,
    Relation,
    ReturnTravel,
    ReturnType,
    Submission,
    SubmissionStatus,
)
from remis.cases.policy import (
    case_permissions,
    category_as_read,
    groups_everywhere,
    groups_on_case,
    shows,
    visible_cases,
    withheld,
)
from remis.cases.queries import (
    OPEN_STAGES,
    SORTS,
    CaseFilters,
    count_cases,
    filter_cases,
    filter_organisations,
    filter_workers,
    get_case_for,
    note_opened,
)
from remis.lib.api_schema import CountryFilter, InputSchema, PageParams, RecordId, literal_of, page_out
from remis.lib.errors import NotFound, PermissionDenied, ValidationFailed, fields_renamed
from remis.lib.fields import max_length
from remis.lib.paging import COUNT_CAP
from remis.lib.spreadsheet import XLSX_TYPE, xlsx_download
from remis.programmes.models import MigrantCategory, Programme, Vulnerability

router = Router(tags=["cases"])
persons_router = Router(tags=["persons"])
erasures_router = Router(tags=["persons"])

SexCode = Literal["F", "M", "X", "U"]
# Coded fields as enums in the OpenAPI schema, generated from the models' choices so they
# cannot drift from them. mypy sees plain strings; pydantic sees the Literal types.
if TYPE_CHECKING:
    StageCode: TypeAlias = str
    StageFilterCode: TypeAlias = str
    ClosureOrBlank: TypeAlias = str
    ReturnTypeCode: TypeAlias = str
    PostArrivalCode: TypeAlias = str
    SubmissionStatusCode: TypeAlias = str
    DocumentKindCode: TypeAlias = str
    SortCode: TypeAlias = str
    PurposeCode: TypeAlias = str
    ModeCode: TypeAlias = str
    EscortCode: TypeAlias = str
    FitnessCode: TypeAlias = str
    RelationCode: TypeAlias = str
    ErasureReasonCode: TypeAlias = str
    GroupCode: TypeAlias = str
else:
    StageCode = literal_of(Stage)
    # The case list's stages and "open" (every stage but closed), as its page offers them.
    StageFilterCode = literal_of([*Stage.values, OPEN_STAGES])
    ClosureOrBlank = literal_of(ClosureReason, blank=True)  # blank while the case is open
    ReturnTypeCode = literal_of(ReturnType)
    PostArrivalCode = literal_of(PostArrivalStatus)
    SubmissionStatusCode = literal_of(SubmissionStatus)
    DocumentKindCode = literal_of(DocumentKind)
    SortCode = literal_of(SORTS)
    PurposeCode = literal_of(ConsentPurpose)
    ModeCode = literal_of(CounsellingMode)
    EscortCode = literal_of(Escort)
    FitnessCode = literal_of(Fitness)
    RelationCode = literal_of([c for c in Relation.values if c != Relation.PRINCIPAL])
    ErasureReasonCode = literal_of(ErasureReason)
    GroupCode = literal_of([str(g) for g in SENSITIVE_GROUPS])
MAX_OFFSET = 100_000  # paging reads an index, so deep offsets are cheap; past this, filter


# ---- schemas -------------------------------------------------------------------------------


class IdentityDocumentIn(InputSchema):
    kind: DocumentKindCode
    number: str = Field(min_length=1, max_length=max_length(rules.DOCUMENT, "number"))
    issuing_country: str = Field("", max_length=2)
    expires_on: dt.date | None = None


class PersonIn(InputSchema):
    given_name: str = Field(max_length=max_length(rules.PERSON, "given_name"))
    family_name: str = Field(max_length=max_length(rules.PERSON, "family_name"))
    alternate_names: str = Field("", max_length=max_length(rules.PERSON, "alternate_names"))
    sex: SexCode = "U"
    date_of_birth: dt.date | None = None
    birth_year_estimated: int | None = None
    nationality: str = Field("", max_length=2)
    phone: str = Field("", max_length=max_length(rules.PERSON, "phone"))
    email: str = Field("", max_length=max_length(rules.PERSON, "email"))
    address: str = Field("", max_length=max_length(rules.PERSON, "address"))
    documents: list[IdentityDocumentIn] = []

    def to_data(self) -> PersonData:
        fields = self.dict(exclude={"documents"})
        return PersonData(**fields, documents=[IdentityDocumentData(**d.dict()) for d in self.documents])


class PersonPatch(InputSchema):
    """Only the fields sent change. Identity documents are not edited here: sending them
    is refused rather than silently dropped."""

    version: int = Field(description="the person version you read")
    # The limits PersonIn declares, from the same field rules: the schema said none for the
    # address and the other names, while the server refused past 500 and 1,000.
    given_name: str | None = Field(None, max_length=max_length(rules.PERSON, "given_name"))
    family_name: str | None = Field(None, max_length=max_length(rules.PERSON, "family_name"))
    alternate_names: str | None = Field(None, max_length=max_length(rules.PERSON, "alternate_names"))
    sex: SexCode | None = Field(None)
    date_of_birth: dt.date | None = None
    birth_year_estimated: int | None = None
    nationality: str | None = Field(None, max_length=2)
    phone: str | None = Field(None, max_length=max_length(rules.PERSON, "phone"))
    email: str | None = Field(None, max_length=max_length(rules.PERSON, "email"))
    address: str | None = Field(None, max_length=max_length(rules.PERSON, "address"))


class PersonOut(Schema):
    uuid: uuid.UUID
    given_name: str
    family_name: str
    alternate_names: str
    sex: str
    date_of_birth: dt.date | None
    birth_year_estimated: int | None
    nationality: str
    erased: bool = Field(
        description="the person's data was erased on their request: names and contacts are blank, "
        "and nothing can be written back"
    )
    version: int

    @staticmethod
    def resolve_erased(obj: Any) -> bool:
        return getattr(obj, "erased_at", None) is not None

    @staticmethod
    def resolve_given_name(obj: Any) -> str:
        # Blank, as `erased` says: the pages' "—" came back as a given name, which a
        # connector copied into another system as a person called "—".
        return "" if getattr(obj, "erased_at", None) is not None else str(obj.given_name)


class IdentityDocumentOut(Schema):
    id: int
    kind: DocumentKindCode
    number: str
    issuing_country: str
    expires_on: dt.date | None


class PersonDetailOut(PersonOut):
    """A person as one reader of one case sees them: the contacts, and the identity
    documents only for a holder of the identity group on that case (the API wrote contacts
    and documents and gave neither back: a connector could not read what it had sent)."""

    phone: str = Field(
        description='blank, and "contacts" in `restricted`, unless you edit the case or record its follow-up'
    )
    email: str
    address: str
    documents: list[IdentityDocumentOut] | None = Field(
        description="null when you do not hold the identity documents group on the case "
        "(`restricted` says so)"
    )
    restricted: list[str] = Field(
        description="what is withheld from you: documents (their sensitive group), contacts (you neither "
        "edit the case nor record its follow-up)"
    )

    @staticmethod
    def resolve_documents(obj: Any) -> list[Any] | None:
        return getattr(obj, "shown_documents", None)

    @staticmethod
    def resolve_phone(obj: Any) -> str:
        return str(obj.phone) if getattr(obj, "shown_contacts", False) else ""

    @staticmethod
    def resolve_email(obj: Any) -> str:
        return str(obj.email) if getattr(obj, "shown_contacts", False) else ""

    @staticmethod
    def resolve_address(obj: Any) -> str:
        return str(obj.address) if getattr(obj, "shown_contacts", False) else ""

    @staticmethod
    def resolve_restricted(obj: Any) -> list[str]:
        withheld = [] if getattr(obj, "shown_documents", None) is not None else ["documents"]
        return withheld if getattr(obj, "shown_contacts", False) else [*withheld, "contacts"]


class HouseholdMemberOut(Schema):
    relation: str = Field(
        description="how the person is related to the principal applicant ('principal' for them)"
    )
    person: PersonDetailOut


class MemberIn(InputSchema):
    """A household member returning with the principal applicant."""

    person: PersonIn
    relation: RelationCode


class CaseIn(InputSchema):
    organisation_id: RecordId = Field(description="the registering organisation (one of yours)")
    programme: str = Field(description="programme code")
    category: str = Field(description="migrant category code")
    host_country: str = Field(min_length=2, max_length=2)
    origin_country: str = Field(min_length=2, max_length=2)
    person: PersonIn
    vulnerabilities: list[str] = []
    members: list[MemberIn] = Field([], max_length=20, description="household members returning together")
    intended_return_date: dt.date | None = None
    reference: str | None = Field(
        None,
        max_length=max_length(rules.CASE, "reference"),
        pattern=f"^{rules.REFERENCE.pattern}$",
        description="capital letters, digits and dashes; leave empty to number automatically",
    )
    confirm_duplicate: bool = Field(
        False,
        description=(
            "a case the office registered or holds, of any age, has someone who may be the principal "
            "or a member (same sex and birth and a name in common, in either order or as another "
            "spelling; a name said alike, spelt otherwise; or an identity document with the same "
            "number): the registration is refused "
            "(409 on this field, naming that case) unless this is true. A retried request is "
            "refused so rather than registered twice."
        ),
    )


class CaseOut(Schema):
    uuid: uuid.UUID
    reference: str
    programme: str
    return_type: ReturnTypeCode
    category: str
    host_country: str
    origin_country: str
    stage: StageCode
    closure_reason: ClosureOrBlank
    registered_at: dt.datetime
    intended_return_date: dt.date | None
    arrival_date: dt.date | None
    post_arrival_status: PostArrivalCode
    household_size: int
    version: int
    principal: PersonOut
    anonymised: bool = Field(
        description=(
            "true once the case was anonymised at the end of its programme's retention period: "
            "names, contacts and free text are gone, its days moved to the first of their month, "
            "and it can no longer be changed"
        )
    )

    vulnerabilities: list[str] = Field(
        description="vulnerability codes; those in a sensitive group you do not hold are left out "
        "and counted in `vulnerabilities_restricted`"
    )
    vulnerabilities_restricted: int
    assigned_workers: list[str] = Field(description="usernames of the case workers assigned")

    @staticmethod
    def resolve_programme(obj: Case) -> str:
        return obj.programme.code

    @staticmethod
    def resolve_vulnerabilities(obj: Case, context: dict[str, Any]) -> list[str]:
        groups = groups_everywhere(context["request"].user)
        return sorted(v.code for v in obj.vulnerabilities.all() if shows(groups, v.sensitive_group))

    @staticmethod
    def resolve_vulnerabilities_restricted(obj: Case, context: dict[str, Any]) -> int:
        groups = groups_everywhere(context["request"].user)
        return sum(1 for v in obj.vulnerabilities.all() if not shows(groups, v.sensitive_group))

    @staticmethod
    def resolve_assigned_workers(obj: Case) -> list[str]:
        return sorted(w.username for w in obj.assigned_workers.all())

    @staticmethod
    def resolve_anonymised(obj: Case) -> bool:
        return obj.anonymised_at is not None

    @staticmethod
    def resolve_category(obj: Case, context: dict[str, Any]) -> str:
        # A sensitive category (victim of trafficking) only for those who may see it; to the
        # others, the one it reads as ("restricted" gave it away: it is the only one).
        read = category_as_read(groups_everywhere(context["request"].user), obj.category)
        return read.code if read is not None else "restricted"


class CasePage(Schema):
    items: list[CaseOut]
    count: int = Field(description=f"matching cases, counted up to {COUNT_CAP + 1}")
    count_capped: bool
    limit: int
    offset: int


class CasePatch(InputSchema):
    """Only the fields sent change, as on the case page's details form."""

    version: int = Field(description="the case version you read")
    category: str | None = Field(None, description="migrant category code")
    vulnerabilities: list[str] | None = Field(
        None,
        description="vulnerability codes: replaces those you see (those in a group you do not hold stay)",
    )
    intended_return_date: dt.date | None = Field(None, description="null clears it")
    assigned_workers: list[str] | None = Field(
        None,
        description="usernames of your organisation's case workers to assign; those another organisation "
        "assigned stay (each organisation assigns its own)",
    )


class CaseListParams(InputSchema):
    stage: StageFilterCode | None = Field(None, description="a stage, or open: every stage but closed")
    category: str = ""
    host_country: CountryFilter = Field("", description="ISO 3166 alpha-2 code")
    origin_country: CountryFilter = Field("", description="ISO 3166 alpha-2 code")
    organisation_id: RecordId | None = Field(
        None, description="cases this organisation holds: yours, or a partner in a programme you read"
    )
    worker: str = Field("", max_length=150, description="username of a case worker assigned to the cases")
    arrived_from: dt.date | None = None
    arrived_to: dt.date | None = None
    sort: SortCode = "-registered"
    limit: int = Field(25, ge=1, le=200)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)

    @field_validator("arrived_to", mode="after")
    @classmethod
    def _range_in_order(cls, value: dt.date | None, info: ValidationInfo) -> dt.date | None:
        # As the exports and the reports refuse it: an empty list read as "no arrival".
        start = info.data.get("arrived_from")
        if value is not None and start is not None and value < start:
            raise ValueError(_("The end of the arrival range is before its start."))
        return value


class CaseSearch(CaseListParams):
    """Name and document searches go in a POST body so they never appear in a URL or log."""

    q: str = Field("", max_length=100)
    similar: bool = Field(
        False, description="also find names spelt otherwise but said alike (Mouhamed finds Mohamed)"
    )


class TransitionIn(InputSchema):
    stage: StageCode
    version: int = Field(description="the case version you read")
    reason: str = Field("", max_length=max_length(rules.TRANSITION, "reason"))
    closure_reason: ClosureOrBlank = Field("", description="required when stage is 'closed'")


class ReopenIn(InputSchema):
    reason: str = Field(min_length=1, max_length=max_length(rules.TRANSITION, "reason"))
    version: int = Field(description="the case version you read")


class ConsentIn(InputSchema):
    purpose: PurposeCode
    given: bool
    given_on: dt.date
    note: str = Field("", max_length=max_length(rules.CONSENT, "note"))
    groups: list[GroupCode] = Field(
        [],
        description="consent to share with service providers (given): the sensitive groups it covers",
    )


class ConsentOut(Schema):
    id: int
    purpose: str
    given: bool
    given_on: dt.date
    note: str
    groups: list[str]


class CounsellingIn(InputSchema):
    held_on: dt.date
    mode: ModeCode = "in_person"
    topics: str = Field("", max_length=max_length(rules.COUNSELLING, "topics"))
    notes: str = Field("", max_length=max_length(rules.COUNSELLING, "notes"))
    interpreter_used: bool = False


WITHHELD = (
    "null when you do not hold this field's sensitive group on the case (listed in `restricted`); "
    "a value you send for it is ignored and the stored one kept"
)


def _withheld(context: dict[str, Any] | None, row: Any) -> frozenset[str]:
    """The fields of a case's record the requester does not see (policy.withheld), with the
    groups held on each case computed once per request."""
    request = (context or {})["request"]
    held: dict[int, frozenset[str]] = request.__dict__.setdefault("_remis_case_groups", {})
    if row.case_id not in held:
        held[row.case_id] = groups_on_case(request.user, row.case)
    return withheld(held[row.case_id], row._meta.label_lower)


class CounsellingOut(Schema):
    id: int
    held_on: dt.date
    mode: str
    topics: str
    notes: str | None = Field(description=WITHHELD)
    interpreter_used: bool
    restricted: list[str] = Field(description="fields withheld from you (their sensitive group)")

    @staticmethod
    def resolve_notes(obj: Any, context: dict[str, Any]) -> str | None:
        return None if "notes" in _withheld(context, obj) else obj.notes

    @staticmethod
    def resolve_restricted(obj: Any, context: dict[str, Any]) -> list[str]:
        return sorted(_withheld(context, obj))


class TravelIn(InputSchema):
    version: int | None = Field(None, description="the version you read; omit when creating")
    departure_date: dt.date | None = None
    arrival_date: dt.date | None = None
    route: str = Field("", max_length=max_length(rules.TRAVEL, "route"))
    escort: EscortCode = "none"
    medical_fitness: FitnessCode = "not_assessed"
    notes: str = Field("", max_length=max_length(rules.TRAVEL, "notes"))


class TravelOut(TravelIn):
    model_config = ConfigDict(extra="ignore")  # an answer: the input's refusal of extra fields is not for it

    version: int | None
    escort: EscortCode | None = Field(description=WITHHELD)  # type: ignore[assignment]
    medical_fitness: FitnessCode | None = Field(description=WITHHELD)  # type: ignore[assignment]
    restricted: list[str] = Field(description="fields withheld from you (their sensitive group)")

    @staticmethod
    def resolve_escort(obj: Any, context: dict[str, Any]) -> str | None:
        return None if "escort" in _withheld(context, obj) else obj.escort

    @staticmethod
    def resolve_medical_fitness(obj: Any, context: dict[str, Any]) -> str | None:
        return None if "medical_fitness" in _withheld(context, obj) else obj.medical_fitness

    @staticmethod
    def resolve_restricted(obj: Any, context: dict[str, Any]) -> list[str]:
        return sorted(_withheld(context, obj))


class ReceptionIn(InputSchema):
    version: int | None = Field(None, description="the version you read; omit when creating")
    received_on: dt.date | None = Field(None, description="required when creating")
    airport_pickup: bool = False
    accommodation_nights: int = Field(0, ge=0, le=365)
    nutrition: bool = False
    pocket_money: Decimal = Field(Decimal("0"), ge=0, max_digits=10, decimal_places=2)
    pocket_money_currency: str = Field("", max_length=3)
    onward_transport: bool = False
    urgent_medical_care: bool = False
    notes: str = Field("", max_length=max_length(rules.RECEPTION, "notes"))


class ReceptionOut(ReceptionIn):
    model_config = ConfigDict(extra="ignore")  # an answer: the input's refusal of extra fields is not for it

    version: int | None
    received_on: dt.date
    urgent_medical_care: bool | None = Field(description=WITHHELD)  # type: ignore[assignment]
    restricted: list[str] = Field(description="fields withheld from you (their sensitive group)")

    @staticmethod
    def resolve_urgent_medical_care(obj: Any, context: dict[str, Any]) -> bool | None:
        return None if "urgent_medical_care" in _withheld(context, obj) else obj.urgent_medical_care

    @staticmethod
    def resolve_restricted(obj: Any, context: dict[str, Any]) -> list[str]:
        return sorted(_withheld(context, obj))


class NoteIn(InputSchema):
    body: str = Field(min_length=1, max_length=max_length(rules.NOTE_FIELDS, "body"))


class NoteOut(Schema):
    id: int
    body: str
    created_at: dt.datetime
    author: str

    @staticmethod
    def resolve_author(obj: Any) -> str:
        return str(obj.author.username)


class SubmitIn(InputSchema):
    to_organisation_id: RecordId
    message: str = Field("", max_length=max_length(rules.SUBMISSION, "message"))


class SubmissionAnswerIn(InputSchema):
    accept: bool
    reason: str = Field("", max_length=max_length(rules.SUBMISSION, "reason"))


class SubmissionOut(Schema):
    id: int
    to_organisation_id: RecordId
    status: SubmissionStatusCode
    submitted_at: dt.datetime
    due_at: dt.datetime
    responded_at: dt.datetime | None
    rejection_reason: str


# ---- helpers -------------------------------------------------------------------------------


# Each with the name of what it is in words: "Code category inconnu" read half English.
UNKNOWN_CODE = {
    "programme": gettext_lazy("Unknown programme code “%(code)s”."),
    "category": gettext_lazy("Unknown migrant category code “%(code)s”."),
    "vulnerabilities": gettext_lazy("Unknown vulnerability code “%(code)s”."),
}


def _by_code(model: Any, code: str, field: str, problems: list[tuple[str | None, str]]) -> Any:
    """The configuration row of this code, or None with the problem noted (every unknown
    code of a body is said at once)."""
    row = model.objects.filter(code=code).first()
    if row is None:
        problems.append((field, str(UNKNOWN_CODE[field]) % {"code": code}))
    return row


def _case_body_field(name: str) -> str:
    """An action's field name as the registration body nests it: `date_of_birth` is
    `person.date_of_birth`, `members[0].date_of_birth` is `members.0.person.date_of_birth`."""
    name = re.sub(r"\[(\d+)\]", r".\1", name)
    member = re.match(r"members\.(\d+)\.(.+)", name)
    if member:
        index, rest = member.groups()
        return f"members.{index}.{rest if rest == 'relation' else 'person.' + rest}"
    return f"person.{name}" if name.split(".")[0] in PersonIn.model_fields else name


def _page(request: HttpRequest, filters: CaseFilters, limit: int, offset: int) -> dict[str, Any]:
    cases = filter_cases(request.user, filters)
    count = count_cases(request.user, filters, COUNT_CAP + 1)
    items = list(cases[offset : offset + limit])
    prefetch_related_objects(items, "vulnerabilities", "assigned_workers")  # two queries a page
    return {
        "items": items,
        "count": count,
        "count_capped": count > COUNT_CAP,
        "limit": limit,
        "offset": offset,
    }


def _filters(
    actor: Any, params: CaseListParams | CaseSearch, q: str = "", similar: bool = False
) -> CaseFilters:
    if params.category and not MigrantCategory.objects.filter(code=params.category).exists():
        # Codes are configuration, not personal data: saying one is unknown leaks nothing.
        raise ValidationFailed(
            str(UNKNOWN_CODE["category"]) % {"code": params.category},
            "category",
        )
    # The page's choices, refused as the page refuses them: which other organisations and
    # users exist is not told.
    if (
        params.organisation_id is not None
        and not filter_organisations(actor).filter(pk=params.organisation_id).exists()
    ):
        raise ValidationFailed(_("No organisation of this number holds cases you read."), "organisation_id")
    worker = None
    if params.worker.strip():  # a username copied with a space around it
        name = params.worker.strip()
        worker = filter_workers(actor).filter(username=name).values_list("pk", flat=True).first()
        if worker is None:
            raise ValidationFailed(_("No case worker of your organisations has this username."), "worker")
    return CaseFilters(
        q=q,
        similar=similar,
        stage=params.stage or "",
        category=params.category,
        host_country=params.host_country,
        origin_country=params.origin_country,
        organisation=params.organisation_id,
        worker=worker,
        arrived_from=params.arrived_from,
        arrived_to=params.arrived_to,
        sort=params.sort,
    )


# ---- cases ---------------------------------------------------------------------------------


@router.get("", response=CasePage, summary="List visible cases (filters, sort, pagination)")
def list_cases(request: HttpRequest, params: Query[CaseListParams]) -> dict[str, Any]:
    return _page(request, _filters(request.user, params), params.limit, params.offset)


@router.post("/search", response=CasePage, summary="Search visible cases by name, reference or document")
def search_cases(request: HttpRequest, body: CaseSearch) -> dict[str, Any]:
    return _page(request, _filters(request.user, body, body.q, body.similar), body.limit, body.offset)


@router.post("", response={201: CaseOut}, summary="Register a case in the host country")
def create_case(request: HttpRequest, body: CaseIn) -> Status[Case]:
    organisation = Organisation.objects.filter(pk=body.organisation_id).first()
    if organisation is None:
        raise ValidationFailed(_("Unknown organisation."), "organisation_id")
    unknown: list[tuple[str | None, str]] = []
    programme = _by_code(Programme, body.programme, "programme", unknown)
    category = _by_code(MigrantCategory, body.category, "category", unknown)
    vulnerabilities = [
        _by_code(Vulnerability, code, "vulnerabilities", unknown) for code in body.vulnerabilities
    ]
    if unknown:
        raise ValidationFailed(unknown[0][1], unknown[0][0], errors=unknown)
    with fields_renamed(_case_body_field):
        case = _register(request, body, organisation, programme, category, vulnerabilities)
    return Status(201, get_case_for(request.user, case.uuid))


def _register(
    request: HttpRequest,
    body: CaseIn,
    organisation: Organisation,
    programme: Any,
    category: Any,
    vulnerabilities: Any,
) -> Case:
    return actions.register_case(
        request.user,
        organisation,
        programme=programme,
        category=category,
        host_country=body.host_country,
        origin_country=body.origin_country,
        person=body.person.to_data(),
        vulnerabilities=vulnerabilities,
        intended_return_date=body.intended_return_date,
        reference=body.reference or None,
        members=[MemberData(person=m.person.to_data(), relation=m.relation) for m in body.members],
        check_twins=not body.confirm_duplicate,
    )


@router.get("/{case_uuid}", response=CaseOut)
def read_case(request: HttpRequest, case_uuid: uuid.UUID) -> Case:
    case = get_case_for(request.user, case_uuid)
    note_opened(request.user, case, ReadChannel.API)  # the read log
    return case


@router.patch("/{case_uuid}", response=CaseOut, summary="Change a case's details (send the version you read)")
def edit_case(request: HttpRequest, case_uuid: uuid.UUID, body: CasePatch) -> Case:
    from remis.accounts.models import User

    case = get_case_for(request.user, case_uuid)
    sent = body.dict(exclude_unset=True)
    unknown: list[tuple[str | None, str]] = []
    category = None
    if sent.get("category") is not None:
        category = _by_code(MigrantCategory, sent["category"], "category", unknown)
    held = groups_on_case(request.user, case)
    # Not sent: those the reader sees stay (the action keeps the ones withheld from them).
    vulnerabilities = [v for v in case.vulnerabilities.all() if shows(held, v.sensitive_group)]
    if sent.get("vulnerabilities") is not None:
        vulnerabilities = [
            _by_code(Vulnerability, c, "vulnerabilities", unknown) for c in sent["vulnerabilities"]
        ]
    workers = list(case.assigned_workers.all())
    if sent.get("assigned_workers") is not None:
        names = sent["assigned_workers"]
        workers = list(User.objects.filter(username__in=names))
        missing = sorted(set(names) - {w.username for w in workers})
        if missing:
            # Said as for a user of another organisation: which usernames exist is not told.
            message = _("Case workers must belong to an organisation with access to the case.")
            unknown.append(("assigned_workers", message))
    for name in ("category", "vulnerabilities", "assigned_workers"):
        if name in sent and sent[name] is None:
            unknown.append((name, _("This field cannot be null: send a value or leave it out.")))
    if unknown:
        raise ValidationFailed(unknown[0][1], unknown[0][0], errors=unknown)
    actions.update_case_details(
        request.user,
        case,
        expected_version=body.version,
        category=category,
        vulnerabilities=vulnerabilities,
        intended_return_date=sent.get("intended_return_date", case.intended_return_date),
        assigned_workers=workers,
    )
    return get_case_for(request.user, case_uuid)


@router.post("/{case_uuid}/transitions", response=CaseOut, summary="Move the case (or close it)")
def transition(request: HttpRequest, case_uuid: uuid.UUID, body: TransitionIn) -> Case:
    case = get_case_for(request.user, case_uuid)
    if body.stage == Stage.CLOSED:
        actions.close_case(
            request.user, case, body.closure_reason, expected_version=body.version, note=body.reason
        )
    else:
        actions.transition_case(
            request.user, case, body.stage, expected_version=body.version, reason=body.reason
        )
    return get_case_for(request.user, case_uuid)


@router.post("/{case_uuid}/reopen", response=CaseOut)
def reopen(request: HttpRequest, case_uuid: uuid.UUID, body: ReopenIn) -> Case:
    case = get_case_for(request.user, case_uuid)
    actions.reopen_case(request.user, case, body.reason, expected_version=body.version)
    return get_case_for(request.user, case_uuid)


def _read_case(request: HttpRequest, case_uuid: uuid.UUID) -> Case:
    """A case whose records a GET returns, its reading written to the read log as the page's
    and `GET /cases/{id}` are: reads of its persons, notes, counselling and consents through
    the API were missing from the log."""
    case = get_case_for(request.user, case_uuid)
    note_opened(request.user, case, ReadChannel.API)
    return case


@router.get("/{case_uuid}/consents", response=list[ConsentOut])
def list_consents(request: HttpRequest, case_uuid: uuid.UUID) -> Any:
    return _read_case(request, case_uuid).consents.all()


@router.post("/{case_uuid}/consents", response={201: ConsentOut})
def add_consent(request: HttpRequest, case_uuid: uuid.UUID, body: ConsentIn) -> Any:
    case = get_case_for(request.user, case_uuid)
    return Status(201, actions.record_consent(request.user, case, **body.dict()))


@router.get("/{case_uuid}/counselling", response=list[CounsellingOut])
def list_counselling(request: HttpRequest, case_uuid: uuid.UUID) -> Any:
    return _read_case(request, case_uuid).counselling_sessions.all()


@router.post("/{case_uuid}/counselling", response={201: CounsellingOut})
def add_counselling(request: HttpRequest, case_uuid: uuid.UUID, body: CounsellingIn) -> Any:
    case = get_case_for(request.user, case_uuid)
    return Status(201, actions.record_counselling(request.user, case, **body.dict()))


def _step_record(request: HttpRequest, case_uuid: uuid.UUID, attribute: str, missing: str) -> Any:
    """A case's one-to-one step record (travel, reception), or NotFound naming what is missing."""
    row = getattr(_read_case(request, case_uuid), attribute, None)
    if row is None:
        raise NotFound(missing)
    return row


@router.get("/{case_uuid}/travel", response=TravelOut)
def read_travel(request: HttpRequest, case_uuid: uuid.UUID) -> Any:
    return _step_record(request, case_uuid, "travel", _("No travel recorded for this case."))


def _sent_over_stored(model: type[Any], case: Case, body: InputSchema) -> dict[str, Any]:
    """The fields sent, over the record's stored values for those not sent (their defaults
    when there is no record yet). A PUT of the dates alone had reset the route, the medical
    fitness and the notes: "Only the fields sent change", as the PATCH endpoints say."""
    fields = body.dict(exclude={"version"})
    stored = model.objects.filter(case=case).values(*fields).first()
    if stored is not None:
        fields.update({name: stored[name] for name in fields if name not in body.model_fields_set})
    return fields


@router.put(
    "/{case_uuid}/travel",
    response=TravelOut,
    summary="Create or update the return travel (only the fields sent change)",
)
def save_travel(request: HttpRequest, case_uuid: uuid.UUID, body: TravelIn) -> Any:
    case = get_case_for(request.user, case_uuid)
    fields = _sent_over_stored(ReturnTravel, case, body)
    return actions.save_travel(request.user, case, expected_version=body.version, **fields)


@router.get("/{case_uuid}/reception", response=ReceptionOut)
def read_reception(request: HttpRequest, case_uuid: uuid.UUID) -> Any:
    return _step_record(request, case_uuid, "reception", _("No reception recorded for this case."))


@router.put(
    "/{case_uuid}/reception",
    response=ReceptionOut,
    summary="Create or update the reception (only the fields sent change)",
)
def save_reception(request: HttpRequest, case_uuid: uuid.UUID, body: ReceptionIn) -> Any:
    case = get_case_for(request.user, case_uuid)
    fields = _sent_over_stored(Reception, case, body)
    if fields["received_on"] is None:
        if Perm.CASE_RECEPTION not in case_permissions(request.user, case):
            raise PermissionDenied()  # as a whole body is refused: the right comes first
        raise ValidationFailed(_("This field is required."), "received_on")
    return actions.save_reception(request.user, case, expected_version=body.version, **fields)


class NotePage(Schema):
    items: list[NoteOut]
    count: int = Field(description=f"notes of the case, counted up to {COUNT_CAP + 1}")
    count_capped: bool
    limit: int
    offset: int


@router.get("/{case_uuid}/notes", response=NotePage, summary="The case's notes, latest first")
def list_notes(request: HttpRequest, case_uuid: uuid.UUID, params: Query[PageParams]) -> dict[str, Any]:
    """Paged as every list: the newest 200 were all a client could read, older notes out of
    reach, with nothing saying the list was cut."""
    notes = _read_case(request, case_uuid).notes.select_related("author").order_by("-created_at", "-id")
    return page_out(notes, params.limit, params.offset)


class SubmissionPage(Schema):
    items: list[SubmissionOut]
    count: int = Field(description=f"submissions of the case, counted up to {COUNT_CAP + 1}")
    count_capped: bool
    limit: int
    offset: int


@router.post("/{case_uuid}/notes", response={201: NoteOut})
def add_note(request: HttpRequest, case_uuid: uuid.UUID, body: NoteIn) -> Any:
    case = get_case_for(request.user, case_uuid)
    return Status(201, actions.add_note(request.user, case, body.body))


@router.get(
    "/{case_uuid}/submissions", response=SubmissionPage, summary="The case's submissions, latest first"
)
def list_submissions(request: HttpRequest, case_uuid: uuid.UUID, params: Query[PageParams]) -> dict[str, Any]:
    """The partner answering a submission finds its id here (only the sender's 201 gave it)."""
    submissions = get_case_for(request.user, case_uuid).submissions.order_by("-submitted_at", "-id")
    return page_out(submissions, params.limit, params.offset)


@router.post("/{case_uuid}/submissions", response={201: SubmissionOut}, summary="Submit to a partner")
def submit(request: HttpRequest, case_uuid: uuid.UUID, body: SubmitIn) -> Any:
    case = get_case_for(request.user, case_uuid)
    organisation = Organisation.objects.filter(pk=body.to_organisation_id).first()
    if organisation is None:
        raise ValidationFailed(_("Unknown organisation."), "to_organisation_id")
    with fields_renamed({"to_organisation": "to_organisation_id"}):
        return Status(201, actions.submit_case(request.user, case, organisation, body.message))


@router.post("/{case_uuid}/submissions/{submission_id}/answer", response=SubmissionOut)
def answer(request: HttpRequest, case_uuid: uuid.UUID, submission_id: int, body: SubmissionAnswerIn) -> Any:
    case = get_case_for(request.user, case_uuid)
    submission = Submission.objects.filter(case=case, pk=submission_id).first()
    if submission is None:
        raise NotFound()
    return actions.respond_to_submission(request.user, submission, accept=body.accept, reason=body.reason)


# ---- persons -------------------------------------------------------------------------------


def _person_for(request: HttpRequest, person_uuid: uuid.UUID) -> tuple[Case, Person]:
    """A person is visible through a visible case that covers them."""
    person = Person.objects.filter(uuid=person_uuid).first()
    if person is None:
        raise NotFound()
    for membership in person.memberships.select_related("case"):
        try:
            return get_case_for(request.user, membership.case.uuid), person
        except NotFound:
            continue
    raise NotFound()


def _with_documents(request: HttpRequest, case: Case, persons: list[Person]) -> list[Person]:
    """The persons, each carrying the identity documents the reader may see on this case
    (`shown_documents`, None when the identity group is withheld from them)."""
    from remis.cases.models import IdentityDocument

    hidden = withheld(groups_on_case(request.user, case), "cases.identitydocument")
    documents: dict[int, list[IdentityDocument]] = {p.pk: [] for p in persons}
    if not hidden:
        for document in IdentityDocument.objects.filter(person__in=persons).order_by("id"):
            documents[document.person_id].append(document)
    # The contacts go to those who contact the returnee (who edit the case or record its
    # follow-up), as the pages show them only in those forms: an M&E officer reading the
    # case for its figures read every phone through the API.
    contacts = bool({Perm.CASE_EDIT, Perm.MONITORING_RECORD} & case_permissions(request.user, case))
    for person in persons:
        person.shown_documents = None if hidden else documents[person.pk]  # type: ignore[attr-defined]
        person.shown_contacts = contacts  # type: ignore[attr-defined]
    return persons


@router.get(
    "/{case_uuid}/members",
    response=list[HouseholdMemberOut],
    summary="The household: the principal applicant first, then each member, with contacts and documents",
)
def list_members(request: HttpRequest, case_uuid: uuid.UUID) -> list[dict[str, Any]]:
    case = _read_case(request, case_uuid)
    members = list(case.members.select_related("person").order_by("id"))
    # The principal first whatever the order of the rows (an import may add them last).
    members.sort(key=lambda m: m.relation != Relation.PRINCIPAL)
    _with_documents(request, case, [m.person for m in members])
    return [{"relation": m.relation, "person": m.person} for m in members]


def _member_body_field(name: str) -> str:
    """An action's field name as the member body nests it: `given_name` is `person.given_name`."""
    name = re.sub(r"\[(\d+)\]", r".\1", name)
    return f"person.{name}" if name.split(".")[0] in PersonIn.model_fields else name


@router.post(
    "/{case_uuid}/members",
    response={201: HouseholdMemberOut},
    summary="Add a household member to the case (with identity documents if you hold their group)",
)
def add_member(request: HttpRequest, case_uuid: uuid.UUID, body: MemberIn) -> Status[dict[str, Any]]:
    case = get_case_for(request.user, case_uuid)
    with fields_renamed(_member_body_field):
        member = actions.add_household_member(request.user, case, body.person.to_data(), body.relation)
    _with_documents(request, case, [member.person])
    return Status(201, {"relation": member.relation, "person": member.person})


@persons_router.get("/{person_uuid}", response=PersonDetailOut)
def read_person(request: HttpRequest, person_uuid: uuid.UUID) -> Person:
    case, person = _person_for(request, person_uuid)
    note_opened(request.user, case, ReadChannel.API)  # the read log, as for the case itself
    return _with_documents(request, case, [person])[0]


@persons_router.patch(
    "/{person_uuid}", response=PersonDetailOut, summary="Edit a person (send the version you read)"
)
def edit_person(request: HttpRequest, person_uuid: uuid.UUID, body: PersonPatch) -> Person:
    case, person = _person_for(request, person_uuid)
    sent = body.dict(exclude={"version"}, exclude_unset=True)
    for name, value in sent.items():
        if value is None and name not in ("date_of_birth", "birth_year_estimated"):
            raise ValidationFailed(_("This field cannot be null: send a value or leave it out."), name)
    data = PersonData(**{**PersonData.from_person(person).__dict__, **sent})
    person = actions.update_person(request.user, case, person, data, expected_version=body.version)
    return _with_documents(request, case, [person])[0]


@persons_router.post(
    "/{person_uuid}/documents",
    response={201: IdentityDocumentOut},
    summary="Record another identity document of a person (needs the identity documents group)",
)
def add_document(request: HttpRequest, person_uuid: uuid.UUID, body: IdentityDocumentIn) -> Status[Any]:
    case, person = _person_for(request, person_uuid)
    data = IdentityDocumentData(**body.dict())
    with fields_renamed({"document_number": "number"}):
        return Status(201, actions.add_identity_document(request.user, case, person, data))


@persons_router.delete(
    "/{person_uuid}/documents/{document_id}",
    response={204: None},
    summary="Remove an identity document recorded in error (needs the identity documents group)",
)
def remove_document(request: HttpRequest, person_uuid: uuid.UUID, document_id: int) -> Status[None]:
    from remis.cases.models import IdentityDocument

    case, person = _person_for(request, person_uuid)
    # Who may first: the same answer for any document id to a reader without the group.
    document_writer(request.user, case, person)
    document = IdentityDocument.objects.filter(pk=document_id, person=person).select_related("person").first()
    if document is None:
        raise NotFound()  # not this person's, or removed already: the same answer
    actions.remove_identity_document(request.user, case, document)
    return Status(204, None)


class EraseIn(InputSchema):
    reason: ErasureReasonCode = Field(description="why the data is erased (kept in the audit log)")


class ErasureOut(Schema):
    person: uuid.UUID
    case: uuid.UUID
    reason: ErasureReasonCode
    status: Literal["pending", "done", "refused", "withdrawn"]
    requested_at: dt.datetime
    decided_at: dt.datetime | None = Field(None, description="when it was approved, refused or withdrawn")
    note: str = Field("", description="why it was refused or withdrawn")
    erased_items: int | None = Field(None, description="items erased, once approved")
    uuid: uuid.UUID  # the erasure request's (last: the name would hide the module's for the others)


class RefuseErasureIn(InputSchema):
    note: str = Field("", max_length=500, description="why it is refused (or withdrawn)")


def _erasure_out(erasure: Erasure, erased: int | None = None) -> dict[str, Any]:
    return {
        "uuid": erasure.uuid,
        "person": erasure.person.uuid,
        "case": erasure.case.uuid,
        "reason": erasure.reason,
        "status": erasure.status,
        "requested_at": erasure.requested_at,
        "decided_at": erasure.decided_at,
        "note": erasure.note,
        "erased_items": erased,
    }


@persons_router.post(
    "/{person_uuid}/erase",
    response={201: ErasureOut},
    summary="Ask for a person's personal data to be erased everywhere (needs person.erase; another "
    "holder approves at /erasures/{id}/approve, and only then is it erased)",
)
def erase_person(request: HttpRequest, person_uuid: uuid.UUID, body: EraseIn) -> Status[dict[str, Any]]:
    case, person = _person_for(request, person_uuid)
    erasure = actions.request_erasure(request.user, case, person, body.reason)
    return Status(201, _erasure_out(erasure))


@persons_router.post(
    "/{person_uuid}/subject-access",
    response={200: None},
    summary="Everything the organisation holds about a person, as a workbook to give them (needs "
    "person.subject_access and every sensitive group; audited, logged as a reading, not kept)",
    openapi_extra={
        "responses": {
            200: {
                "description": "the workbook",
                "content": {XLSX_TYPE: {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def person_subject_access(request: HttpRequest, person_uuid: uuid.UUID) -> HttpResponse:
    from remis.cases.actions.subject_access import export_subject_data

    case, person = _person_for(request, person_uuid)
    name, content = export_subject_data(request.user, case, person)
    return xlsx_download(content, name)


def _erasure_for(request: HttpRequest, erasure_uuid: uuid.UUID) -> Erasure:
    erasure = Erasure.objects.select_related("case", "person").filter(uuid=erasure_uuid).first()
    if erasure is None:
        raise NotFound()
    get_case_for(request.user, erasure.case.uuid)  # NotFound for a case one cannot see
    return erasure


class ErasurePage(Schema):
    items: list[ErasureOut]
    count: int = Field(description=f"requests waiting, counted up to {COUNT_CAP + 1}")
    count_capped: bool
    limit: int
    offset: int


@erasures_router.get("", response=ErasurePage, summary="Erasure requests waiting for approval, oldest first")
def pending_erasure_list(request: HttpRequest, params: Query[PageParams]) -> dict[str, Any]:
    rows = (
        Erasure.objects.filter(status=ErasureStatus.PENDING)
        .filter(case__in=visible_cases(request.user))
        .select_related("case", "person")
        .order_by("requested_at")
    )
    # Who may approve is a right on each case (its organisation's, its countries'): read per
    # case. Requests waiting are few (each is answered within days), so a list is paged.
    mine = [e for e in rows if Perm.PERSON_ERASE in case_permissions(request.user, e.case)]
    return page_out(mine, params.limit, params.offset, _erasure_out)


@erasures_router.get(
    "/{erasure_uuid}",
    response=ErasureOut,
    summary="One erasure request and its outcome (a refused one says why): for the one who asked",
)
def read_erasure(request: HttpRequest, erasure_uuid: uuid.UUID) -> dict[str, Any]:
    erasure = _erasure_for(request, erasure_uuid)
    if Perm.PERSON_ERASE not in case_permissions(request.user, erasure.case):
        raise NotFound()  # the erasure section is theirs only, as on the case page
    return _erasure_out(erasure, _items_erased(erasure))


def _items_erased(erasure: Erasure) -> int | None:
    """How many items a done erasure erased, as its audit entry says (a count, never
    sealed): read back it said null, where the approval's answer gave it."""
    from remis.audit.models import AuditEntry
    from remis.audit.sealing import readable_changes

    if erasure.status != ErasureStatus.DONE:
        return None
    entry = (
        AuditEntry.objects.filter(
            action="person.erase", object_type="cases.person", object_id=str(erasure.person_id)
        )
        .order_by("-id")
        .first()
    )
    count = readable_changes(entry).get("erased_items", [None, None])[1] if entry else None
    return int(count) if isinstance(count, int) else None


@erasures_router.post(
    "/{erasure_uuid}/approve",
    response=ErasureOut,
    summary="Approve an erasure another person asked for: the data is erased now (cannot be undone)",
)
def approve_erasure(request: HttpRequest, erasure_uuid: uuid.UUID) -> dict[str, Any]:
    erasure = _erasure_for(request, erasure_uuid)
    counts = actions.approve_erasure(request.user, erasure)
    return _erasure_out(erasure, sum(counts.values()))


@erasures_router.post(
    "/{erasure_uuid}/refuse",
    response=ErasureOut,
    summary="Refuse an erasure request (the one who asked withdraws it this way)",
)
def refuse_erasure(request: HttpRequest, erasure_uuid: uuid.UUID, body: RefuseErasureIn) -> dict[str, Any]:
    erasure = _erasure_for(request, erasure_uuid)
    actions.refuse_erasure(request.user, erasure, body.note)
    return _erasure_out(erasure)
