"""Platform operators' writes (`platform.manage`): organisations and roles, global to the
deployment. The system actor and superusers may make them too (set-up, the demo)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from remis.accounts import fields as rules
from remis.accounts.actions.common import (
    check_version,
    keep_organisations_managed,
    keep_platform_managed,
    managed_organisations,
    platform_managers,
    refuse,
    save_versioned,
)
from remis.accounts.models import Organisation, OrganisationType, Role
from remis.accounts.permissions import ALL_PERMISSIONS, Perm
from remis.accounts.queries import require_platform
from remis.audit.actions import created, diff, record, snapshot
from remis.lib.countries import is_country
from remis.lib.errors import Duplicate
from remis.lib.fields import check_values

# ---- organisations -------------------------------------------------------------------------


def _organisation_errors(name: str, kind: str, country: str) -> list[tuple[str, str]]:
    errors = check_values(rules.ORGANISATION, {"name": name}, timezone.localdate())
    if not name:
        errors.append(("name", _("Give the organisation a name.")))
    if kind not in OrganisationType.values:
        errors.append(("kind", _("Choose one of the organisation types.")))
    if not is_country(country):
        errors.append(("country", _("Unknown country code “%(code)s”.") % {"code": country}))
    return errors


def _name_taken() -> Duplicate:
    return Duplicate(_("Another organisation already has this name."), "name")


def create_organisation(actor: Any, *, name: str, kind: str, country: str) -> Organisation:
    require_platform(actor)
    name = name.strip()
    refuse(_organisation_errors(name, kind, country))
    if Organisation.objects.filter(name__iexact=name).exists():
        raise _name_taken()
    try:
        with transaction.atomic():
            org = Organisation.objects.create(name=name, kind=kind, country=country.upper())
            record(
                actor,
                "organisation.create",
                org,
                organisation_id=org.pk,
                changes=created(org, ["name", "kind", "country"]),
            )
    except IntegrityError:  # the same name created by someone else at the same moment
        raise _name_taken() from None
    return org


def update_organisation(
    actor: Any, organisation: Organisation, *, version: int, name: str, kind: str, country: str
) -> dict[str, list[Any]]:
    """Rename or re-type an organisation; an edit with nothing changed writes nothing."""
    require_platform(actor)
    name = name.strip()
    check_version(organisation, version)
    refuse(_organisation_errors(name, kind, country))
    if Organisation.objects.filter(name__iexact=name).exclude(pk=organisation.pk).exists():
        raise _name_taken()
    fields = ["name", "kind", "country"]
    before = snapshot(organisation, fields)
    organisation.name, organisation.kind, organisation.country = name, kind, country.upper()
    changes = diff(before, snapshot(organisation, fields))
    if changes:
        try:
            with transaction.atomic():
                save_versioned(organisation, version, fields)
                record(
                    actor,
                    "organisation.update",
                    organisation,
                    organisation_id=organisation.pk,
                    changes=changes,
                )
        except IntegrityError:
            raise _name_taken() from None
    return changes


def set_organisation_active(
    actor: Any, organisation: Organisation, *, active: bool, version: int | None = None
) -> None:
    """Deactivating an organisation ends every grant its members hold through it (they
    keep signing in for their other organisations); reactivating restores them. Refused
    when it would leave nobody able to run the platform."""
    require_platform(actor)
    check_version(organisation, version)
    if organisation.active == active:
        return
    with transaction.atomic():
        before = platform_managers()
        organisation.active = active
        save_versioned(organisation, version, ["active"])
        record(
            actor,
            "organisation.activate" if active else "organisation.deactivate",
            organisation,
            organisation_id=organisation.pk,
            changes={"active": [not active, active]},
        )
        keep_platform_managed(before, "active")


# ---- roles ---------------------------------------------------------------------------------


def _permission_errors(permissions: list[str]) -> list[tuple[str, str]]:
    unknown = sorted(set(permissions) - ALL_PERMISSIONS)
    if unknown:
        return [("permissions", _("Unknown permission(s): %(codes)s.") % {"codes": ", ".join(unknown)})]
    return []


def _ordered(permissions: Iterable[str]) -> list[str]:
    """Permissions in the order they are declared, so equal sets compare and read equal."""
    chosen = set(permissions)
    return [p.value for p in Perm if p.value in chosen]


def _code_taken(code: str) -> Duplicate:
    return Duplicate(_("A role with the code “%(code)s” exists already.") % {"code": code}, "code")


def create_role(actor: Any, *, code: str, name: str, permissions: Iterable[str] = ()) -> Role:
    require_platform(actor)
    code, name, chosen = code.strip(), name.strip(), list(permissions)
    errors = check_values(rules.ROLE, {"code": code, "name": name}, timezone.localdate())
    if not code:
        errors.append(("code", _("Give the role a code.")))
    if not name:
        errors.append(("name", _("Give the role a name.")))
    refuse(errors + _permission_errors(chosen))
    if Role.objects.filter(code=code).exists():
        raise _code_taken(code)
    try:
        with transaction.atomic():
            role = Role.objects.create(code=code, name=name, permissions=_ordered(chosen))
            record(actor, "role.create", role, changes=created(role, ["code", "name", "permissions"]))
    except IntegrityError:
        raise _code_taken(code) from None
    return role


def update_role(
    actor: Any, role: Role, *, version: int, name: str | None = None, permissions: Iterable[str] | None = None
) -> dict[str, list[Any]]:
    """Rename a role or change what it may do, for everyone holding it. Refused when it
    would leave nobody able to run the platform, or an organisation without an
    administrator. Nothing changed: nothing written."""
    require_platform(actor)
    check_version(role, version)
    errors: list[tuple[str, str]] = []
    if name is not None:
        name = name.strip()
        errors += check_values(rules.ROLE, {"name": name}, timezone.localdate())
        if not name:
            errors.append(("name", _("Give the role a name.")))
    chosen = None if permissions is None else list(permissions)
    refuse(errors + _permission_errors(chosen or []))
    fields = ["name", "permissions"]
    before_values = snapshot(role, fields)
    if name is not None and name != role.name:
        role.name = name
        role.names = {}  # they translated the old name
    if chosen is not None and set(chosen) != set(role.permissions):
        # Only a different set is a change: the shipped roles list theirs in roles.yaml's
        # order, which an untouched form sends back in the declared order.
        role.permissions = _ordered(chosen)
    changes = diff(before_values, snapshot(role, fields))
    if not changes:
        return changes
    with transaction.atomic():
        before, before_organisations = platform_managers(), managed_organisations()
        save_versioned(role, version, [*fields, "names"])
        record(actor, "role.update", role, changes=changes)
        keep_platform_managed(before, "permissions")
        keep_organisations_managed(before_organisations, "permissions")
    return changes
