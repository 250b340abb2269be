"""Where later apps show themselves in the cases app's pages, without Cases importing them.

- Case page panels: an app (assistance: the assessment and the plan; monitoring: the visits)
  registers a panel, a template of its own and a function giving that template's context
  for one reader and case (None: not shown to this reader). The case page renders the
  panels in order after the journey, each in its own card with an anchor.
- Work lists: an app registers what a user has to do (plans awaiting their approval,
  referrals awaiting an answer, visits due); the dashboard shows each list's count and
  first rows with a link to the app's own page.
- The dashboard's statistics: the reports app registers where their figures come from (its
  analytics path); the cases app presents them (cells, small-cell suppression).

Registered from the app's `AppConfig.ready()`; a test may `unregister` what it added.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from remis.cases.models import Case


@dataclass(frozen=True)
class PanelContext:
    """What a panel's context function is given: the reader, the case, the permissions the
    reader holds on it and the sensitive groups they read (from the one policy)."""

    actor: Any
    case: Case
    permissions: frozenset[str]
    groups: frozenset[str]


@dataclass(frozen=True)
class CasePanel:
    name: str  # the anchor: /cases/<uuid>/#<name>
    title: Any  # a lazy translated string
    template: str
    context: Callable[[PanelContext], dict[str, Any] | None]
    order: int = 100


@dataclass(frozen=True)
class ShownPanel:
    name: str
    title: str
    template: str
    context: dict[str, Any]


@dataclass
class WorkItem:
    label: str  # what to do, e.g. the case reference and the plan
    url: str
    due: Any = None  # a date, when there is one
    overdue: bool = False


@dataclass
class WorkList:
    name: str
    title: str
    count: int
    items: list[WorkItem] = field(default_factory=list)  # the first few
    url: str = ""  # the app's page with the whole list
    date_label: str = ""  # what the items' dates are, when not the day they are due
    more: bool = False  # more than `count` (`capped_count`): shown "1,000+"


# A home page counts each work list at most this far: an office of seventy thousand cases
# counted its 17,544 instalments due at every load, for a figure that says no more than
# "1,000+" does.
WORK_COUNT_CAP = 1000


def capped_count(rows: Any, cap: int | None = None) -> tuple[int, bool]:
    """(how many rows, up to `cap`; whether there are more). Counted without the list's
    order, so the database stops at the cap rather than sorting everything first."""
    cap = WORK_COUNT_CAP if cap is None else cap
    found = rows.order_by()[: cap + 1].count()
    return min(found, cap), found > cap


@dataclass(frozen=True)
class WorkSource:
    name: str
    work: Callable[[Any], WorkList | None]  # None: nothing of this kind for this user
    order: int = 100


# (actor, first day, last day) -> (rows by (origin, stage): (origin, stage, cases,
# individuals, returned cases); arrivals by month: (first day of the month, cases); as-of
# time), or None when the actor has no statistics.
StatisticsRows = tuple[list[tuple[Any, ...]], list[tuple[Any, Any]], Any]
StatisticsSource = Callable[[Any, Any, Any], "StatisticsRows | None"]

_PANELS: dict[str, CasePanel] = {}
_WORK: dict[str, WorkSource] = {}
_STATISTICS: list[StatisticsSource] = []


def register_statistics(source: StatisticsSource) -> None:
    _STATISTICS[:] = [source]


def statistics_rows(actor: Any, first_day: Any, last_day: Any) -> StatisticsRows | None:
    """The dashboard statistics' figures for this reader; None without a source or right."""
    return _STATISTICS[0](actor, first_day, last_day) if _STATISTICS else None


def register_case_panel(panel: CasePanel) -> None:
    _PANELS[panel.name] = panel


def register_work_list(source: WorkSource) -> None:
    _WORK[source.name] = source


def unregister(name: str) -> None:
    _PANELS.pop(name, None)
    _WORK.pop(name, None)


def panels_for(
    actor: Any, case: Case, permissions: frozenset[str], groups: frozenset[str]
) -> list[ShownPanel]:
    seen = PanelContext(actor=actor, case=case, permissions=permissions, groups=groups)
    shown = []
    for panel in sorted(_PANELS.values(), key=lambda p: (p.order, p.name)):
        context = panel.context(seen)
        if context is not None:
            shown.append(ShownPanel(panel.name, str(panel.title), panel.template, context))
    return shown


def work_sources() -> list[str]:
    """The registered work lists' names, in the order a page shows them. The home page loads
    each after the page itself (`work_list`): at a million cases a large office's lists took
    seconds together, and the rest of the page waited for the slowest."""
    return [source.name for source in sorted(_WORK.values(), key=lambda s: (s.order, s.name))]


def work_list(actor: Any, name: str) -> WorkList | None:
    """One registered work list for this user; None when it shows nothing to them. KeyError
    for a name nobody registered."""
    return _WORK[name].work(actor)


def work_for(actor: Any) -> list[WorkList]:
    lists = []
    for name in work_sources():
        work = work_list(actor, name)
        if work is not None:
            lists.append(work)
    return lists
