"""Records as a table a person can read: a title, translated headers, one row per record.

What a subject access export is made of (`remis/audit/subject_access.py`): each app lists
the fields of its records about a person, and `model_table` turns them into headers (the
fields' own verbose names, so a field's label is the same here as on its form) and cells
(choices as their labels, countries as names, yes and no as words, moments in the server's
time zone, which the file says).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from remis.lib.countries import country_name

# A column: a model field's name, or a header and how to read the cell from a record.
Column = str | tuple[str, Callable[[Any], Any]]


@dataclass
class Table:
    title: str
    headers: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    # Records kept under a case's principal applicant (a plan, notes, visits): a household
    # member's subject access file says they are not in it, rather than "None recorded".
    principal_only: bool = False


def _is_country(f: models.Field[Any, Any]) -> bool:
    return (
        isinstance(f, models.CharField)
        and f.max_length == 2
        and (f.name.endswith("country") or f.name == "nationality")
    )


def cell(value: Any) -> Any:
    """A value as a spreadsheet cell: text, a number, a date or a local moment."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, (dt.date, int, float, Decimal)):
        return value
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)


def field_cell(obj: models.Model, name: str) -> Any:
    f = obj._meta.get_field(name)
    value = getattr(obj, name)
    if getattr(f, "choices", None) and value not in (None, ""):
        return str(getattr(obj, f"get_{name}_display")())
    if _is_country(f):  # type: ignore[arg-type]
        return country_name(value) if value else ""
    return cell(value)


def model_table(
    title: str,
    model: type[models.Model],
    objects: Iterable[Any],
    columns: Sequence[Column],
    *,
    principal_only: bool = False,
) -> Table:
    headers: list[str] = []
    readers: list[Callable[[Any], Any]] = []
    for column in columns:
        if isinstance(column, str):
            headers.append(capfirst(str(model._meta.get_field(column).verbose_name)))  # type: ignore[union-attr]
            readers.append(_field_reader(column))
        else:
            headers.append(column[0])
            readers.append(_cell_reader(column[1]))
    return Table(title, headers, [[read(obj) for read in readers] for obj in objects], principal_only)


def _field_reader(name: str) -> Callable[[Any], Any]:
    return lambda obj: field_cell(obj, name)


def _cell_reader(read: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda obj: cell(read(obj))
