"""The assessment card on the case page (remis/cases/extensions.py)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from remis.accounts.permissions import Perm
from remis.assessments.presentation import assessment_view
from remis.assessments.queries import latest_assessment
from remis.cases.extensions import CasePanel, PanelContext


def panel_context(seen: PanelContext) -> dict[str, Any] | None:
    if Perm.CASE_VIEW not in seen.permissions:
        return None
    latest = latest_assessment(seen.case)
    return {
        "case": seen.case,
        "view": assessment_view(latest, seen.groups) if latest else None,
        "can_record": Perm.ASSESSMENT_RECORD in seen.permissions,
    }


PANEL = CasePanel(
    name="assessment",
    title=_("Needs and vulnerability assessment"),
    template="assessments/_panel.html",
    context=panel_context,
    order=10,
)
