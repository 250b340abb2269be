"""What administrators read: organisations and roles for platform operators, the members
of an organisation for its administrators. Every read starts from the actor's rights, so a
page or endpoint cannot forget them: another organisation is "not found", a colleague
without the right is refused."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db.models import Case, Count, F, Max, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from remis.accounts.models import (
    JOINED,
    ApiToken,
    Invitation,
    Membership,
    MembershipStatus,
    Organisation,
    Role,
    User,
)
from remis.accounts.permissions import Perm
from remis.accounts.scope import grants_for, grants_with, has_perm
from remis.accounts.system import is_system
from remis.lib.errors import NotFound, PermissionDenied


def manages_platform(actor: Any) -> bool:
    return is_system(actor) or getattr(actor, "is_superuser", False) or has_perm(actor, Perm.PLATFORM_MANAGE)


def require_platform(actor: Any) -> None:
    if not manages_platform(actor):
        raise PermissionDenied()


def managed_organisation_ids(actor: Any) -> set[int]:
    return {g.organisation_id for g in grants_with(actor, Perm.ORGANISATION_MANAGE)}


def require_manager(actor: Any, organisation_id: int) -> None:
    """Another organisation is "not found"; one's own organisation without the right to
    manage it is refused. The system actor (set-up commands) manages every one."""
    if is_system(actor):
        return
    if organisation_id not in {g.organisation_id for g in grants_for(actor)}:
        raise NotFound()
    if organisation_id not in managed_organisation_ids(actor):
        raise PermissionDenied()


def managed_organisations(actor: Any) -> QuerySet[Organisation]:
    return Organisation.objects.filter(pk__in=managed_organisation_ids(actor), active=True).order_by("name")


def get_managed_organisation(actor: Any, organisation_id: int) -> Organisation:
    require_manager(actor, organisation_id)
    organisation = Organisation.objects.filter(pk=organisation_id, active=True).first()
    if organisation is None:
        raise NotFound()
    return organisation


# ---- platform: organisations and roles -----------------------------------------------------

ORGANISATION_SORTS = {
    "name": ("name",),
    "-name": ("-name",),
    "country": ("country", "name"),
    "type": ("kind", "name"),
    "members": ("-members", "name"),
}


@dataclass(frozen=True)
class OrganisationFilters:
    q: str = ""
    kind: str = ""
    active: bool | None = None  # None: both
    sort: str = "name"


def organisation_list(actor: Any, filters: OrganisationFilters) -> QuerySet[Organisation]:
    require_platform(actor)
    rows = Organisation.objects.annotate(
        members=Count("memberships", filter=Q(memberships__status=MembershipStatus.ACTIVE))
    )
    if filters.q:
        rows = rows.filter(name__icontains=filters.q.strip())
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    if filters.active is not None:
        rows = rows.filter(active=filters.active)
    return rows.order_by(*ORGANISATION_SORTS.get(filters.sort, ("name",)))


def get_organisation(actor: Any, organisation_id: int) -> Organisation:
    require_platform(actor)
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if organisation is None:
        raise NotFound()
    return organisation


def username_taken(username: str) -> bool:
    """Whether a new user may not have this username (any case: sign-in ignores it)."""
    from remis.accounts.system import SYSTEM_USERNAME

    return (
        username.strip().lower() == SYSTEM_USERNAME
        or User.objects.filter(username__iexact=username.strip()).exists()
    )


def invited_administrators(organisation_id: int) -> list[str]:
    """The names of those invited to administer the organisation who have not accepted."""
    codes = [r.code for r in Role.objects.all() if Perm.ORGANISATION_MANAGE in r.permissions]
    invited = Membership.objects.filter(
        organisation_id=organisation_id, role_id__in=codes, status=MembershipStatus.INVITED
    ).select_related("user")
    return sorted(m.user.get_full_name() or m.user.username for m in invited)


def role_list(actor: Any) -> QuerySet[Role]:
    require_platform(actor)
    return Role.objects.annotate(
        members=Count("membership", filter=Q(membership__status=MembershipStatus.ACTIVE))
    ).order_by("name")


def get_role(actor: Any, code: str) -> Role:
    require_platform(actor)
    role = Role.objects.filter(code=code).first()
    if role is None:
        raise NotFound()
    return role


def grantable_roles(actor: Any) -> QuerySet[Role]:
    """The roles an administrator may give: none that runs the platform, unless they do."""
    roles = Role.objects.order_by("name")
    if manages_platform(actor):
        return roles
    return roles.exclude(code__in=platform_role_codes())


def member_filter_roles(actor: Any, organisation: Organisation) -> QuerySet[Role]:
    """The roles an organisation's users list filters by: those its administrator may give
    and those its members hold (a platform operator's role was offered to administrators,
    who can neither give it nor find anyone holding it)."""
    held = Membership.objects.filter(organisation=organisation).values("role_id")
    return (grantable_roles(actor) | Role.objects.filter(code__in=held)).distinct()


def platform_role_codes() -> list[str]:
    # Roles are a handful of rows; their permissions are JSON, read in Python on every engine.
    return [r.code for r in Role.objects.all() if Perm.PLATFORM_MANAGE in r.permissions]


# ---- an organisation's members --------------------------------------------------------------

MEMBER_SORTS = {
    # As the list writes names: first name first (by last name, "Admin", who has none,
    # came before "Counsellor BE" while the column read "Admin · Counsellor BE · …").
    # Without regard to capitals: names are typed as each administrator types them, and
    # the database compared bytes ("bah" after every capital).
    "name": (Lower("user__first_name"), Lower("user__last_name"), Lower("user__username")),
    "username": (Lower("user__username"), "user__username"),
    "role": ("role__name", Lower("user__username")),
    "status": ("status", Lower("user__username")),
}


@dataclass(frozen=True)
class MemberFilters:
    q: str = ""
    status: str = ""  # a MembershipStatus value, or "" for all
    role: str = ""
    sort: str = "name"


def member_list(actor: Any, organisation: Organisation, filters: MemberFilters) -> QuerySet[Membership]:
    """The organisation's memberships with their user and role, and for the invited the
    expiry of their latest pending link (`link_expires_at`, None when there is none)."""
    require_manager(actor, organisation.pk)
    pending = Invitation.objects.filter(
        membership=OuterRef("pk"), accepted_at__isnull=True, revoked_at__isnull=True
    )
    rows = (
        Membership.objects.filter(organisation=organisation)
        .select_related("user", "role")
        .annotate(
            link_expires_at=Subquery(pending.values("membership").annotate(m=Max("expires_at")).values("m"))
        )
    )
    # An account holder who has not accepted to join is named by username alone
    # (`Membership.member_name`): neither found by their name or email nor sorted by it.
    shown = ~Q(status=MembershipStatus.INVITED) | Q(user__password__startswith=UNUSABLE_PASSWORD_PREFIX)
    if filters.q:
        for word in filters.q.split():
            rows = rows.filter(
                Q(user__username__icontains=word)
                | (
                    shown
                    & (
                        Q(user__first_name__icontains=word)
                        | Q(user__last_name__icontains=word)
                        | Q(user__email__icontains=word)
                    )
                )
            )
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.role:
        rows = rows.filter(role_id=filters.role)
    if filters.sort not in MEMBER_SORTS or filters.sort == "name":
        rows = rows.annotate(
            shown_first=Case(When(shown, then=F("user__first_name")), default=F("user__username")),
            shown_last=Case(When(shown, then=F("user__last_name")), default=Value("")),
        )
        return rows.order_by(Lower("shown_first"), Lower("shown_last"), Lower("user__username"), "pk")
    return rows.order_by(*MEMBER_SORTS[filters.sort])


def get_member(actor: Any, organisation: Organisation, user_id: int) -> Membership:
    require_manager(actor, organisation.pk)
    membership = (
        Membership.objects.select_related("user", "role", "organisation")
        .filter(organisation=organisation, user_id=user_id)
        .first()
    )
    if membership is None:
        raise NotFound()
    return membership


def home_organisation_id(user_id: int) -> int | None:
    """The organisation a user's account answers to: the first they joined among those they
    are an active member of. Another organisation can add them (a consultant working for
    two partners) without their agreement, so what acts on the account itself (resetting
    its second factor, revoking its API tokens, reading them) is for the home
    organisation's administrators only, or an administrator anywhere could weaken anyone's
    sign-in by first adding them."""
    # In an active organisation: one deactivated grants nothing, and its administrators,
    # left with no access, could never help the account again (nor could anyone else).
    return (
        Membership.objects.filter(user_id=user_id, status=MembershipStatus.ACTIVE, organisation__active=True)
        .order_by("pk")
        .values_list("organisation_id", flat=True)
        .first()
    )


def home_organisation(user_id: int) -> Organisation | None:
    found = home_organisation_id(user_id)
    return None if found is None else Organisation.objects.filter(pk=found).first()


def administers_account(membership: Membership) -> bool:
    """Whether the administrators of this membership's organisation act on the account
    (`home_organisation_id`); the reader already manages the membership (`get_member`)."""
    return home_organisation_id(membership.user_id) == membership.organisation_id


def require_account_admin(membership: Membership) -> None:
    """PermissionDenied, naming the home organisation, unless `administers_account`; not
    naming it to an organisation whose invitation they have not accepted."""
    if administers_account(membership):
        return
    if membership.awaits_account_holder:
        raise PermissionDenied(
            _("They have not accepted to join this organisation: their account is not managed here.")
        )
    home = home_organisation(membership.user_id)
    raise PermissionDenied(
        _(
            "Their sign-in and API tokens are managed by the administrators of %(name)s, the "
            "organisation they first joined."
        )
        % {"name": home.name if home else "—"}
    )


def member_tokens(membership: Membership) -> QuerySet[ApiToken]:
    """The API tokens of a member whose membership the reader manages (`get_member`)."""
    return ApiToken.objects.filter(user_id=membership.user_id).order_by("-created_at")


def pending_invitation(membership: Membership) -> Invitation | None:
    return (
        membership.invitations.filter(accepted_at__isnull=True, revoked_at__isnull=True)
        .order_by("-created_at")
        .first()
    )


def link_is_live(invitation: Invitation | None) -> bool:
    return invitation is not None and invitation.pending and invitation.expires_at > timezone.now()


def my_account(user: Any) -> dict[str, Any]:
    """The user and their active memberships in active organisations, each with its role's
    permissions: what an API client needs to know whom it acts for (`GET /me`)."""
    return {
        "user_id": user.pk,
        "username": user.get_username(),
        "first_name": user.first_name,
        "last_name": user.last_name,
        "language": user.preferred_language,
        "memberships": [
            {**_membership_terms(m), "permissions": sorted(m.role.permissions)} for m in memberships_of(user)
        ],
        "invitations": [_membership_terms(m) for m in invitations_to(user)],
    }


def _membership_terms(m: Membership) -> dict[str, Any]:
    """Where and as what a membership (held or offered) places the user."""
    return {
        "organisation_id": m.organisation_id,
        "organisation": m.organisation.name,
        "organisation_kind": m.organisation.kind,
        "organisation_country": m.organisation.country,
        "role": m.role_id,
        "role_name": m.role.label,
        "countries": [] if m.all_countries else sorted(m.countries),
        "all_countries": m.all_countries,
    }


def members_of(organisation_ids: Any) -> Any:
    """The ids (`user_id`) of those who belong or belonged to these organisations: not
    those only invited, who may work for another organisation and have not accepted."""
    return Membership.objects.filter(organisation_id__in=organisation_ids, status__in=JOINED).values(
        "user_id"
    )


def memberships_of(user: Any) -> QuerySet[Membership]:
    """The user's active memberships in active organisations, by organisation name."""
    return (
        Membership.objects.filter(user=user, status=MembershipStatus.ACTIVE, organisation__active=True)
        .select_related("organisation", "role")
        .order_by("organisation__name")
    )


def invitations_to(user: Any) -> QuerySet[Membership]:
    """The organisations that invite this signed-in user's account and wait for their
    answer (`actions.answer_invitation`), by organisation name."""
    if not user.is_authenticated or not user.has_usable_password():
        return Membership.objects.none()
    return (
        Membership.objects.filter(user=user, status=MembershipStatus.INVITED, organisation__active=True)
        .select_related("organisation", "role")
        .order_by("organisation__name", "pk")
    )
