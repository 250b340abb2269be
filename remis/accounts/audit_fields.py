"""How the accounts' audit entries read in the audit search (remis/audit/presentation.py):
members, invitations, tokens, organisations and roles by their names, fields by their
labels, codes (roles, statuses, access, countries, languages) by what they mean. They read
`accounts.membership #1026` and `role: counsellor → case_worker` before."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from remis.audit.presentation import (
    Shown,
    choices,
    countries,
    described_by_id,
    named_by_id,
    register_field,
    register_object,
)


def _roles(values: set[Any]) -> dict[Any, Shown]:
    from remis.accounts.models import Role

    codes = {v for v in values if isinstance(v, str)}
    return {role.code: Shown(role.label) for role in Role.objects.filter(code__in=codes)}


def _languages(values: set[Any]) -> dict[Any, Shown]:
    names = dict(settings.LANGUAGES)
    return {v: Shown(str(names[v])) for v in values if v in names}


def _person(user: Any) -> str:
    # As the actor column names users: by username, which is unique (names are not).
    return user.get_username()


def register() -> None:
    from remis.accounts.models import (
        ApiToken,
        MembershipStatus,
        Organisation,
        OrganisationType,
        TokenAccess,
        User,
    )

    register_object("accounts.user", _("User"), described_by_id(User, _person))
    register_object("accounts.membership", _("Membership"), _memberships)
    register_object("accounts.invitation", _("Invitation"), _invitations)
    register_object("accounts.apitoken", _("API token"), described_by_id(ApiToken, lambda t: t.name))
    register_object(
        "accounts.organisation", _("Organisation"), described_by_id(Organisation, lambda o: o.name)
    )
    register_object("accounts.role", _("Role"), _role_objects)
    fields: dict[str, tuple[Any, Any]] = {
        "user": (_("User"), named_by_id(User, _person)),
        "username": (_("Username"), None),
        "first_name": (_("First name"), None),
        "last_name": (_("Last name"), None),
        "is_active": (_("Can sign in"), None),
        "api_tokens_revoked": (_("API tokens revoked"), None),
        "active": (_("Active"), None),
        "role": (_("Role"), _roles),
        "countries": (_("Countries"), countries),
        "country": (_("Country"), countries),
        "all_countries": (_("All countries"), None),
        "status": (_("Status"), choices(MembershipStatus)),
        "kind": (_("Type"), choices(OrganisationType)),
        "access": (_("Access"), choices(TokenAccess)),
        "expires_at": (_("Expires"), None),
        "revoked_at": (_("Revoked"), None),
        "accepted_at": (_("Accepted"), None),
        "password_link_expires_at": (_("Password link valid until"), None),
        "sign_in_paused": (_("Sign-in paused"), None),
        "preferred_language": (_("Language"), _languages),
        "permissions": (_("Permissions"), _permissions),
        "authenticator": (_("Authenticator"), None),
        "recovery_codes": (_("Recovery codes left"), None),
        "password": (_("Password"), None),
    }
    # What a download of the read log was asked for ({"case_reference": "GIN-…"} read as is).
    register_field("criteria", _("Search"), None, _criteria)
    for name, (label, resolve) in fields.items():
        register_field(name, label, resolve)


def _memberships(ids: set[str]) -> dict[str, str]:
    from remis.accounts.models import Membership

    keys = [int(i) for i in ids if i.isdigit()]
    rows = Membership.objects.filter(pk__in=keys).select_related("user", "organisation")
    return {str(row.pk): f"{_person(row.user)} · {row.organisation.name}" for row in rows}


def _invitations(ids: set[str]) -> dict[str, str]:
    from remis.accounts.models import Invitation

    keys = [int(i) for i in ids if i.isdigit()]
    rows = Invitation.objects.filter(pk__in=keys).select_related("membership__user")
    return {str(row.pk): _person(row.membership.user) for row in rows}


def _role_objects(ids: set[str]) -> dict[str, str]:
    from remis.accounts.models import Role

    return {role.code: role.label for role in Role.objects.filter(code__in=ids)}


def _permissions(values: set[Any]) -> dict[Any, Shown]:
    from remis.accounts.permissions import permission_labels

    labels = permission_labels()
    return {v: Shown(str(labels[v])) for v in values if v in labels}


def _criteria(_position: int, value: Any) -> str:
    from django.utils.translation import gettext

    from remis.lib.text import list_separator

    if not isinstance(value, dict):
        return str(value)
    names = {
        "username": _("User"),
        "case_reference": _("Case reference"),
        "group": _("Sensitive details"),
        "since": _("From"),
        "until": _("To"),
        "action": _("Action"),  # the audit log's own download
        "channel": _("Channel"),
    }
    return list_separator().join(f"{names.get(k, k)}{gettext(':')} {v}" for k, v in value.items())
