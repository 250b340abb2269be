"""How the reports' audit entries read in the audit search (remis/audit/presentation.py):
packages and research extracts by their names, their kinds, editions and countries in
words (they read "reports.researchextract #2", "origin: GN", "Kind: annual")."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from remis.audit.presentation import choices, countries, register_field, register_object


def register() -> None:
    from remis.reports.models import PackageKind
    from remis.reports.statistics import Edition

    register_object("reports.reportpackage", _("Report package"))
    register_object("reports.researchextract", _("Research extract"))
    fields: dict[str, tuple[Any, Any]] = {
        "kind": (_("Kind"), choices(PackageKind)),
        "period": (_("Period"), None),
        "origin": (_("Country of origin"), countries),
        "edition": (_("Edition"), choices(Edition.CHOICES)),
        "start": (_("Arrived from"), None),
        "end": (_("Arrived until"), None),
        "k": (_("k: smallest group"), None),
    }
    for name, (label, resolve) in fields.items():
        register_field(name, label, resolve)
