"""Reads on programmes: which partner organisations act where, the settings in force on a
day, who funds what, and the regions and groupings countries belong to."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from remis.accounts.models import Organisation
from remis.accounts.permissions import Perm
from remis.accounts.scope import grants_with, has_perm, organisation_ids
from remis.lib.errors import NotFound, PermissionDenied
from remis.lib.posted import posted_id
from remis.lib.text import fold
from remis.programmes.models import (
    ConfigurationItem,
    Grouping,
    MigrantCategory,
    PartnerRole,
    Programme,
    ProgrammePartner,
    ProgrammeSettings,
    Vulnerability,
)
from remis.programmes.programme_settings import SETTINGS, shipped_settings
from remis.programmes.regions import M49Region, m49_table
from remis.programmes.versioned import newest_id


def partners_in(programme: Programme, role: PartnerRole, country: str) -> QuerySet[Organisation]:
    """Organisations acting for `programme` in `role` in `country` (no country list: all)."""
    # Two columns, not partner records: a programme may list a hundred partners, and the
    # case page asks on every view.
    ids = [
        organisation
        for organisation, countries in programme.partners.filter(role=role).values_list(
            "organisation_id", "countries"
        )
        if not countries or country in countries
    ]
    return Organisation.objects.filter(pk__in=ids, active=True)


def origin_partners(programme: Programme, country: str) -> QuerySet[Organisation]:
    """Who receives the programme's cases in a country of origin: its reintegration partners
    there, and its implementing organisations covering it ("implementing: either side"). A
    new programme's creator is implementing by default, and its cases had no one to go to."""
    ids = [
        organisation
        for organisation, countries in programme.partners.filter(
            role__in=[PartnerRole.REINTEGRATION_PARTNER, PartnerRole.IMPLEMENTING]
        ).values_list("organisation_id", "countries")
        if not countries or country in countries
    ]
    return Organisation.objects.filter(pk__in=ids, active=True)


def programme_countries(within: frozenset[str] | None = None) -> tuple[list[str], list[str]]:
    """The host countries and countries of origin covered by active programmes. `within`:
    only those a case seen from these countries can have (a case is read where its host or
    its origin is): a host among them, or any host of a programme returning people to one
    of them; and the same for origins. None: every one."""
    hosts: set[str] = set()
    origins: set[str] = set()
    for host_list, origin_list in Programme.objects.filter(active=True).values_list(
        "host_countries", "origin_countries"
    ):
        if within is None:
            hosts.update(host_list)
            origins.update(origin_list)
            continue
        hosts.update(within.intersection(host_list))
        origins.update(within.intersection(origin_list))
        if within.intersection(origin_list):
            hosts.update(host_list)
        if within.intersection(host_list):
            origins.update(origin_list)
    return sorted(hosts), sorted(origins)


def programmes_covering(countries: frozenset[str] | None, *, side: str) -> QuerySet[Programme]:
    """Programmes taking new cases today (active, started, not ended) covering any of
    `countries` (None: any country) on `side` ("host" or "origin"); a programme with no
    list of countries covers them all."""
    today = timezone.localdate()
    programmes = Programme.objects.filter(active=True, starts_on__lte=today).exclude(ends_on__lt=today)
    if countries is None:
        return programmes
    column = "host_countries" if side == "host" else "origin_countries"
    ids = [
        pk for pk, covered in programmes.values_list("pk", column) if not covered or set(covered) & countries
    ]
    return programmes.filter(pk__in=ids)


# ---- settings ---------------------------------------------------------------------------


def settings_on(programme: Programme, on: dt.date) -> ProgrammeSettings:
    """The settings in force for `programme` on the day `on`: the one accessor every reader
    of a programme setting goes through (the rule is on ProgrammeSettings). A programme with
    no version yet gets the shipped defaults, unsaved (id None)."""
    versions = ProgrammeSettings.objects.filter(programme=programme)
    found = versions.filter(effective_from__lte=on).order_by("-effective_from", "-created_at", "-id").first()
    found = found or versions.order_by("effective_from", "-created_at", "-id").first()
    if found is None:
        return ProgrammeSettings(
            programme=programme, effective_from=programme.starts_on, **shipped_settings()
        )
    return found


