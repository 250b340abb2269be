"""What the account actions share: versioned saves and the two things that must stay true.

Whatever an administrator changes, some active user still runs the platform, and an
organisation that had an active administrator keeps one. Both are checked after the write
inside its transaction (so the write is undone when refused), and after `record`, which
holds the audit log's append lock until commit: two administrators removing each other at
the same moment take turns, and the second sees the first's change.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from remis.accounts.models import Membership, MembershipStatus, Role
from remis.accounts.permissions import Perm, permission_labels
from remis.accounts.queries import platform_role_codes
from remis.accounts.system import is_system
from remis.lib.errors import Conflict, PermissionDenied, ValidationFailed


def require_admin(actor: Any) -> None:
    """Deployment set-up (users with a password, memberships given directly) is for
    superusers and the system actor (set-up commands, the demo loader). No actor at all
    is refused, never waved through."""
    if not (is_system(actor) or getattr(actor, "is_superuser", False)):
        raise PermissionDenied()


def refuse(errors: list[tuple[str, str]]) -> None:
    """Raise every problem found at once, so a form shows all of them."""
    if errors:
        raise ValidationFailed(errors[0][1], errors[0][0], errors=list(errors))


def check_version(obj: models.Model, expected: int | None) -> None:
    """Refuse at once an edit made from an outdated read (`save_versioned` checks again
    at the write, against a concurrent save)."""
    if expected is None:
        return
    stored = type(obj)._default_manager.filter(pk=obj.pk).values_list("version", flat=True).first()
    if stored != expected:
        raise Conflict()


def save_versioned(obj: models.Model, expected: int | None, fields: list[str]) -> None:
    """Write `fields` only if nobody saved since the actor read version `expected` (None:
    not an edit from a form; the version in hand is taken)."""
    current: int = obj.version  # type: ignore[attr-defined]
    expected = current if expected is None else expected
    values = {name: getattr(obj, name) for name in fields}
    updated = (
        type(obj)._default_manager.filter(pk=obj.pk, version=expected).update(version=expected + 1, **values)
    )
    if updated == 0:
        raise Conflict()
    obj.version = expected + 1  # type: ignore[attr-defined]


def platform_managers() -> int:
    """Active users holding platform.manage through an active membership."""
    return (
        Membership.objects.filter(
            role_id__in=platform_role_codes(),
            status=MembershipStatus.ACTIVE,
            user__is_active=True,
            organisation__active=True,
        )
        .values("user_id")
        .distinct()
        .count()
    )


def organisation_managers(organisation_id: int) -> int:
    codes = [r.code for r in Role.objects.all() if Perm.ORGANISATION_MANAGE in r.permissions]
    return Membership.objects.filter(
        organisation_id=organisation_id,
        role_id__in=codes,
        status=MembershipStatus.ACTIVE,
        user__is_active=True,
    ).count()


def managed_organisations() -> set[int]:
    """Organisations with at least one active administrator."""
    codes = [r.code for r in Role.objects.all() if Perm.ORGANISATION_MANAGE in r.permissions]
    return set(
        Membership.objects.filter(role_id__in=codes, status=MembershipStatus.ACTIVE, user__is_active=True)
        .values_list("organisation_id", flat=True)
        .distinct()
    )


def keep_organisations_managed(before: set[int], field: str | None) -> None:
    """A role change must not leave an organisation that had an administrator without one."""
    if before - managed_organisations():
        raise ValidationFailed(
            _(
                "This would leave an organisation without an active administrator (a role with "
                "the right “%(right)s”). Give another role that right first."
            )
            % {"right": permission_labels()[Perm.ORGANISATION_MANAGE]},
            field,
        )


def keep_platform_managed(before: int, field: str | None) -> None:
    """Call after the write and its audit entry, with the count taken before the write."""
    if before and not platform_managers():
        raise ValidationFailed(
            _(
                "This would leave no active user who can run the platform (a role with the right "
                "“%(right)s”). Give that right to someone else first."
            )
            % {"right": permission_labels()[Perm.PLATFORM_MANAGE]},
            field,
        )


def keep_organisation_managed(organisation_id: int, before: int, field: str | None) -> None:
    """Call after the write and its audit entry, with the count taken before the write."""
    if before and not organisation_managers(organisation_id):
        raise ValidationFailed(
            _(
                "This would leave the organisation without an active administrator (a role with "
                "the right “%(right)s”). Give that role to someone else first."
            )
            % {"right": permission_labels()[Perm.ORGANISATION_MANAGE]},
            field,
        )
