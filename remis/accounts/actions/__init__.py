"""Writes on organisations, roles, users, memberships, invitations and API tokens.

Split by who makes them: `platform` (organisations and roles, for platform operators),
`members` (an organisation's users, for its administrators, and accepting an invitation),
and here set-up (users with a password and memberships given directly, for the system
actor and superusers: `manage.py create_first_admin`, the demo loader) and what every user
does for themself (API tokens, language, password). Everything is importable from here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from remis.accounts.actions.common import require_admin
from remis.accounts.actions.members import (
    INVITATION_DAYS,
    accept_invitation,
    add_existing_member,
    answer_invitation,
    check_invitation,
    deactivate_membership,
    invite_first_administrator,
    invite_user,
    reactivate_membership,
    reissue_invitation,
    revoke_invitation,
    update_membership,
    withdraw_invitation,
)
from remis.accounts.actions.platform import (
    create_organisation,
    create_role,
    set_organisation_active,
    update_organisation,
    update_role,
)
from remis.accounts.models import (
    DEFAULT_TOKEN_DAYS,
    TOKEN_DAYS,
    ApiToken,
    Membership,
    Organisation,
    Role,
    TokenAccess,
    User,
    hash_token,
)
from remis.accounts.queries import get_member, require_account_admin
from remis.accounts.scope import forget_grants
from remis.accounts.system import SYSTEM_USERNAME
from remis.audit.actions import created, record
from remis.lib.countries import is_country
from remis.lib.errors import PermissionDenied, ValidationFailed
from remis.lib.fields import Text

__all__ = [
    "INVITATION_DAYS",
    "accept_invitation",
    "add_existing_member",
    "add_membership",
    "answer_invitation",
    "change_password",
    "check_invitation",
    "create_organisation",
    "create_role",
    "create_user",
    "deactivate_membership",
    "invite_first_administrator",
    "invite_user",
    "issue_api_token",
    "reactivate_membership",
    "reissue_invitation",
    "revoke_api_token",
    "revoke_invitation",
    "set_language",
    "set_organisation_active",
    "update_membership",
    "update_organisation",
    "update_role",
    "withdraw_invitation",
]


def create_user(
    actor: Any,
    *,
    username: str,
    password: str,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    is_superuser: bool = False,
) -> User:
    require_admin(actor)
    if username.lower() == SYSTEM_USERNAME or User.objects.filter(username=username).exists():
        raise ValidationFailed(
            _("The username “%(username)s” is taken.") % {"username": username}, "username"
        )
    with transaction.atomic():
        user = User(
            username=username,
            first_name=first_name,
            last_name=last_name,
            email=email,
            is_superuser=is_superuser,
            is_staff=is_superuser,
        )
        user.set_password(password)
        user.save()
        record(actor, "user.create", user, changes=created(user, ["username", "first_name", "last_name"]))
    return user


def add_membership(
    actor: Any,
    *,
    user: User,
    organisation: Organisation,
    role: str,
    countries: Iterable[str] = (),
    all_countries: bool = False,
) -> Membership:
    require_admin(actor)
    codes = sorted({c.upper() for c in countries})
    unknown = [c for c in codes if not is_country(c)]
    if unknown:
        raise ValidationFailed(
            _("Unknown country code(s): %(codes)s.") % {"codes": ", ".join(unknown)}, "countries"
        )
    if not Role.objects.filter(code=role).exists():
        raise ValidationFailed(_("Unknown role “%(role)s”.") % {"role": role}, "role")
    with transaction.atomic():
        membership = Membership.objects.create(
            user=user,
            organisation=organisation,
            role_id=role,
            countries=codes,
            all_countries=all_countries,
        )
        record(
            actor,
            "membership.create",
            membership,
            organisation_id=organisation.pk,
            changes=created(membership, ["user", "organisation", "role", "countries", "all_countries"]),
        )
    forget_grants(user)
    return membership


def issue_api_token(
    actor: User, *, name: str, access: str = TokenAccess.READ_WRITE, days: int = DEFAULT_TOKEN_DAYS
) -> tuple[ApiToken, str]:
    """A new token for the actor themself, for `days` days; the raw key is returned once and
    never stored. The tokens page offers read only first; a caller in code says what it needs."""
    if not name.strip():
        raise ValidationFailed(_("Give the token a name."), "name")
    # The shared text rule: its length, and no control or text-direction characters (a name
    # with U+202E showed in the token list as another name).
    problem = Text(100).problem(name.strip(), timezone.localdate())
    if problem:
        raise ValidationFailed(problem, "name")
    if access not in TokenAccess.values:
        raise ValidationFailed(_("Choose read only, or read and write."), "access")
    if days not in TOKEN_DAYS:
        raise ValidationFailed(_("Choose how long the token works."), "days")
    raw = ApiToken.new_raw_key()
    with transaction.atomic():
        # A name tells the owner's tokens apart in the list (which to revoke when a laptop
        # is lost): it is refused while another token in use has it. Under the owner's row
        # lock, so two forms sent at once cannot both take it.
        User.objects.select_for_update().filter(pk=actor.pk).first()
        in_use = ApiToken.objects.filter(
            user=actor, revoked_at__isnull=True, expires_at__gt=timezone.now(), name__iexact=name.strip()
        )
        if in_use.exists():
            raise ValidationFailed(
                _("Another of your tokens in use is named so: choose another name, or revoke it first."),
                "name",
            )
        token = ApiToken.objects.create(
            user=actor,
            name=name.strip(),
            prefix=raw[6:14],
            key_hash=hash_token(raw),
            access=access,
            expires_at=timezone.now() + dt.timedelta(days=days),
        )
        record(
            actor,
            "api_token.issue",
            token,
            changes={
                "name": [None, token.name],
                "access": [None, token.access],
                "expires_at": [None, token.expires_at.isoformat()],
            },
        )
    return token, raw


def revoke_api_token(actor: User, token: ApiToken, *, organisation: Organisation | None = None) -> bool:
    """Revoke a token: its owner may, and so may an administrator of `organisation` when the
    owner is one of its members (an administrator stopping a leaked or forgotten token).
    False when it was revoked already (nothing written)."""
    if token.user_id != actor.pk and not actor.is_superuser:
        if organisation is None:
            raise PermissionDenied()
        # Refuses anyone else's administrator, and those of an organisation that added the
        # owner after their own (`queries.home_organisation_id`).
        require_account_admin(get_member(actor, organisation, token.user_id))
    with transaction.atomic():
        now = timezone.now()
        # One of two revocations at once does it (and is audited); the other finds it done.
        if not ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now):
            return False
        token.revoked_at = now
        record(actor, "api_token.revoke", token, changes={"revoked_at": [None, now.isoformat()]})
    return True


def set_language(actor: User, language: str) -> None:
    if language not in {"", "en", "fr", "ar"}:
        raise ValidationFailed(_("Choose English, French or Arabic."), "language")
    if language == actor.preferred_language:
        return  # choosing the language already chosen changes nothing: nothing to log
    with transaction.atomic():
        before = actor.preferred_language
        actor.preferred_language = language
        actor.save(update_fields=["preferred_language"])
        record(actor, "user.set_language", actor, changes={"preferred_language": [before, language]})


def change_password(actor: User, *, current: str, new: str) -> None:
    """A signed-in user replaces their own password (an initial one from an administrator
    first of all). Audited without any value."""
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError as DjangoValidationError

    if not getattr(actor, "is_active", False):
        raise PermissionDenied()
    if not actor.check_password(current):
        raise ValidationFailed(_("The current password is not right."), "current")
    if new == current:  # an initial password from an administrator must really be replaced
        raise ValidationFailed(_("Choose a new password, not the one you have now."), "new")
    try:
        validate_password(new, user=actor)
    except DjangoValidationError as exc:
        raise ValidationFailed(" ".join(str(m) for m in exc.messages), "new") from exc
    with transaction.atomic():
        actor.set_password(new)
        actor.save(update_fields=["password"])
        record(actor, "user.change_password", actor, changes={"password": [None, None]})