def latest_settings_id(programme: Programme) -> int:
    """The newest settings version's id (0: none): what a settings page listed."""
    return newest_id(ProgrammeSettings, programme.pk)


def settings_seen(programme: Programme, started_from: str) -> dict[str, Any]:
    """The values of the programme's settings version `started_from` (a settings form's
    hidden field: the version it was filled from; empty or unknown: the shipped defaults)."""
    version = (
        ProgrammeSettings.objects.filter(programme=programme, pk=key).first()
        if (key := posted_id(started_from))
        else None
    )
    if version is None:
        return shipped_settings()
    return {name: getattr(version, name) for name in SETTINGS}


def settings_history(programme: Programme) -> list[ProgrammeSettings]:
    """Every version of the programme's settings, the latest effective first."""
    return list(ProgrammeSettings.objects.filter(programme=programme).select_related("created_by"))


def small_cell_threshold(on: dt.date, programmes: Collection[int] = (), reader: Any = None) -> int:
    """The threshold aggregate statistics suppress below: the largest in force among the
    programmes a figure spans (`programmes`; by default every one with cases, since one
    figure can mix cases of several of them, and of those the ones `reader` may read when
    given). A programme without cases counts nothing: any manager's new empty programme
    with a threshold of 100 hid every figure of the platform from every aggregate reader.
    One query: every version of those programmes, the one in force picked per programme by
    the rule of settings_on."""
    rows = ProgrammeSettings.objects.all()
    if programmes:
        rows = rows.filter(programme_id__in=list(programmes))
    else:
        # The cases app's model through the relation it declares: this app does not import it.
        case_model: Any = Programme._meta.get_field("cases").related_model
        spanned = Programme.objects.filter(
            Exists(case_model._default_manager.filter(programme=OuterRef("pk")))
        )
        if reader is not None:
            spanned = spanned.filter(pk__in=visible_programmes(reader).values("pk"))
        rows = rows.filter(programme__in=spanned)
    rows = rows.order_by("programme_id", "-effective_from", "-created_at", "-id")
    in_force: dict[int, int] = {}
    first: dict[int, int] = {}
    for programme_id, day, threshold in rows.values_list(
        "programme_id", "effective_from", "small_cell_threshold"
    ):
        first[programme_id] = threshold  # ordered latest first: the last seen is the earliest
        if day <= on:
            in_force.setdefault(programme_id, threshold)
    thresholds = [in_force.get(pk, first[pk]) for pk in first]
    return max(thresholds, default=shipped_settings()["small_cell_threshold"])


def visible_programmes(actor: Any) -> QuerySet[Programme]:
    """Programmes the actor may read (not their cases): those an organisation of theirs
    implements or funds; every programme for a superuser."""
    if actor is not None and getattr(actor, "is_superuser", False) and actor.is_active:
        return Programme.objects.all()
    orgs = organisation_ids(actor)
    # A join does not go through the partners' manager, which reads current partnerships
    # only: an organisation removed as a partner kept reading the programme.
    implemented = Q(partners__organisation__in=orgs, partners__ended_at__isnull=True)
    return Programme.objects.filter(implemented | Q(funders__in=orgs)).distinct()


def programmes_to_choose(actor: Any, kept: Iterable[Programme] = ()) -> list[Programme]:
    """The programmes a form offers to link a record to, by code: those the actor may read
    (the actions refuse any other) and those the record is linked to already (`kept`), which
    an untouched save keeps."""
    offered = {p.pk: p for p in visible_programmes(actor)}
    offered.update({p.pk: p for p in kept})
    return sorted(offered.values(), key=lambda p: p.code)


# The partners that run a programme, and so set it up: its host coordinators and other
# implementers. A reintegration partner receives the programme's cases in its countries; it
# does not rewrite the programme (its settings, partners, approval thresholds, schedules,
# referral rules, retention): the administrator of a partner created minutes earlier set
# another organisation's thresholds for countries it has no part in.
MANAGING_ROLES = (PartnerRole.HOST_COORDINATOR, PartnerRole.IMPLEMENTING)


