"""An organisation's administrators' writes (`organisation.manage`, in that organisation
only): inviting users, changing a member's role and countries, deactivating and
reactivating members, and the invitee accepting their invitation.

An invitation creates the user, unable to sign in (inactive, no password), and a one-time
link (only its hash is stored) that the administrator passes on: no email is sent. The
invitee opens it, chooses a password and is active. Users are never deleted once they may
have written anything; an invitation never accepted can be withdrawn, which deletes the
user it created.

Someone who already has an account (in another organisation) is invited by username
instead: no link, since a link sets a password; they accept or decline once signed in
(`answer_invitation`). Until they accept, the membership grants nothing and the inviting
organisation sees their username only, not their name or email."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models.deletion import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from remis.accounts import fields as rules
from remis.accounts.actions.common import (
    check_version,
    keep_organisation_managed,
    keep_platform_managed,
    organisation_managers,
    platform_managers,
    refuse,
    save_versioned,
)
from remis.accounts.models import (
    Invitation,
    Membership,
    MembershipStatus,
    Organisation,
    Role,
    User,
    hash_token,
)
from remis.accounts.permissions import Perm
from remis.accounts.queries import manages_platform, platform_role_codes, require_manager, username_taken
from remis.accounts.scope import forget_grants
from remis.accounts.system import SYSTEM_USERNAME
from remis.audit.actions import created, diff, record, snapshot
from remis.audit.models import AuditEntry
from remis.lib.countries import is_country
from remis.lib.errors import (
    Conflict,
    Duplicate,
    NotFound,
    PermissionDenied,
    TransitionRefused,
    ValidationFailed,
)
from remis.lib.fields import check_values

INVITATION_DAYS = 7  # how long an invitation link stays valid


def _require_may_grant(actor: Any, role_code: str) -> None:
    """Only those who run the platform give (or take away) a role that runs it."""
    if role_code in platform_role_codes() and not manages_platform(actor):
        raise PermissionDenied(
            _("Only a platform operator can give or change a role that runs the platform.")
        )


def _country_errors(countries: list[str], all_countries: bool) -> list[tuple[str, str]]:
    unknown = [c for c in countries if not is_country(c)]
    if unknown:
        return [("countries", _("Unknown country code(s): %(codes)s.") % {"codes": ", ".join(unknown)})]
    if not countries and not all_countries:
        return [("countries", _("Choose at least one country, or all countries."))]
    return []


def _role_errors(role: str) -> list[tuple[str, str]]:
    if not Role.objects.filter(code=role).exists():
        return [("role", _("Unknown role “%(role)s”.") % {"role": role})]
    return []


def _revoke_pending(actor: Any, membership: Membership, now: dt.datetime) -> int:
    """End the membership's pending invitation links at `now`, each audited; how many."""
    pending = list(membership.invitations.filter(accepted_at__isnull=True, revoked_at__isnull=True))
    for invitation in pending:
        invitation.revoked_at = now
        invitation.save(update_fields=["revoked_at"])
        record(
            actor,
            "invitation.revoke",
            invitation,
            organisation_id=membership.organisation_id,
            changes={"revoked_at": [None, now.isoformat()]},
        )
    return len(pending)


def _new_invitation(actor: Any, membership: Membership) -> str:
    """A new link for the membership (earlier pending ones are revoked); the raw token is
    returned once and never stored."""
    now = timezone.now()
    # The earlier links stop working, each with its entry (the log showed a second link made
    # and nothing saying the first one ended).
    _revoke_pending(actor, membership, now)
    raw = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        membership=membership,
        token_hash=hash_token(raw),
        created_by=actor,
        expires_at=now + dt.timedelta(days=INVITATION_DAYS),
    )
    record(
        actor,
        "invitation.issue",
        invitation,
        organisation_id=membership.organisation_id,
        changes={"user": [None, membership.user_id], "expires_at": [None, invitation.expires_at.isoformat()]},
    )
    return raw


def invite_user(
    actor: Any,
    organisation: Organisation,
    *,
    username: str,
    first_name: str,
    last_name: str,
    email: str = "",
    role: str,
    countries: Iterable[str] = (),
    all_countries: bool = False,
) -> tuple[Membership, str]:
    """Create a user who cannot sign in yet, their membership and an invitation link.
    Returns the membership and the raw token of the link (shown once)."""
    require_manager(actor, organisation.pk)
    return _invite(
        actor,
        organisation,
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=email,
        role=role,
        countries=countries,
        all_countries=all_countries,
    )


