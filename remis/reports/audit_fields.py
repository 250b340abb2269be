"""How the reports' audit entries read in the audit search (remis/audit/presentation.py):
packages and research extracts by their names, their kinds, editions and countries in
words (they read "reports.researchextract #2", "origin: GN", "Kind: annual")."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from remis.audit.presentation import Shown, choices, register_field, register_object


class _Pairs:
    """(value, label) pairs read like a TextChoices (`presentation.choices`)."""

    def __init__(self, pairs: Any) -> None:
        self.choices = list(pairs)


def _countries(values: set[Any]) -> dict[Any, Shown]:
    from remis.lib.countries import country_name, is_country

    return {v: Shown(country_name(v)) for v in values if isinstance(v, str) and is_country(v)}


def register() -> None:
    from remis.reports.models import PackageKind
    from remis.reports.statistics import Edition

    register_object("reports.reportpackage", _("Report package"))
    register_object("reports.researchextract", _("Research extract"))
    fields: dict[str, tuple[Any, Any]] = {
        "kind": (_("Kind"), choices(PackageKind)),
        "period": (_("Period"), None),
        "origin": (_("Country of origin"), _countries),
        "edition": (_("Edition"), choices(_Pairs(Edition.CHOICES))),
        "start": (_("Arrived from"), None),
        "end": (_("Arrived until"), None),
        "k": (_("k: smallest group"), None),
    }
    for name, (label, resolve) in fields.items():
        register_field(name, label, resolve)
