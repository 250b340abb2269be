"""How the imports' and exports' audit entries read in histories and the audit search
(remis/audit/presentation.py): the data-protection focal point read "interop.recordexport #7",
"rows", "format" and a Python dict of filters."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from remis.audit.presentation import Shown, extend_field, register_field, register_object


def _pairs(_position: int, value: Any) -> str:
    """A mapping or a set of filters as "name: value" pairs ("—" when empty)."""
    if isinstance(value, dict):
        pairs = [f"{name}: {shown}" for name, shown in value.items() if shown not in (None, "", [])]
        return "; ".join(pairs) or "—"
    return str(value)


def _export_kinds(values: set[Any]) -> dict[Any, Shown]:
    """An export's kind by its label ("Kind: cases" in a case's history)."""
    from remis.interop.exporting import export_kind

    shown = {}
    for value in values:
        kind = export_kind(str(value))
        if kind is not None:
            shown[value] = Shown(str(kind.label))
    return shown


def register() -> None:
    register_object("interop.recordimport", _("Record import"))
    register_object("interop.recordexport", _("Export"))
    register_object("interop.columnmapping", _("Column mapping"))
    register_field("entity", _("Records"))
    register_field("mapping", _("Columns"), part=_pairs)
    register_field("filters", _("Filters"), part=_pairs)
    register_field("rows", _("Rows"))
    register_field("format", _("File format"))
    register_field("file", _("File"))  # an upload's file deleted ("file: Yes → —")
    extend_field("kind", _export_kinds, object_types=["interop.recordexport"])