def administrator_role() -> str:
    """The role an organisation's first administrator gets: the shipped `administrator`,
    else the first role that manages an organisation."""
    codes = sorted(r.code for r in Role.objects.all() if Perm.ORGANISATION_MANAGE in r.permissions)
    if not codes:
        raise TransitionRefused(_("No role manages an organisation: add one to a role first."), "role")
    return "administrator" if "administrator" in codes else codes[0]


def invite_first_administrator(
    actor: Any, organisation: Organisation, *, username: str, first_name: str, last_name: str, email: str = ""
) -> tuple[Membership, str]:
    """A platform operator invites the administrator of an organisation that has no active
    one (a new organisation, or one whose administrators all left): without it, nobody
    could ever invite its users. All countries, as `create_first_admin` does; the
    administrator then invites the others. Two operators at once: under the organisation's
    row lock, the second is refused if the first one's invitee already accepted."""
    if not manages_platform(actor):
        raise PermissionDenied()
    with transaction.atomic():
        locked = Organisation.objects.select_for_update().filter(pk=organisation.pk, active=True).first()
        if locked is None:
            raise TransitionRefused(
                _("This organisation is deactivated: reactivate it first."), "organisation"
            )
        if organisation_managers(locked.pk):
            raise TransitionRefused(
                _("“%(name)s” has an administrator: they invite its users.") % {"name": locked.name},
                "organisation",
            )
        return _invite(
            actor,
            locked,
            username=username,
            first_name=first_name,
            last_name=last_name,
            email=email,
            role=administrator_role(),
            all_countries=True,
        )


def _invite(
    actor: Any,
    organisation: Organisation,
    *,
    username: str,
    first_name: str,
    last_name: str,
    email: str = "",
    role: str,
    countries: Iterable[str] = (),
    all_countries: bool = False,
) -> tuple[Membership, str]:
    username, first_name, last_name, email = (v.strip() for v in (username, first_name, last_name, email))
    codes = sorted({c.strip().upper() for c in countries if c.strip()})
    values = {"username": username, "first_name": first_name, "last_name": last_name, "email": email}
    errors = check_values(rules.USER, values, timezone.localdate())
    for field, message in (
        ("username", _("Choose a username.")),
        ("first_name", _("Enter the first name.")),
        ("last_name", _("Enter the last name.")),
    ):
        if not values[field]:
            errors.append((field, message))
    refuse(errors + _role_errors(role) + _country_errors(codes, all_countries))
    _require_may_grant(actor, role)
    if username_taken(username):
        raise Duplicate(_("The username “%(username)s” is taken.") % {"username": username}, "username")
    try:
        with transaction.atomic():
            user = User(
                username=username, first_name=first_name, last_name=last_name, email=email, is_active=False
            )
            user.set_unusable_password()
            user.save()
            membership = Membership.objects.create(
                user=user,
                organisation=organisation,
                role_id=role,
                countries=[] if all_countries else codes,
                all_countries=all_countries,
                status=MembershipStatus.INVITED,
            )
            record(
                actor,
                "user.invite",
                user,
                organisation_id=organisation.pk,
                changes=created(user, ["username", "first_name", "last_name", "email"]),
            )
            record(
                actor,
                "membership.create",
                membership,
                organisation_id=organisation.pk,
                changes=created(
                    membership, ["user", "organisation", "role", "countries", "all_countries", "status"]
                ),
            )
            raw = _new_invitation(actor, membership)
    except IntegrityError:  # the same username invited by someone else at the same moment
        raise Duplicate(
            _("The username “%(username)s” is taken.") % {"username": username}, "username"
        ) from None
    return membership, raw


