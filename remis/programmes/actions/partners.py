"""Writes on a programme's partners: adding an organisation in a role for some of the
programme's countries, changing those countries, removing it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from remis.accounts.models import Membership, MembershipStatus, Organisation, OrganisationType, Role
from remis.accounts.permissions import Perm
from remis.audit.actions import record
from remis.lib.countries import country_name
from remis.lib.errors import Duplicate, ValidationFailed
from remis.lib.text import list_separator
from remis.programmes.actions.common import (
    bump_version,
    check_programme_version,
    parse_countries,
    require_manage_programme,
    role_countries,
    write_partner,
)
from remis.programmes.models import (
    PartnerRole,
    Programme,
    ProgrammePartner,
)
from remis.programmes.partner_usage import cases_shared_with
from remis.programmes.queries import MANAGING_ROLES


def _partner_countries(programme: Programme, role: str, countries: Iterable[str]) -> list[str]:
    codes = parse_countries("countries", countries)
    if not codes:
        raise ValidationFailed(_("Choose at least one country."), "countries")
    scope = role_countries(programme, role)
    # A programme listing no countries on a side covers every country (programmes_covering).
    if scope:
        outside = [c for c in codes if c not in scope]
        if outside:
            raise ValidationFailed(
                _("%(codes)s: not among the programme's countries for this role.")
                % {"codes": list_separator().join(country_name(c) for c in outside)},
                "countries",
            )
    return codes


def add_partner(
    actor: Any,
    programme: Programme,
    organisation: Organisation,
    role: PartnerRole | str,
    countries: Iterable[str],
    *,
    expected_version: int | None = None,
) -> ProgrammePartner:
    """Make `organisation` a partner of the programme in `role`, for some of the countries
    that role covers (see `role_scope`)."""
    require_manage_programme(actor, programme)
    check_programme_version(programme, expected_version)
    if role not in PartnerRole.values:
        raise ValidationFailed(_("Choose a partner role."), "role")
    if not organisation.active:
        raise ValidationFailed(_("This organisation is deactivated."), "organisation")
    if organisation.kind == OrganisationType.DONOR:
        # A partner receives the programme's cases; a donor funds it and reads figures only
        # (the page never offered one, the API took it).
        raise ValidationFailed(
            _("%(organisation)s is a donor: it funds the programme, and reads its figures only.")
            % {"organisation": organisation.name},
            "organisation",
        )
    codes = _partner_countries(programme, role, countries)
    if ProgrammePartner.objects.filter(programme=programme, organisation=organisation, role=role).exists():
        raise Duplicate(
            _("%(organisation)s is already a partner in this role: change its countries instead.")
            % {"organisation": organisation.name},
            "organisation",
        )
    with transaction.atomic():
        bump_version(programme, expected_version)
        return write_partner(actor, programme, organisation, PartnerRole(role), codes)


def change_partner_countries(
    actor: Any, partner: ProgrammePartner, countries: Iterable[str], *, expected_version: int | None
) -> ProgrammePartner:
    """The countries a partner acts for in its role."""
    programme = partner.programme
    require_manage_programme(actor, programme)
    check_programme_version(programme, expected_version)
    codes = _partner_countries(programme, partner.role, countries)
    if codes == sorted(partner.countries):
        return partner
    with transaction.atomic():
        bump_version(programme, expected_version)
        before = partner.countries
        partner.countries = codes
        partner.save(update_fields=["countries"])
        record(
            actor,
            "programme.change_partner",
            partner,
            organisation_id=partner.organisation_id,
            changes={"countries": [before, codes]},
        )
    return partner


def _managing_organisations(organisation_ids: Iterable[int]) -> set[int]:
    """Of these organisations, those with an active member holding programme.manage."""
    roles = [r.code for r in Role.objects.all() if Perm.PROGRAMME_MANAGE in r.permissions]
    return set(
        Membership.objects.filter(
            organisation_id__in=list(organisation_ids),
            organisation__active=True,
            role_id__in=roles,
            status=MembershipStatus.ACTIVE,
            user__is_active=True,
        ).values_list("organisation_id", flat=True)
    )


def remove_partner(actor: Any, partner: ProgrammePartner, *, expected_version: int | None) -> None:
    """End a partnership (kept on record with its end). Refused when cases of the programme
    are shared with the organisation (they name it as partner), and when it is the last
    organisation able to manage the programme (nobody could change it again)."""
    programme = partner.programme
    require_manage_programme(actor, programme)
    check_programme_version(programme, expected_version)
    remaining = programme.partners.exclude(pk=partner.pk)
    others = set(remaining.values_list("organisation_id", flat=True))
    if partner.organisation_id not in others:
        shared = cases_shared_with(programme.pk, partner.organisation_id)
        if shared:
            raise ValidationFailed(
                ngettext(
                    "%(count)s case of this programme is shared with %(organisation)s: it stays a "
                    "partner so that the case keeps its history.",
                    "%(count)s cases of this programme are shared with %(organisation)s: it stays a "
                    "partner so that they keep their history.",
                    shared,
                )
                % {
                    "count": number_format(shared, force_grouping=True),
                    "organisation": partner.organisation.name,
                },
                "partner",
            )
    # Managing is a role's (`MANAGING_ROLES`), not an organisation's: an organisation
    # implementing the programme and also its reintegration partner, its implementing role
    # ended, manages it no more (the check was skipped, and nobody could change it again).
    if partner.role in MANAGING_ROLES:
        still = remaining.filter(role__in=MANAGING_ROLES).values_list("organisation_id", flat=True)
        managers = _managing_organisations(still)
        if not managers and _managing_organisations([partner.organisation_id]):
            raise ValidationFailed(
                _("%(organisation)s is the last organisation managing this programme: add another first.")
                % {"organisation": partner.organisation.name},
                "partner",
            )
    with transaction.atomic():
        bump_version(programme, expected_version)
        # Ended, not deleted: the partnership stays on record (ProgrammePartner.ended_at).
        partner.ended_at = timezone.now()
        partner.save(update_fields=["ended_at"])
        record(
            actor,
            "programme.remove_partner",
            partner,
            organisation_id=partner.organisation_id,
            changes={"ended_at": [None, partner.ended_at.isoformat()]},
        )
