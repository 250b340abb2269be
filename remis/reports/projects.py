"""The community projects summary, as `reintegration-and-sustainable-development.txt` gives
it: "265 community-based initiatives in 10 countries, benefiting 2,490 returnees and 2,943
community members", then by country, type and the frameworks they contribute to.

Counted: the projects the reader may read (communities.queries.readable), cancelled ones
aside, that ran during the period (started before its end and not ended before its start;
a project in preparation counts in a period that includes today, the time it is being
prepared in), and the returnees who had joined them by the period's end. A returnee taking
part in two projects is one returnee in the totals and one in each project's row."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils import timezone

from remis.communities.models import (
    MEMBER_GROUPS,
    CommunityProject,
    Participant,
    ProjectStatus,
    ProjectTag,
    ProjectType,
)
from remis.communities.queries import readable
from remis.lib.countries import country_name

COUNTED = (ProjectStatus.PREPARATION, ProjectStatus.ONGOING, ProjectStatus.COMPLETED, ProjectStatus.SUSPENDED)


@dataclass
class Row:
    key: str
    label: str
    projects: int = 0
    preparation: int = 0
    ongoing: int = 0  # suspended ones too: they have not ended
    completed: int = 0
    returnees: int = 0
    women: int = 0  # community members: women and girls
    men: int = 0
    # The people counted, as shown: the count, or "<5" / "x" when hidden (`_protect`).
    shown: dict[str, int | str] = field(default_factory=dict)

    @property
    def members(self) -> int:
        return self.women + self.men


@dataclass
class Summary:
    start: dt.date | None
    end: dt.date | None
    programme: int | None
    projects: int
    countries: int
    returnees: int
    members: int
    by_country: list[Row]
    by_type: list[Row]
    by_tag: list[Row]
    as_of: dt.datetime = field(default_factory=timezone.now)
    threshold: int = 0  # counts of people from 1 to threshold − 1 hidden; 0: exact
    shown: dict[str, int | str] = field(default_factory=dict)  # the totals of people, as shown


PEOPLE = ("returnees", "women", "men", "members")  # the columns counting people


def _protect(summary: Summary, threshold: int, atoms: list[tuple[Any, ...]]) -> None:
    """Hide small counts of people (projects are counted as they are: they are public
    activities, not people) over the three breakdowns at once. Each row is the sum of its
    projects, so the projects are the unknowns every row is written in: a country's row and
    a type's row holding the same single project are the same counts, and one cannot give
    back what the other hides (lib/suppression.suppress_linked). `atoms`: (project id,
    country, type, tags, returnees, women, men) per project. Returnees are counted once in
    the total however many projects they joined: that equation is not exact, which only
    hides more."""
    from remis.lib.suppression import Equation, primary, suppress_linked

    summary.threshold = threshold
    counted = ("returnees", "women", "men")
    values: dict[Any, int] = {}
    for pk, _country, _kind, _tags, *numbers in atoms:
        for column, n in zip(counted, numbers, strict=True):
            values[("project", pk, column)] = n
    members: dict[Any, list[Any]] = {"country": [], "type": [], "tag": []}
    for pk, country, kind, tags, *_numbers in atoms:
        members["country"].append((country, pk))
        members["type"].append((kind, pk))
        members["tag"].extend((tag, pk) for tag in tags)
    equations: list[Equation] = []
    shown: set[Any] = {("total", "returnees"), ("total", "members")}
    for column in counted:
        values[("total", column)] = sum(values[("project", pk, column)] for pk, *_rest in atoms)
        equations.append(Equation(("total", column), tuple(("project", pk, column) for pk, *_r in atoms)))
    values[("total", "members")] = values[("total", "women")] + values[("total", "men")]
    equations.append(Equation(("total", "members"), (("total", "women"), ("total", "men"))))
    values[("total", "returnees")] = summary.returnees
    for name, rows in (("country", summary.by_country), ("type", summary.by_type), ("tag", summary.by_tag)):
        for row in rows:
            projects = tuple(pk for key, pk in members[name] if key == row.key)
            for column in counted:
                entry = (name, row.key, column)
                values[entry] = getattr(row, column)
                equations.append(Equation(entry, tuple(("project", pk, column) for pk in projects)))
            values[(name, row.key, "members")] = row.members
            equations.append(
                Equation((name, row.key, "members"), ((name, row.key, "women"), (name, row.key, "men")))
            )
            shown |= {(name, row.key, column) for column in PEOPLE}
    hidden = suppress_linked(values, equations, shown, threshold) if threshold else set()

    def show(entry: Any) -> int | str:
        value = values[entry]
        if entry not in hidden:
            return value
        return f"<{threshold}" if primary(value, threshold) else "x"

    for name, rows in (("country", summary.by_country), ("type", summary.by_type), ("tag", summary.by_tag)):
        for row in rows:
            row.shown = {column: show((name, row.key, column)) for column in PEOPLE}
    summary.shown = {column: show(("total", column)) for column in ("returnees", "members")}


def _period(rows: Any, start: dt.date | None, end: dt.date | None) -> Any:
    if start is None or end is None:
        return rows
    ran = Q(start_date__lte=end) & (Q(end_date__isnull=True) | Q(end_date__gte=start))
    if start <= timezone.localdate() <= end:
        return rows.filter(ran | Q(status=ProjectStatus.PREPARATION))
    return rows.filter(ran).exclude(status=ProjectStatus.PREPARATION)


def _add(row: Row, project: CommunityProject, returnees: int) -> None:
    row.projects += 1
    if project.status == ProjectStatus.PREPARATION:
        row.preparation += 1
    elif project.status == ProjectStatus.COMPLETED:
        row.completed += 1
    else:
        row.ongoing += 1
    row.returnees += returnees
    row.women += sum(int(project.members.get(g) or 0) for g in MEMBER_GROUPS if g.startswith("F_"))
    row.men += sum(int(project.members.get(g) or 0) for g in MEMBER_GROUPS if g.startswith("M_"))


def project_summary(
    actor: Any,
    start: dt.date | None = None,
    end: dt.date | None = None,
    programme: int | None = None,
    threshold: int | None = None,
) -> Summary:
    """`threshold`: the small-cell threshold of the edition the summary is part of; by
    default the reader's (0, exact, for readers of case records)."""
    rows = _period(readable(actor).filter(status__in=COUNTED), start, end)
    if programme:
        rows = rows.filter(programme_id=programme)
    projects = list(rows.order_by("country", "id"))
    ids = [p.pk for p in projects]
    taking_part: dict[int, set[int]] = {}
    joined = Participant.objects.filter(project_id__in=ids)
    if end is not None:
        joined = joined.filter(joined_on__lte=end)
    links = joined.values_list("project_id", "case_id")
    for project_id, case_id in links:
        taking_part.setdefault(project_id, set()).add(case_id)
    countries: dict[str, Row] = {}
    types = {code: Row(code, str(label)) for code, label in ProjectType.choices}
    tags = {code: Row(code, str(label)) for code, label in ProjectTag.choices}
    atoms: list[tuple[Any, ...]] = []
    for project in projects:
        returnees = len(taking_part.get(project.pk, ()))
        women = sum(int(project.members.get(g) or 0) for g in MEMBER_GROUPS if g.startswith("F_"))
        men = sum(int(project.members.get(g) or 0) for g in MEMBER_GROUPS if g.startswith("M_"))
        atoms.append((project.pk, project.country, project.kind, list(project.tags), returnees, women, men))
        country = countries.setdefault(project.country, Row(project.country, country_name(project.country)))
        _add(country, project, returnees)
        _add(types[project.kind], project, returnees)
        for tag in project.tags:
            if tag in tags:
                _add(tags[tag], project, returnees)
    by_country = sorted(countries.values(), key=lambda r: (-r.projects, r.label))
    everyone = set().union(*taking_part.values()) if taking_part else set()
    summary = Summary(
        start=start,
        end=end,
        programme=programme,
        projects=len(projects),
        countries=len(countries),
        returnees=len(everyone),
        members=sum(r.members for r in by_country),
        by_country=by_country,
        by_type=[r for r in types.values() if r.projects],
        by_tag=[r for r in tags.values() if r.projects],
    )
    if threshold is None:
        from remis.reports.statistics import threshold_for

        threshold = threshold_for(actor)
    _protect(summary, threshold, atoms)
    return summary