def add_existing_member(
    actor: Any,
    organisation: Organisation,
    *,
    username: str,
    role: str,
    countries: Iterable[str] = (),
    all_countries: bool = False,
) -> Membership:
    """Invite someone who already signs in for another organisation (a consultant working
    for two partners): no new account and no link. The membership is pending until they
    accept it themselves (`answer_invitation`): an administrator anywhere could otherwise
    make anyone a member of their organisation, and read their name and email."""
    require_manager(actor, organisation.pk)
    codes = sorted({c.strip().upper() for c in countries if c.strip()})
    refuse(_role_errors(role) + _country_errors(codes, all_countries))
    _require_may_grant(actor, role)
    user = (
        User.objects.filter(username__iexact=username.strip(), is_active=True)
        .exclude(username=SYSTEM_USERNAME)
        .first()
    )
    if user is None or not user.has_usable_password():
        raise ValidationFailed(_("No active user has this username."), "username")
    if Membership.objects.filter(user=user, organisation=organisation).exists():
        raise Duplicate(_("This user is already a member of the organisation."), "username")
    try:
        with transaction.atomic():
            membership = Membership.objects.create(
                user=user,
                organisation=organisation,
                role_id=role,
                countries=[] if all_countries else codes,
                all_countries=all_countries,
                status=MembershipStatus.INVITED,
            )
            record(
                actor,
                "membership.invite",
                membership,
                organisation_id=organisation.pk,
                changes=created(
                    membership, ["user", "organisation", "role", "countries", "all_countries", "status"]
                ),
            )
    except IntegrityError:
        raise Duplicate(_("This user is already a member of the organisation."), "username") from None
    return membership


def _organisation_deactivated(organisation: Organisation) -> Conflict:
    return Conflict(
        _(
            "%(organisation)s is deactivated in REMIS: this invitation can be accepted once it "
            "is active again."
        )
        % {"organisation": organisation.name}
    )


def answer_invitation(
    actor: Any, organisation_id: int, *, accept: bool, expected_version: int | None = None
) -> Membership:
    """The signed-in user accepts (the membership becomes active) or declines (it is
    deleted) an organisation's invitation to their existing account; audited as theirs.
    Under the membership's lock: a second tab, or the administrator withdrawing it at the
    same moment, finds it answered or gone and is told so. Accepting takes the version
    of the invitation as the user read it: a role or countries changed since (an
    administrator's role, all countries) are shown before they are accepted."""
    with transaction.atomic():
        membership = (
            Membership.objects.select_for_update()
            .select_related("organisation", "user")
            .filter(user_id=actor.pk, organisation_id=organisation_id)
            .first()
        )
        if membership is None or membership.status != MembershipStatus.INVITED:
            raise Conflict(_("This invitation was answered or withdrawn meanwhile."))
        if not membership.user.has_usable_password():
            raise NotFound()  # a link invitation: its link is the only way to accept it
        if accept and not membership.organisation.active:
            raise _organisation_deactivated(membership.organisation)
        if accept and membership.version != expected_version:
            raise Conflict(
                _(
                    "The invitation was changed since you read it: read its role and countries again, "
                    "then answer."
                )
            )
        if accept:
            membership.status = MembershipStatus.ACTIVE
            save_versioned(membership, None, ["status"])
            record(
                actor,
                "membership.accept",
                membership,
                organisation_id=organisation_id,
                changes={"status": [MembershipStatus.INVITED.value, MembershipStatus.ACTIVE.value]},
            )
        else:
            record(
                actor,
                "membership.decline",
                membership,
                organisation_id=organisation_id,
                changes={"user": [membership.user_id, None], "role": [membership.role_id, None]},
            )
            membership.delete()
    forget_grants(actor)
    return membership


def _require_member_admin(actor: Any, membership: Membership) -> None:
    require_manager(actor, membership.organisation_id)
    _require_may_grant(actor, membership.role_id)


def update_membership(
    actor: Any,
    membership: Membership,
    *,
    version: int,
    role: str | None = None,
    countries: Iterable[str] | None = None,
    all_countries: bool | None = None,
) -> dict[str, list[Any]]:
    """Change a member's role or countries. Nothing changed: nothing written. Refused when
    it would take the organisation's last administrator away."""
    _require_member_admin(actor, membership)
    check_version(membership, version)
    role = membership.role_id if role is None else role
    all_countries = membership.all_countries if all_countries is None else all_countries
    codes = sorted(
        {c.strip().upper() for c in (membership.countries if countries is None else countries) if c.strip()}
    )
    if all_countries:
        codes = []
    refuse(_role_errors(role) + _country_errors(codes, all_countries))
    _require_may_grant(actor, role)
    fields = ["role", "countries", "all_countries"]
    before_values = snapshot(membership, fields)
    membership.role_id, membership.countries, membership.all_countries = role, codes, all_countries
    changes = diff(before_values, snapshot(membership, fields))
    if not changes:
        return changes
    with transaction.atomic():
        before_org = organisation_managers(membership.organisation_id)
        before_platform = platform_managers()
        save_versioned(membership, version, fields)
        record(
            actor,
            "membership.update",
            membership,
            organisation_id=membership.organisation_id,
            changes=changes,
        )
        keep_organisation_managed(membership.organisation_id, before_org, "role")
        keep_platform_managed(before_platform, "role")
    forget_grants(membership.user)
    forget_grants(actor)
    return changes