def manages_programme(actor: Any, programme: Programme) -> bool:
    """Whether the actor may change the programme: programme.manage held in an organisation
    that runs it (`MANAGING_ROLES`), or a superuser."""
    if actor is not None and getattr(actor, "is_superuser", False) and actor.is_active:
        return True
    partners = set(
        programme.partners.filter(role__in=MANAGING_ROLES).values_list("organisation_id", flat=True)
    )
    return any(g.organisation_id in partners for g in grants_with(actor, Perm.PROGRAMME_MANAGE))


@dataclass(frozen=True)
class VersionRow:
    version: ProgrammeSettings
    status: str  # "in_force", "scheduled", "corrected" (replaced on its own day), "past"


def settings_rows(programme: Programme, today: dt.date) -> list[VersionRow]:
    """The versions for the settings page, each with where it stands today."""
    versions = settings_history(programme)
    current = settings_on(programme, today)
    rows = []
    seen_days: set[dt.date] = set()
    for version in versions:  # latest effective first, a day's correction before what it corrects
        if version.pk == current.pk:
            status = "in_force"
        elif version.effective_from in seen_days:
            status = "corrected"
        elif version.effective_from > today:
            status = "scheduled"
        else:
            status = "past"
        seen_days.add(version.effective_from)
        rows.append(VersionRow(version, status))
    return rows


def get_programme_for(actor: Any, code: str) -> Programme:
    """The programme with `code` if the actor may read it; missing and not theirs alike: NotFound."""
    # Whatever the letters' case: codes are unique so (programmes.actions.create_programme).
    programme = visible_programmes(actor).filter(code__iexact=code).first()
    if programme is None:
        raise NotFound()
    return programme


PROGRAMME_SORTS = {"name": "name", "code": "code", "starts_on": "-starts_on", "ends_on": "ends_on"}


def search_programmes(
    actor: Any, *, q: str = "", status: str = "active", country: str = "", sort: str = "name"
) -> QuerySet[Programme]:
    """The actor's programmes for the list page and the API: `q` in the code or name,
    `status` "active", "inactive" or "" (both), `country` among the host countries or the
    countries of origin, sorted by one of PROGRAMME_SORTS."""
    programmes = visible_programmes(actor)
    if q.strip():
        programmes = programmes.filter(Q(code__icontains=q.strip()) | Q(name__icontains=q.strip()))
    if status in ("active", "inactive"):
        programmes = programmes.filter(active=status == "active")
    if country:
        code = country.upper()
        # JSON lists: a containment lookup SQLite lacks, so matched in Python on the ids.
        ids = [
            pk
            for pk, hosts, origins in programmes.values_list("pk", "host_countries", "origin_countries")
            if code in hosts or code in origins
        ]
        programmes = programmes.filter(pk__in=ids)
    order = PROGRAMME_SORTS.get(sort, "name")
    return programmes.order_by(order, "code").prefetch_related(
        "funders", "eligible_categories", "partners__organisation"
    )


def partners_of(programme: Programme) -> list[ProgrammePartner]:
    """The programme's partners, by role then organisation name."""
    # From the prefetched rows when the list query loaded them (search_programmes).
    partners = programme.partners.all() if _prefetched(programme, "partners") else None
    if partners is None:
        partners = programme.partners.select_related("organisation")
    return sorted(partners, key=lambda p: (p.role, p.organisation.name))


def _prefetched(obj: Any, name: str) -> bool:
    return name in getattr(obj, "_prefetched_objects_cache", {})


def get_partner_for(actor: Any, programme: Programme, partner_id: int) -> ProgrammePartner:
    """A partner of a programme the actor may read; another programme's: NotFound."""
    partner = programme.partners.select_related("organisation", "programme").filter(pk=partner_id).first()
    if partner is None:
        raise NotFound()
    return partner


def may_create_programmes(actor: Any) -> bool:
    return bool(getattr(actor, "is_superuser", False) or has_perm(actor, Perm.PROGRAMME_MANAGE))


