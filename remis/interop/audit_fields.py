"""How the imports' and exports' audit entries read in histories and the audit search
(remis/audit/presentation.py): the data-protection focal point read "interop.recordexport #7",
"rows", "format" and a Python dict of filters."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from remis.audit.presentation import register_field, register_object


def _pairs(_position: int, value: Any) -> str:
    """A mapping or a set of filters as "name: value" pairs ("—" when empty)."""
    if isinstance(value, dict):
        pairs = [f"{name}: {shown}" for name, shown in value.items() if shown not in (None, "", [])]
        return "; ".join(pairs) or "—"
    return str(value)


def register() -> None:
    register_object("interop.recordimport", _("Record import"))
    register_object("interop.recordexport", _("Export"))
    register_object("interop.columnmapping", _("Column mapping"))
    register_field("entity", _("Records"))
    register_field("mapping", _("Columns"), part=_pairs)
    register_field("filters", _("Filters"), part=_pairs)
    register_field("rows", _("Rows"))
    register_field("format", _("File format"))