def deactivate_membership(actor: Any, membership: Membership, *, version: int | None = None) -> None:
    """End a member's access through this organisation. When it was their last active
    membership their account is deactivated too: they can no longer sign in, and their API
    tokens stop working. Their records and audit entries stay."""
    _require_member_admin(actor, membership)
    check_version(membership, version)
    if membership.status != MembershipStatus.ACTIVE:
        raise ValidationFailed(_("Only an active member can be deactivated."), "status")
    user = membership.user
    with transaction.atomic():
        before_org = organisation_managers(membership.organisation_id)
        before_platform = platform_managers()
        membership.status = MembershipStatus.DEACTIVATED
        save_versioned(membership, version, ["status"])
        record(
            actor,
            "membership.deactivate",
            membership,
            organisation_id=membership.organisation_id,
            changes={"status": [MembershipStatus.ACTIVE, MembershipStatus.DEACTIVATED]},
        )
        others = Membership.objects.filter(user=user, status=MembershipStatus.ACTIVE).exclude(
            pk=membership.pk
        )
        if user.is_active and not others.exists():
            _end_access(actor, user, membership.organisation_id)
        keep_organisation_managed(membership.organisation_id, before_org, "status")
        keep_platform_managed(before_platform, "status")
    forget_grants(user)
    forget_grants(actor)


def _end_access(actor: Any, user: Any, organisation_id: int) -> None:
    """Deactivate the account of someone left with no active membership, and end what they
    hold: their sessions and API tokens. A reactivation later gave both back (a browser
    left signed in was signed in again, without password or code)."""
    from django.utils import timezone

    from remis.accounts.models import ApiToken

    user.is_active = False
    user.session_epoch += 1
    user.save(update_fields=["is_active", "session_epoch"])
    now = timezone.now()
    tokens = list(ApiToken.objects.filter(user=user, revoked_at__isnull=True).order_by("pk"))
    ApiToken.objects.filter(pk__in=[t.pk for t in tokens]).update(revoked_at=now)
    record(
        actor,
        "user.deactivate",
        user,
        organisation_id=organisation_id,
        changes={"is_active": [True, False], "api_tokens_revoked": [None, len(tokens)]},
    )
    for token in tokens:
        record(actor, "api_token.revoke", token, changes={"revoked_at": [None, now.isoformat()]})


def reactivate_membership(actor: Any, membership: Membership, *, version: int | None = None) -> None:
    """Give a deactivated member their access back (and their sign-in, if it had ended)."""
    _require_member_admin(actor, membership)
    check_version(membership, version)
    if membership.status != MembershipStatus.DEACTIVATED:
        raise ValidationFailed(_("Only a deactivated member can be reactivated."), "status")
    user = membership.user
    with transaction.atomic():
        membership.status = MembershipStatus.ACTIVE
        save_versioned(membership, version, ["status"])
        record(
            actor,
            "membership.reactivate",
            membership,
            organisation_id=membership.organisation_id,
            changes={"status": [MembershipStatus.DEACTIVATED, MembershipStatus.ACTIVE]},
        )
        if not user.is_active:
            user.is_active = True
            user.save(update_fields=["is_active"])
            record(
                actor,
                "user.reactivate",
                user,
                organisation_id=membership.organisation_id,
                changes={"is_active": [False, True]},
            )
    forget_grants(user)


def _require_invited(membership: Membership) -> None:
    if membership.status != MembershipStatus.INVITED:
        # Said as it is: someone added as an existing user was never invited (they read
        # "has already accepted their invitation").
        raise ValidationFailed(
            _("Only a pending invitation is withdrawn or sent again: deactivate an active member instead."),
            "status",
        )


def _require_link_invitation(membership: Membership) -> None:
    _require_invited(membership)
    if membership.awaits_account_holder:
        # A link sets the password of the account it opens: never one for an account that
        # has a password already (whoever held the link would take the account over).
        raise ValidationFailed(
            _("They already have an account: they accept the invitation once signed in, without a link."),
            "status",
        )


def reissue_invitation(actor: Any, membership: Membership) -> str:
    """A new link for someone invited who has not accepted; earlier links stop working."""
    _require_member_admin(actor, membership)
    _require_link_invitation(membership)
    with transaction.atomic():
        return _new_invitation(actor, membership)


