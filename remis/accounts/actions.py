"""Writes on organisations, users, memberships and API tokens."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from remis.accounts.models import ApiToken, Membership, Organisation, Role, User, hash_token
from remis.accounts.scope import forget_grants
from remis.accounts.system import SYSTEM_USERNAME, is_system
from remis.audit.actions import created, record
from remis.lib.countries import is_country
from remis.lib.errors import PermissionDenied, ValidationFailed


def _require_admin(actor: Any) -> None:
    """Deployment set-up (organisations, users) is for superusers and the system actor
    (set-up commands, the demo loader). No actor at all is refused, never waved through."""
    if not (is_system(actor) or getattr(actor, "is_superuser", False)):
        raise PermissionDenied()


def create_organisation(actor: Any, *, name: str, kind: str, country: str) -> Organisation:
    _require_admin(actor)
    if not is_country(country):
        raise ValidationFailed(_("Unknown country code “%(code)s”.") % {"code": country}, "country")
    with transaction.atomic():
        org = Organisation.objects.create(name=name, kind=kind, country=country.upper())
        record(actor, "organisation.create", org, changes=created(org, ["name", "kind", "country"]))
    return org


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
    _require_admin(actor)
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
    _require_admin(actor)
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


def issue_api_token(actor: User, *, name: str) -> tuple[ApiToken, str]:
    """A new token for the actor themself; the raw key is returned once and never stored."""
    if not name.strip():
        raise ValidationFailed(_("Give the token a name."), "name")
    raw = ApiToken.new_raw_key()
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=actor, name=name.strip(), prefix=raw[6:14], key_hash=hash_token(raw)
        )
        record(actor, "api_token.issue", token, changes={"name": [None, token.name]})
    return token, raw


def revoke_api_token(actor: User, token: ApiToken) -> None:
    if token.user_id != actor.pk and not actor.is_superuser:
        raise PermissionDenied()
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record(actor, "api_token.revoke", token, changes={"revoked_at": [None, token.revoked_at.isoformat()]})


def set_language(actor: User, language: str) -> None:
    if language not in {"", "en", "fr", "ar"}:
        raise ValidationFailed(_("Choose English, French or Arabic."), "language")
    with transaction.atomic():
        before = actor.preferred_language
        actor.preferred_language = language
        actor.save(update_fields=["preferred_language"])
        record(actor, "user.set_language", actor, changes={"preferred_language": [before, language]})
