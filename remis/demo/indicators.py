"""The demo's indicator framework: the shipped core framework's second version, with targets
for the last three years, drafted and activated through the actions by the demo's M&E
officer (the first version stays, retired). Skipped once the framework has a second
version (a second load adds nothing)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from remis.accounts.models import User
from remis.indicators import actions
from remis.indicators.models import Framework, FrameworkStatus

# Targets per indicator as the form takes them; the same for each of the last three years.
TARGETS = {"RET-2": "60%", "MON-2": "75%", "RSS-1": "55", "RSS-2": "35%", "SRV-1": "45", "SRV-3": "70%"}


def build_indicator_targets() -> None:
    if Framework.objects.filter(code="avrr-core").count() != 1:
        return
    core = Framework.objects.filter(code="avrr-core", status=FrameworkStatus.ACTIVE).first()
    officer = User.objects.filter(username="me.gn").first()
    if core is None or officer is None:
        return
    draft = actions.new_version(officer, core)
    year = timezone.localdate().year
    for code, target in TARGETS.items():
        indicator: Any = draft.indicators.get(code=code)
        text = "\n".join(f"{y}: {target}" for y in range(year - 2, year + 1))
        actions.update_indicator(officer, indicator, {"targets": text}, indicator.version)
    draft.refresh_from_db()
    actions.activate(officer, draft, draft.version)