def revoke_invitation(actor: Any, membership: Membership) -> None:
    """The pending link stops working; the invited user stays, and can get a new link."""
    _require_member_admin(actor, membership)
    _require_link_invitation(membership)
    with transaction.atomic():
        if not _revoke_pending(actor, membership, timezone.now()):
            raise ValidationFailed(_("There is no pending invitation to revoke."), "invitation")


def withdraw_invitation(actor: Any, membership: Membership) -> None:
    """Undo an invitation never accepted: the membership goes and, when the user it
    created has no other membership and never acted, the user too."""
    _require_member_admin(actor, membership)
    _require_invited(membership)
    user = membership.user
    with transaction.atomic():
        # The invitee may have accepted since the page was read: look again under a lock, or
        # an accepted member's membership is deleted under them (a race test found it). The
        # invitations are locked before the membership, in the order `accept_invitation`
        # locks them, so the two wait for each other instead of deadlocking.
        list(Invitation.objects.select_for_update().filter(membership=membership).order_by("pk"))
        current = Membership.objects.select_for_update().filter(pk=membership.pk).first()
        if current is None:  # withdrawn meanwhile by another administrator
            raise NotFound()
        _require_invited(current)
        record(
            actor,
            "invitation.withdraw",
            membership,
            organisation_id=membership.organisation_id,
            changes={"user": [membership.user_id, None], "role": [membership.role_id, None]},
        )
        membership.delete()
        never_used = (
            user.last_login is None
            and not Membership.objects.filter(user=user).exists()
            and not AuditEntry.objects.filter(actor=user).exists()
        )
        if never_used:
            try:
                with transaction.atomic():
                    user.delete()
            except ProtectedError:  # something still names them: keep the (inactive) user
                pass


def _invitation_for(raw_token: str, *, lock: bool = False) -> Invitation:
    rows = Invitation.objects.select_related("membership__user", "membership__organisation")
    if lock:
        rows = rows.select_for_update()
    invitation = rows.filter(token_hash=hash_token(raw_token)).first()
    if invitation is None:
        raise NotFound(_("This invitation link is not valid. Ask your administrator for a new one."))
    return invitation


def check_invitation(raw_token: str) -> Invitation:
    """The invitation a link names, if it can still be accepted; otherwise an error that
    says why (used, withdrawn, expired) in words the invitee understands."""
    invitation = _invitation_for(raw_token)
    if invitation.accepted_at is not None:
        raise Conflict(_("This invitation link has already been used. Sign in with the password you chose."))
    if (
        invitation.revoked_at is not None
        and invitation.membership.invitations.filter(pk__gt=invitation.pk).exists()
    ):
        raise Conflict(
            _("This invitation link was replaced by a newer one. Use the newest link you were given.")
        )
    if (
        invitation.revoked_at is not None
        or invitation.membership.status != MembershipStatus.INVITED
        or invitation.membership.user.has_usable_password()  # never a link to set a password again
    ):
        raise Conflict(_("This invitation link was withdrawn. Ask your administrator for a new one."))
    if invitation.expires_at <= timezone.now():
        raise Conflict(_("This invitation link has expired. Ask your administrator for a new one."))
    if not invitation.membership.organisation.active:
        # Accepted, it made an active member of an organisation whose access had ended.
        raise _organisation_deactivated(invitation.membership.organisation)
    return invitation


def accept_invitation(raw_token: str, *, password: str) -> User:
    """The invitee (who is not signed in: the link is their proof) chooses a password;
    they are then active, and the link never works again."""
    invitation = check_invitation(raw_token)
    user = invitation.membership.user
    try:
        validate_password(password, user=user)
    except DjangoValidationError as exc:
        raise ValidationFailed(" ".join(str(m) for m in exc.messages), "password") from exc
    with transaction.atomic():
        invitation = _invitation_for(raw_token, lock=True)
        now = timezone.now()
        # One use only, even for two tabs sending at once: the second finds it accepted.
        if not Invitation.objects.filter(
            pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True
        ).update(accepted_at=now):
            raise Conflict(
                _("This invitation link has already been used. Sign in with the password you chose.")
            )
        membership = invitation.membership
        user.set_password(password)
        user.is_active = True
        user.save(update_fields=["password", "is_active"])
        membership.status = MembershipStatus.ACTIVE
        save_versioned(membership, None, ["status"])
        record(
            user,
            "invitation.accept",
            invitation,
            organisation_id=membership.organisation_id,
            changes={"accepted_at": [None, now.isoformat()], "password": [None, None]},
        )
    forget_grants(user)
    return user