def donor_organisations() -> QuerySet[Organisation]:
    """Who can be chosen as a programme's funder."""
    return Organisation.objects.filter(kind="donor", active=True).order_by("name")


def partner_organisations() -> QuerySet[Organisation]:
    """Who can be made a programme's partner: active organisations other than donors."""
    return Organisation.objects.filter(active=True).exclude(kind="donor").order_by("name")


def managing_organisations(actor: Any) -> QuerySet[Organisation]:
    """Organisations in which the actor holds programme.manage: one of them runs a programme
    the actor creates."""
    ids = [g.organisation_id for g in grants_with(actor, Perm.PROGRAMME_MANAGE)]
    return Organisation.objects.filter(pk__in=ids, active=True).order_by("name")


# ---- shared configuration ---------------------------------------------------------------

CONFIGURATION_KINDS: dict[str, type[ConfigurationItem]] = {
    "categories": MigrantCategory,
    "vulnerabilities": Vulnerability,
}


def manages_configuration(actor: Any) -> bool:
    return bool(getattr(actor, "is_superuser", False) or has_perm(actor, Perm.PLATFORM_MANAGE))


def configuration_items(
    actor: Any, kind: str, *, q: str = "", status: str = ""
) -> QuerySet[ConfigurationItem]:
    """A kind's items for the platform operator, in list order: `q` in the code or any of
    the names (accents and case aside), `status` "active", "retired" or "" (both). Others:
    PermissionDenied; an unknown kind: NotFound."""
    if not manages_configuration(actor):
        raise PermissionDenied()
    model = CONFIGURATION_KINDS.get(kind)
    if model is None:
        raise NotFound()
    items = model._default_manager.order_by("position", "name", "pk")
    if status in ("active", "retired"):
        items = items.filter(active=status == "active")
    if q.strip():
        needle = fold(q.strip())
        ids = [
            item.pk
            for item in items
            if needle in fold(" ".join([item.code, item.name, *(item.names or {}).values()]))
        ]
        items = items.filter(pk__in=ids)
    return items


def get_configuration_item_for(actor: Any, kind: str, code: str) -> ConfigurationItem:
    item = configuration_items(actor, kind).filter(code=code).first()
    if item is None:
        raise NotFound()
    return item


def programmes_funded_by(organisation: Organisation) -> QuerySet[Programme]:
    return Programme.objects.filter(funders=organisation)


# ---- regions and groupings --------------------------------------------------------------


def region_of(country: str) -> M49Region | None:
    """The UN M49 region, sub-region and intermediate region of an ISO alpha-2 code
    (Kosovo, XK, included); None for a code the table does not hold."""
    return m49_table().get(country.upper())


def countries_in(grouping: Grouping | str) -> frozenset[str]:
    """The member countries of a named grouping (by instance or code)."""
    found = Grouping.objects.filter(code=grouping).first() if isinstance(grouping, str) else grouping
    if found is None:
        return frozenset()
    return frozenset(found.members.values_list("country", flat=True))


def countries_in_region(name: str) -> frozenset[str]:
    """The countries in an M49 region, sub-region or intermediate region, by its English name."""
    return frozenset(
        code for code, r in m49_table().items() if name in (r.region, r.sub_region, r.intermediate_region)
    )


def groupings_of(country: str, scheme: str | None = None) -> list[Grouping]:
    groupings = Grouping.objects.filter(members__country=country.upper())
    if scheme is not None:
        groupings = groupings.filter(scheme=scheme)
    return list(groupings)


def countries_managed(actor: Any, programme: Programme) -> list[str] | None:
    """Where the actor may set country-level rules of the programme (approval thresholds for
    a country of origin): None for every country (they manage the programme); otherwise the
    countries of their organisations' partnerships where they hold programme.manage (a
    reintegration partner's programme manager sets their own country's thresholds)."""
    if manages_programme(actor, programme):
        return None
    grants = grants_with(actor, Perm.PROGRAMME_MANAGE)
    found: set[str] = set()
    for partner in programme.partners.all():
        for grant in grants:
            if grant.organisation_id != partner.organisation_id:
                continue
            found |= {c for c in partner.countries if grant.covers(c)}
    return sorted(found)
