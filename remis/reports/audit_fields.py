"""How the reports' audit entries read in the audit search (remis/audit/presentation.py):
packages and research extracts by their names, their kinds, editions and countries in
words (they read "reports.researchextract #2", "origin: GN", "Kind: annual")."""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext_lazy as _

from remis.audit.presentation import Shown, choices, countries, register_field, register_object

PERIOD = re.compile(r"(annual|quarterly) (\d{4})(?: Q([1-4]))?")


def _periods(values: set[Any]) -> dict[Any, Shown]:
    """A package's period as logged ("quarterly 2026 Q1", the package's own name in code
    words, read so in French and Arabic) in the reader's words: "2026, quarter 1"."""
    from django.utils.translation import gettext

    shown: dict[Any, Shown] = {}
    for value in values:
        found = PERIOD.fullmatch(value) if isinstance(value, str) else None
        if found is None:
            continue
        _kind, year, quarter = found.groups()
        shown[value] = Shown(
            gettext("%(year)s, quarter %(quarter)s") % {"year": year, "quarter": quarter} if quarter else year
        )
    return shown


def register() -> None:
    from remis.reports.models import PackageKind
    from remis.reports.statistics import Edition

    register_object("reports.reportpackage", _("Report package"))
    register_object("reports.researchextract", _("Research extract"))
    fields: dict[str, tuple[Any, Any]] = {
        "kind": (_("Kind"), choices(PackageKind)),
        "period": (_("Period"), _periods),
        "origin": (_("Country of origin"), countries),
        "edition": (_("Edition"), choices(Edition.CHOICES)),
        "start": (_("Arrived from"), None),
        "end": (_("Arrived until"), None),
        "k": (_("k: smallest group"), None),
    }
    for name, (label, resolve) in fields.items():
        register_field(name, label, resolve)
