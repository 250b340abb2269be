"""How community projects attach to the case page (through the cases app's extension points:
the cases app never imports this one)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy

from remis.cases.extensions import CasePanel, PanelContext


def projects_panel(context: PanelContext) -> dict[str, Any] | None:
    """The projects the returnee takes part in; none: no panel. A project the reader may not
    read is named by its type and country only."""
    from remis.communities.models import Participant
    from remis.communities.queries import readable

    taking_part = list(
        Participant.objects.filter(case=context.case).select_related("project").order_by("joined_on", "id")
    )
    if not taking_part:
        return None
    may_read = set(
        readable(context.actor)
        .filter(pk__in=[p.project_id for p in taking_part])
        .values_list("pk", flat=True)
    )
    return {"taking_part": [(p, p.project_id in may_read) for p in taking_part]}


def register() -> None:
    from remis.cases.events import CaseAnonymised
    from remis.cases.extensions import register_case_panel
    from remis.communities.anonymise import coarsen_cases
    from remis.lib.events import subscribe_in_transaction

    subscribe_in_transaction(CaseAnonymised, coarsen_cases)  # with the case, or not at all

    register_case_panel(
        CasePanel(
            "community-projects",
            gettext_lazy("Community projects"),
            "communities/_panel.html",
            projects_panel,
            order=28,
        )
    )
