"""Checks and helpers the programme actions share: who may act, country lists, field
errors gathered for one answer, and the programme version that makes concurrent edits conflict."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import F
from django.utils.translation import gettext as _

from remis.accounts.models import Organisation
from remis.accounts.permissions import Perm
from remis.accounts.scope import has_perm
from remis.accounts.system import is_system
from remis.audit.actions import created, record
from remis.lib.countries import is_country
from remis.lib.errors import Conflict, PermissionDenied, ValidationFailed
from remis.programmes.models import (
    PartnerRole,
    Programme,
    ProgrammePartner,
)
from remis.programmes.queries import manages_programme


def require_manage(actor: Any) -> None:
    if not (
        is_system(actor) or getattr(actor, "is_superuser", False) or has_perm(actor, Perm.PROGRAMME_MANAGE)
    ):
        raise PermissionDenied()


def require_manage_programme(actor: Any, programme: Programme) -> None:
    """programme.manage, held in an organisation that implements this programme. Who passes
    `require_manage` without holding it in an organisation (the actor of automated writes)
    passes this too."""
    require_manage(actor)
    if not is_system(actor) and not manages_programme(actor, programme):
        raise PermissionDenied()


def parse_countries(field: str, codes: Iterable[str]) -> list[str]:
    upper = sorted({c.strip().upper() for c in codes if c.strip()})
    unknown = [c for c in upper if not is_country(c)]
    if unknown:
        raise ValidationFailed(
            _("Unknown country code(s): %(codes)s.") % {"codes": ", ".join(unknown)}, field
        )
    return upper


class FieldErrors:
    """Field errors gathered so a form shows all of them in one round trip."""

    def __init__(self) -> None:
        self.items: list[tuple[str | None, str]] = []

    def add(self, field: str | None, message: str) -> None:
        self.items.append((field, message))

    def countries(self, field: str, codes: Iterable[str], *, required: bool = True) -> list[str]:
        try:
            found = parse_countries(field, codes)
        except ValidationFailed as error:
            self.add(field, error.message)
            return []
        if required and not found:
            self.add(field, _("Choose at least one country."))
        return found

    def raise_any(self) -> None:
        if self.items:
            raise ValidationFailed(self.items[0][1], self.items[0][0], errors=self.items)


def check_programme_version(programme: Programme, expected_version: int | None) -> None:
    """Refuse an edit made from an outdated read of the programme (None: not from a form,
    the version in force is taken as read)."""
    if expected_version is None:
        return
    stored = Programme.objects.filter(pk=programme.pk).values_list("version", flat=True).first()
    if stored != expected_version:
        raise Conflict()  # the shared message: open the page again from its link, not reload


def bump_version(programme: Programme, expected_version: int | None) -> None:
    """Raise the version, only from the one read: a concurrent save in between is a Conflict."""
    expected = programme.version if expected_version is None else expected_version
    if not Programme.objects.filter(pk=programme.pk, version=expected).update(version=F("version") + 1):
        check_programme_version(programme, -1)
    programme.version = expected + 1


def role_scope(role: str, hosts: Iterable[str], origins: Iterable[str]) -> list[str]:
    """The countries a partner in `role` may act for: a host-country coordinator in host
    countries, a reintegration partner in countries of origin, an implementing
    organisation in either."""
    if role == PartnerRole.HOST_COORDINATOR:
        return sorted(set(hosts))
    if role == PartnerRole.REINTEGRATION_PARTNER:
        return sorted(set(origins))
    return sorted({*hosts, *origins})


def role_countries(programme: Programme, role: str) -> list[str]:
    return role_scope(role, programme.host_countries, programme.origin_countries)


def write_partner(
    actor: Any, programme: Programme, organisation: Organisation, role: PartnerRole, codes: list[str]
) -> ProgrammePartner:
    partner = ProgrammePartner.objects.create(
        programme=programme, organisation=organisation, role=role, countries=codes
    )
    record(
        actor,
        "programme.add_partner",
        partner,
        organisation_id=organisation.pk,
        changes=created(partner, ["programme", "organisation", "role", "countries"]),
    )
    return partner


def require_platform(actor: Any) -> None:
    if not (
        is_system(actor) or getattr(actor, "is_superuser", False) or has_perm(actor, Perm.PLATFORM_MANAGE)
    ):
        raise PermissionDenied()
