"""Administration endpoints under /api/v1: organisations and roles for platform operators
(`/platform/…`), an organisation's users and invitations for its administrators
(`/organisation/{organisation_id}/…`). The same actions and scoped queries as the pages.

Edits of organisations, roles and memberships carry the `version` read: a stale one is a
409, so two administrators never overwrite each other silently."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, TypeAlias, cast

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from remis.accounts import actions
from remis.accounts import fields as rules
from remis.accounts.actions import sign_in as sign_in_actions
from remis.accounts.models import Membership, MembershipStatus, Organisation, OrganisationType, Role, User
from remis.accounts.permissions import ALL_PERMISSIONS, permission_labels
from remis.accounts.queries import (
    MEMBER_SORTS,
    ORGANISATION_SORTS,
    MemberFilters,
    OrganisationFilters,
    get_managed_organisation,
    get_member,
    get_organisation,
    get_role,
    member_list,
    my_account,
    organisation_list,
    pending_invitation,
    role_list,
)
from remis.lib.api_schema import InputSchema, literal_of
from remis.lib.errors import ValidationFailed
from remis.lib.fields import max_length
from remis.lib.paging import COUNT_CAP

platform_router = Router(tags=["platform"])
organisation_router = Router(tags=["organisation"])
me_router = Router(tags=["me"])

if TYPE_CHECKING:
    KindCode: TypeAlias = str
    StatusCode: TypeAlias = str
    PermissionCode: TypeAlias = str
    OrganisationSort: TypeAlias = str
    MemberSort: TypeAlias = str
else:
    KindCode = literal_of(OrganisationType)
    StatusCode = literal_of(MembershipStatus)
    PermissionCode = literal_of(sorted(ALL_PERMISSIONS))
    OrganisationSort = literal_of(ORGANISATION_SORTS)
    MemberSort = literal_of(MEMBER_SORTS)


class In(InputSchema):
    """Input: unknown fields refused (not silently dropped), no control characters."""


def _page(rows: Any, limit: int, offset: int) -> dict[str, Any]:
    count = rows[: COUNT_CAP + 1].count()
    return {
        "items": list(rows[offset : offset + limit]),
        "count": count,
        "count_capped": count > COUNT_CAP,
        "limit": limit,
        "offset": offset,
    }


# ---- organisations -------------------------------------------------------------------------


class OrganisationOut(Schema):
    id: int
    name: str
    kind: KindCode
    country: str = Field(description="ISO 3166-1 alpha-2 code of its office")
    active: bool
    version: int


class OrganisationPage(Schema):
    items: list[OrganisationOut]
    count: int = Field(description=f"matching organisations, counted up to {COUNT_CAP + 1}")
    count_capped: bool
    limit: int
    offset: int


class OrganisationParams(InputSchema):
    q: str = Field("", max_length=200, description="part of the name")
    kind: KindCode | None = None
    active: bool | None = Field(None, description="only active (true) or deactivated (false) ones")
    sort: OrganisationSort = "name"
    limit: int = Field(25, ge=1, le=200)
    offset: int = Field(0, ge=0, le=100_000)


class OrganisationIn(In):
    name: str = Field(min_length=1, max_length=max_length(rules.ORGANISATION, "name"))
    kind: KindCode
    country: str = Field(min_length=2, max_length=2)


class OrganisationPatch(In):
    """Only the fields sent change; `active` false deactivates (its members lose access)."""

    version: int = Field(description="the version you read")
    name: str | None = Field(None, min_length=1, max_length=max_length(rules.ORGANISATION, "name"))
    kind: KindCode | None = None
    country: str | None = Field(None, min_length=2, max_length=2)
    active: bool | None = None


@platform_router.get("/organisations", response=OrganisationPage, summary="List organisations")
def list_organisations(request: HttpRequest, params: Query[OrganisationParams]) -> dict[str, Any]:
    filters = OrganisationFilters(q=params.q, kind=params.kind or "", active=params.active, sort=params.sort)
    return _page(organisation_list(request.user, filters), params.limit, params.offset)


@platform_router.post("/organisations", response={201: OrganisationOut}, summary="Create an organisation")
def create_organisation(request: HttpRequest, body: OrganisationIn) -> Any:
    org = actions.create_organisation(request.user, name=body.name, kind=body.kind, country=body.country)
    return Status(201, org)


@platform_router.get("/organisations/{organisation_id}", response=OrganisationOut)
def read_organisation(request: HttpRequest, organisation_id: int) -> Organisation:
    return get_organisation(request.user, organisation_id)


@platform_router.patch(
    "/organisations/{organisation_id}",
    response=OrganisationOut,
    summary="Edit, deactivate or reactivate an organisation (send the version you read)",
)
def edit_organisation(request: HttpRequest, organisation_id: int, body: OrganisationPatch) -> Organisation:
    org = get_organisation(request.user, organisation_id)
    version = body.version
    if body.name is not None or body.kind is not None or body.country is not None:
        actions.update_organisation(
            request.user,
            org,
            version=version,
            name=org.name if body.name is None else body.name,
            kind=org.kind if body.kind is None else body.kind,
            country=org.country if body.country is None else body.country,
        )
        version = org.version
    if body.active is not None:
        actions.set_organisation_active(request.user, org, active=body.active, version=version)
    return org


# ---- roles ---------------------------------------------------------------------------------


class PermissionOut(Schema):
    code: str
    description: str = Field(description="what it lets a holder do, in the request's language")


class RoleOut(Schema):
    code: str
    name: str
    # Plain strings on the way out: a code stored before a permission was renamed must not
    # make the answer fail; what is written is checked against the enum (RoleIn, RolePatch).
    permissions: list[str]
    version: int


class RoleIn(In):
    code: str = Field(
        min_length=2, max_length=max_length(rules.ROLE, "code"), pattern=f"^{rules.ROLE_CODE.pattern}$"
    )
    name: str = Field(min_length=1, max_length=max_length(rules.ROLE, "name"))
    permissions: list[PermissionCode] = []


class RolePatch(In):
    version: int = Field(description="the version you read")
    name: str | None = Field(None, min_length=1, max_length=max_length(rules.ROLE, "name"))
    permissions: list[PermissionCode] | None = Field(None, description="the whole new set")


@platform_router.get("/permissions", response=list[PermissionOut], summary="Every permission a role can hold")
def list_permissions(request: HttpRequest) -> list[dict[str, str]]:
    role_list(request.user)  # the same right as the roles
    return [{"code": str(code), "description": str(text)} for code, text in permission_labels().items()]


@platform_router.get("/roles", response=list[RoleOut], summary="List roles (global to the deployment)")
def list_roles(request: HttpRequest) -> list[Role]:
    return list(role_list(request.user))


@platform_router.post("/roles", response={201: RoleOut}, summary="Create a role")
def create_role(request: HttpRequest, body: RoleIn) -> Any:
    role = actions.create_role(request.user, code=body.code, name=body.name, permissions=body.permissions)
    return Status(201, role)


@platform_router.get("/roles/{code}", response=RoleOut)
def read_role(request: HttpRequest, code: str) -> Role:
    return get_role(request.user, code)


@platform_router.patch(
    "/roles/{code}",
    response=RoleOut,
    summary="Rename a role or set its permissions (send the version you read)",
)
def edit_role(request: HttpRequest, code: str, body: RolePatch) -> Role:
    role = get_role(request.user, code)
    actions.update_role(
        request.user, role, version=body.version, name=body.name, permissions=body.permissions
    )
    return role


# ---- an organisation's users ---------------------------------------------------------------


class MemberOut(Schema):
    user_id: int
    username: str
    first_name: str
    last_name: str
    email: str
    role: str
    countries: list[str]
    all_countries: bool
    status: StatusCode
    invitation_expires_at: dt.datetime | None = Field(description="of the pending link, for the invited")
    version: int

    @staticmethod
    def resolve_username(obj: Membership) -> str:
        return obj.user.username

    # Empty while an account holder has not accepted to join (`Membership.member_name`).
    @staticmethod
    def resolve_first_name(obj: Membership) -> str:
        return "" if obj.awaits_account_holder else obj.user.first_name

    @staticmethod
    def resolve_last_name(obj: Membership) -> str:
        return "" if obj.awaits_account_holder else obj.user.last_name

    @staticmethod
    def resolve_email(obj: Membership) -> str:
        return obj.member_email

    @staticmethod
    def resolve_role(obj: Membership) -> str:
        return obj.role_id

    @staticmethod
    def resolve_invitation_expires_at(obj: Membership) -> dt.datetime | None:
        if obj.status != MembershipStatus.INVITED:
            return None
        expires = getattr(obj, "link_expires_at", None)
        if expires is None:
            invitation = pending_invitation(obj)
            expires = invitation.expires_at if invitation else None
        return expires


class MemberPage(Schema):
    items: list[MemberOut]
    count: int = Field(description=f"matching users, counted up to {COUNT_CAP + 1}")
    count_capped: bool
    limit: int
    offset: int


class MemberParams(InputSchema):
    status: StatusCode | None = None
    role: str = ""
    sort: MemberSort = "name"
    limit: int = Field(25, ge=1, le=200)
    offset: int = Field(0, ge=0, le=100_000)


class MemberSearch(MemberParams):
    """Words of names and emails go in a POST body, so that they never appear in a URL or
    an access log (as the case search's)."""

    q: str = Field("", max_length=150, description="words of the name, username or email")


class InvitationIn(In):
    username: str = Field(min_length=1, max_length=max_length(rules.USER, "username"))
    first_name: str = Field(min_length=1, max_length=max_length(rules.USER, "first_name"))
    last_name: str = Field(min_length=1, max_length=max_length(rules.USER, "last_name"))
    email: str = Field("", max_length=max_length(rules.USER, "email"))
    role: str
    countries: list[str] = Field([], description="ISO 3166-1 alpha-2 codes; or all_countries")
    all_countries: bool = False


class InvitationOut(Schema):
    member: MemberOut
    link: str = Field(description="the one-time link to pass on; shown only in this answer")
    expires_at: dt.datetime


class PasswordLinkOut(Schema):
    link: str = Field(description="the one-time link to pass on; shown only in this answer")
    expires_at: dt.datetime


class PauseOut(Schema):
    lifted: bool = Field(description="false when signing in was not paused")


class ExistingMemberIn(In):
    username: str = Field(min_length=1, max_length=max_length(rules.USER, "username"))
    role: str
    countries: list[str] = Field([], description="ISO 3166-1 alpha-2 codes; or all_countries")
    all_countries: bool = False


class MembershipPatch(In):
    version: int = Field(description="the membership version you read")
    role: str | None = None
    countries: list[str] | None = None
    all_countries: bool | None = None


class StatusIn(In):
    version: int | None = Field(None, description="the membership version you read (recommended)")


def _member(request: HttpRequest, organisation_id: int, user_id: int) -> Membership:
    return get_member(request.user, get_managed_organisation(request.user, organisation_id), user_id)


def _invitation_answer(request: HttpRequest, membership: Membership, raw: str) -> dict[str, Any]:
    invitation = pending_invitation(membership)
    return {
        "member": membership,
        "link": request.build_absolute_uri(reverse("invitation_accept", args=[raw])),
        "expires_at": invitation.expires_at if invitation else timezone.now(),
    }


class FirstAdministratorIn(In):
    username: str = Field(min_length=1, max_length=max_length(rules.USER, "username"))
    first_name: str = Field(min_length=1, max_length=max_length(rules.USER, "first_name"))
    last_name: str = Field(min_length=1, max_length=max_length(rules.USER, "last_name"))
    email: str = Field("", max_length=max_length(rules.USER, "email"))


@platform_router.post(
    "/organisations/{organisation_id}/first-administrator",
    response={201: InvitationOut},
    summary="Invite the administrator of an organisation that has no active one (platform operators)",
)
def invite_first_administrator(request: HttpRequest, organisation_id: int, body: FirstAdministratorIn) -> Any:
    organisation = get_organisation(request.user, organisation_id)
    membership, raw = actions.invite_first_administrator(request.user, organisation, **body.dict())
    return Status(201, _invitation_answer(request, membership, raw))


@organisation_router.get(
    "/{organisation_id}/users", response=MemberPage, summary="List the organisation's users"
)
def list_members(request: HttpRequest, organisation_id: int, params: Query[MemberParams]) -> dict[str, Any]:
    return _members(request, organisation_id, params)


@organisation_router.post(
    "/{organisation_id}/users/search",
    response=MemberPage,
    summary="Search the organisation's users by words of their name, username or email",
)
def search_members(request: HttpRequest, organisation_id: int, body: MemberSearch) -> dict[str, Any]:
    return _members(request, organisation_id, body, body.q)


def _members(request: HttpRequest, organisation_id: int, params: MemberParams, q: str = "") -> dict[str, Any]:
    organisation = get_managed_organisation(request.user, organisation_id)
    if params.role and not Role.objects.filter(code=params.role).exists():
        # An unknown role would match nobody: say so rather than answer an empty list.
        raise ValidationFailed(_("Unknown role “%(role)s”.") % {"role": params.role}, "role")
    filters = MemberFilters(q=q, status=params.status or "", role=params.role, sort=params.sort)
    return _page(member_list(request.user, organisation, filters), params.limit, params.offset)


@organisation_router.get("/{organisation_id}/users/{user_id}", response=MemberOut)
def read_member(request: HttpRequest, organisation_id: int, user_id: int) -> Membership:
    return _member(request, organisation_id, user_id)


@organisation_router.post(
    "/{organisation_id}/invitations",
    response={201: InvitationOut},
    summary="Invite a user: creates them (not able to sign in yet) and a one-time link",
)
def invite(request: HttpRequest, organisation_id: int, body: InvitationIn) -> Any:
    organisation = get_managed_organisation(request.user, organisation_id)
    membership, raw = actions.invite_user(request.user, organisation, **body.dict())
    return Status(201, _invitation_answer(request, membership, raw))


@organisation_router.post(
    "/{organisation_id}/users",
    response={201: MemberOut},
    summary=(
        "Invite someone who already has an account (in another organisation): the membership is "
        "'invited', grants nothing and names them by username only until they accept it, signed in"
    ),
)
def add_existing(request: HttpRequest, organisation_id: int, body: ExistingMemberIn) -> Any:
    organisation = get_managed_organisation(request.user, organisation_id)
    return Status(201, actions.add_existing_member(request.user, organisation, **body.dict()))


@organisation_router.patch(
    "/{organisation_id}/users/{user_id}",
    response=MemberOut,
    summary="Change a member's role or countries (send the version you read)",
)
def edit_member(
    request: HttpRequest, organisation_id: int, user_id: int, body: MembershipPatch
) -> Membership:
    membership = _member(request, organisation_id, user_id)
    if body.all_countries and body.countries:
        # Both sent: the countries were dropped without a word (the page's checkbox and list
        # are one choice; a client sending both means one of them by mistake).
        raise ValidationFailed(
            _("Send either all_countries true or a list of countries, not both."), "countries"
        )
    actions.update_membership(
        request.user,
        membership,
        version=body.version,
        role=body.role,
        countries=body.countries,
        all_countries=body.all_countries,
    )
    return membership


@organisation_router.post(
    "/{organisation_id}/users/{user_id}/deactivate", response=MemberOut, summary="End a member's access"
)
def deactivate_member(request: HttpRequest, organisation_id: int, user_id: int, body: StatusIn) -> Membership:
    membership = _member(request, organisation_id, user_id)
    actions.deactivate_membership(request.user, membership, version=body.version)
    return membership


@organisation_router.post(
    "/{organisation_id}/users/{user_id}/reactivate",
    response=MemberOut,
    summary="Give a member their access back",
)
def reactivate_member(request: HttpRequest, organisation_id: int, user_id: int, body: StatusIn) -> Membership:
    membership = _member(request, organisation_id, user_id)
    actions.reactivate_membership(request.user, membership, version=body.version)
    return membership


@organisation_router.post(
    "/{organisation_id}/users/{user_id}/invitation",
    response={201: InvitationOut},
    summary="A new invitation link for someone who has not accepted (earlier links stop working)",
)
def reissue(request: HttpRequest, organisation_id: int, user_id: int) -> Any:
    membership = _member(request, organisation_id, user_id)
    raw = actions.reissue_invitation(request.user, membership)
    return Status(201, _invitation_answer(request, membership, raw))


@organisation_router.delete(
    "/{organisation_id}/users/{user_id}/invitation",
    response={204: None},
    summary="Revoke the pending invitation link (the invited user stays)",
)
def revoke(request: HttpRequest, organisation_id: int, user_id: int) -> Any:
    actions.revoke_invitation(request.user, _member(request, organisation_id, user_id))
    return Status(204, None)


@organisation_router.delete(
    "/{organisation_id}/users/{user_id}",
    response={204: None},
    summary="Withdraw an invitation never accepted (removes the user it created)",
)
def withdraw(request: HttpRequest, organisation_id: int, user_id: int) -> Any:
    actions.withdraw_invitation(request.user, _member(request, organisation_id, user_id))
    return Status(204, None)


@organisation_router.post(
    "/{organisation_id}/users/{user_id}/password-link",
    response={201: PasswordLinkOut},
    summary="A one-time link with which a member who forgot their password chooses a new one "
    "(their home organisation's administrators; earlier links stop working)",
)
def password_link(request: HttpRequest, organisation_id: int, user_id: int) -> Any:
    organisation = get_managed_organisation(request.user, organisation_id)
    raw, link = sign_in_actions.make_password_link(cast(User, request.user), organisation, user_id)
    return Status(
        201,
        {
            "link": request.build_absolute_uri(reverse("password_link", args=[raw])),
            "expires_at": link.expires_at,
        },
    )


@organisation_router.delete(
    "/{organisation_id}/users/{user_id}/sign-in-pause",
    response=PauseOut,
    summary="Lift the pause on a member's sign-in after repeated wrong passwords (their home "
    "organisation's administrators)",
)
def lift_pause(request: HttpRequest, organisation_id: int, user_id: int) -> dict[str, bool]:
    organisation = get_managed_organisation(request.user, organisation_id)
    return {"lifted": sign_in_actions.lift_sign_in_pause(cast(User, request.user), organisation, user_id)}


# ---- the token's owner -----------------------------------------------------------------------


class MyMembershipOut(Schema):
    organisation_id: int = Field(description="what `POST /cases` and the organisation endpoints take")
    organisation: str
    organisation_kind: KindCode
    organisation_country: str = Field(description="ISO 3166-1 alpha-2 code of its office")
    role: str
    role_name: str = Field(description="in the language asked (Accept-Language)")
    countries: list[str] = Field(description="ISO 3166-1 alpha-2 codes; empty with all_countries")
    all_countries: bool
    permissions: list[str]


class MyInvitationOut(Schema):
    organisation_id: int
    organisation: str
    organisation_kind: KindCode
    organisation_country: str = Field(description="ISO 3166-1 alpha-2 code of its office")
    role: str = Field(description="the role it offers")
    role_name: str = Field(description="in the language asked (Accept-Language)")
    countries: list[str] = Field(description="ISO 3166-1 alpha-2 codes; empty with all_countries")
    all_countries: bool


class MeOut(Schema):
    user_id: int
    username: str
    first_name: str
    last_name: str
    language: str = Field(description="en, fr or ar; empty follows the browser")
    memberships: list[MyMembershipOut] = Field(description="the active ones: what the token may act through")
    invitations: list[MyInvitationOut] = Field(
        description=(
            "organisations inviting the account, waiting for its answer: accepted or declined on the "
            "'Your organisations' page, signed in, never with a token (joining widens what every token "
            "of the account reaches)"
        )
    )


@me_router.get("", response=MeOut, summary="Who the token acts for: the user and their active memberships")
def read_me(request: HttpRequest) -> dict[str, Any]:
    return my_account(request.user)
