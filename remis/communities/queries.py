"""Reads of community projects. A project is read by members of organisations funding its
programme, and by those of organisations implementing it whose membership covers its
country. Its participants are shown as cases only to those who may read the case: others
see how many take part."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from remis.accounts.permissions import Perm
from remis.accounts.scope import grants_for, grants_with
from remis.accounts.system import is_system
from remis.cases.policy import visible_cases
from remis.communities.models import CommunityProject, Participant
from remis.lib.countries import country_name_place
from remis.lib.errors import NotFound, PermissionDenied
from remis.lib.text import fold

SORTS: dict[str, list[str]] = {
    "-start": ["-start_date", "name", "id"],
    "start": ["start_date", "name", "id"],
    "name": ["name", "id"],
    "country": ["country", "area_1", "name", "id"],
}


def _everything(actor: Any) -> bool:
    return is_system(actor) or bool(getattr(actor, "is_superuser", False))


def may_read_projects(actor: Any) -> bool:
    return _everything(actor) or bool(grants_for(actor))


def may_manage_somewhere(actor: Any) -> bool:
    return _everything(actor) or bool(grants_with(actor, Perm.PROJECTS_MANAGE))


def counts_people_for(actor: Any) -> bool:
    """Whether the actor reads a project's counts of people (returnees taking part,
    community members by sex and age) as they are: readers of case records. Others, such as
    a funder's viewers, read them only in the community projects summary, which hides small
    counts; a project's own page or record showing them exactly would give back what the
    summary hides (a country with one project is that project)."""
    return _everything(actor) or bool(grants_with(actor, Perm.CASE_VIEW))


def can_manage_country(actor: Any, country: str) -> bool:
    """projects.manage held in a membership covering `country` (or covering all)."""
    if _everything(actor):
        return True
    return any(g.covers(country) for g in grants_with(actor, Perm.PROJECTS_MANAGE))


def project_countries(actor: Any) -> list[str]:
    """The countries of the projects the actor reads: what the list's country filter offers."""
    return sorted(set(readable(actor).values_list("country", flat=True)))


def readable(actor: Any) -> QuerySet[CommunityProject]:
    """The projects the actor may read (see the module's docstring)."""
    rows = CommunityProject.objects.all()
    if _everything(actor):
        return rows
    grants = grants_for(actor)
    if not grants:
        return rows.none()
    from remis.programmes.models import Programme, ProgrammePartner

    # A funder reads its programmes' projects wherever they are; an implementing partner
    # those of the programmes it implements, in the countries its membership covers. A
    # membership covering every country (a funder's viewer) read every project of every
    # programme, budgets included.
    organisations = sorted({g.organisation_id for g in grants})
    allowed = Q(programme__in=Programme.objects.filter(funders__in=organisations).values("pk"))
    implemented: dict[int, set[int]] = {}
    for organisation, programme in ProgrammePartner.objects.filter(
        organisation__in=organisations
    ).values_list("organisation", "programme"):
        implemented.setdefault(organisation, set()).add(programme)
    for grant in grants:
        ours = sorted(implemented.get(grant.organisation_id, ()))
        if ours:
            where = Q(programme__in=ours)
            allowed |= where if grant.countries is None else where & Q(country__in=sorted(grant.countries))
    return rows.filter(allowed)


@dataclass
class ProjectFilters:
    q: str = ""  # name, area or description, accents and case aside
    country: str = ""
    programme: str = ""  # a programme code
    kind: str = ""
    status: str = ""
    tag: str = ""
    sort: str = "-start"

    def as_params(self) -> dict[str, str]:
        defaults = ProjectFilters()
        return {k: str(v) for k, v in vars(self).items() if v and v != getattr(defaults, k)}


def filter_projects(actor: Any, filters: ProjectFilters) -> QuerySet[CommunityProject]:
    if not may_read_projects(actor):
        raise PermissionDenied()
    rows = readable(actor)
    if filters.country:
        rows = rows.filter(country=filters.country)
    if filters.programme:
        rows = rows.filter(programme__code__iexact=filters.programme)  # as the API reads codes
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.tag:
        # A JSON list holds the tag: `contains` is not offered by SQLite, so match the
        # quoted code in the list's text (codes are plain words, none inside another).
        rows = rows.filter(tags__icontains=f'"{filters.tag}"')
    for word in fold(filters.q).split():
        rows = rows.filter(Q(search_text__contains=word))
    rows = rows.annotate(participant_count=Count("participants", distinct=True))
    rows = rows.select_related("programme", "sector", "organisation")
    if filters.sort == "country":
        # By the country's name in the reader's language, as the Country filter lists them.
        place = country_name_place(rows.order_by().values_list("country", flat=True).distinct())
        if place is not None:
            return rows.annotate(country_place=place).order_by("country_place", "area_1", "name", "id")
    return rows.order_by(*SORTS.get(filters.sort, SORTS["-start"]))


def get_project_for(actor: Any, project_uuid: uuid.UUID | str) -> CommunityProject:
    if not may_read_projects(actor):
        raise PermissionDenied()
    try:
        return readable(actor).select_related("programme", "sector", "organisation").get(uuid=project_uuid)
    except (CommunityProject.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


@dataclass
class Participants:
    shown: list[Participant]  # those whose case the reader may read
    others: int  # the rest: counted, not shown


def participants_for(actor: Any, project: CommunityProject) -> Participants:
    rows = project.participants.select_related("case", "case__principal").order_by("joined_on", "id")
    visible = set(
        visible_cases(actor).filter(community_projects__project=project).values_list("id", flat=True)
    )
    everyone = list(rows)
    shown = [p for p in everyone if p.case_id in visible]
    return Participants(shown, len(everyone) - len(shown))


def programmes_offered(actor: Any, project: CommunityProject | None = None) -> list[Any]:
    """The programmes a project may belong to (and the list filters by): those the actor may
    read (the action refuses any other), and the project's own, kept as it is."""
    from remis.programmes.queries import programmes_to_choose

    return programmes_to_choose(actor, [project.programme] if project is not None else [])


def may_add_somewhere(actor: Any) -> bool:
    """Whether the actor could keep a new project anywhere: projects.manage covering a country
    of origin of a programme they may choose. A host office's programme manager holds the
    right, but only for host countries, where no project is kept: no "Add" for them."""
    if not may_manage_somewhere(actor):
        return False
    return any(
        can_manage_country(actor, country)
        for programme in programmes_offered(actor)
        for country in programme.origin_countries or []
    )
