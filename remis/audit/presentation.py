"""How audit entries read on screen: fields by their labels, ids by the names they stand
for, codes by their translated labels, and sensitive values masked for readers without the
right to see them.

The audit app records every app's writes but imports none of them: each app registers how
its fields read (`register_field`, `register_object`) from its `AppConfig.ready()`. Lookups
are batched over all the entries shown, so a page of history costs one query per kind of
id, not one per value.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Collection, Iterable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from remis.audit.models import AuditEntry
from remis.audit.sealing import ERASED, Opener, subject_for
from remis.lib.bidi import left_to_right
from remis.lib.text import group_separator, list_separator


@dataclass(frozen=True)
class Shown:
    """One value as a reader sees it; a value in a sensitive field group (`group`: health,
    protection, psychosocial, identity) is masked for readers not holding that group."""

    text: str
    group: str = ""
    # What a reader not holding `group` reads instead ("Restricted" when blank): a migrant
    # category reads as the category standing in for it (cases.policy.category_as_read).
    masked: str = ""


# Given every raw value of one field on the page, how each reads.
Resolver = Callable[[set[Any]], dict[Any, Shown]]


@dataclass(frozen=True)
class FieldReading:
    label: Any  # a lazy translated string
    resolve: Resolver | None = None
    # How one structured part of a value (a list or dict in a list: a schedule's round)
    # reads, given its position (from 1).
    part: Callable[[int, Any], str] | None = None


_FIELDS: dict[str, FieldReading] = {}
_OBJECTS: dict[str, Callable[[set[str]], dict[str, str]]] = {}
_OBJECT_NAMES: dict[str, Any] = {}
_NAMING: set[str] = set()  # fields and object types whose values are people's names
_SUBJECTS: set[str] = set()  # object types a case's history names beside the action (`subject`)


def names_people(*names: str) -> None:
    """Fields ("person") and object types ("cases.person") that read as a person's name:
    not shown to a reader of the log who does not read the case (`describe_entries`)."""
    _NAMING.update(names)


def register_field(
    name: str,
    label: Any,
    resolve: Resolver | None = None,
    part: Callable[[int, Any], str] | None = None,
) -> None:
    """How the field `name` reads in any entry: its label and, for ids and codes, how to
    turn values into names (`part`: how a structured part of a value reads). One reading
    per name, whatever the model: a name two apps register ("status", "country") reads a
    value by the later app's resolver, else by the earlier one's, so that registering never
    undoes an earlier app's reading (the accounts app registers before the others)."""
    earlier = _FIELDS.get(name)
    if earlier is not None and earlier.resolve is not None:
        resolve = _either(resolve, earlier.resolve) if resolve is not None else earlier.resolve
    _FIELDS[name] = FieldReading(label, resolve, part or (earlier.part if earlier else None))


def _either(first: Resolver, then: Resolver) -> Resolver:
    """`first`'s reading of each value, and `then`'s for those `first` leaves as logged."""

    def combined(values: set[Any]) -> dict[Any, Shown]:
        shown = first(values)
        raw = {v for v in values if v not in shown or shown[v].text == str(v)}
        if raw:
            shown.update(then(raw))
        return shown

    return combined


# Readings of a field on one kind of record: "status" is a submission's, a plan item's, a
# referral's… and a value two of them share ("cancelled") read as the first registered:
# a plan item cancelled by its case worker read "Cancelled: consent withdrawn".
_TYPED_FIELDS: dict[tuple[str, str], FieldReading] = {}


def _reading_key(object_type: str, name: str) -> str | tuple[str, str]:
    return (object_type, name) if (object_type, name) in _TYPED_FIELDS else name


def _reading(key: str | tuple[str, str]) -> FieldReading | None:
    return _TYPED_FIELDS.get(key) if isinstance(key, tuple) else _FIELDS.get(key)


def extend_field(
    name: str, resolve: Resolver, label: Any = None, *, object_types: Iterable[str] = ()
) -> None:
    """A later app's values for a field an earlier app registered ("status", "kind"): a value
    the earlier reading leaves as it was logged is read by `resolve` instead, so plan,
    referral and submission statuses all read as labels under one field name. Given
    `object_types`, the values of the field on those records are read by `resolve` first
    (a status of a plan item as the plan item's, whatever a submission's reads)."""
    earlier = _FIELDS.get(name)
    for object_type in object_types:
        _TYPED_FIELDS[(object_type, name)] = FieldReading(
            label or (earlier.label if earlier else name),
            _either(resolve, earlier.resolve) if earlier and earlier.resolve else resolve,
            earlier.part if earlier else None,
        )

    def combined(values: set[Any]) -> dict[Any, Shown]:
        shown = earlier.resolve(values) if earlier and earlier.resolve else {}
        raw = {v for v in values if v not in shown or shown[v].text == str(v)}
        if raw:
            shown.update(resolve(raw))
        return shown

    if object_types:
        # The label given is those records' own: "Reason for the pause" (a webhook
        # subscription's) became the label of every "reason" in every history.
        if earlier is None:
            return
        label = earlier.label
    _FIELDS[name] = FieldReading(
        label or (earlier.label if earlier else name), combined, earlier.part if earlier else None
    )


# Given each entry's record id and its opened changes, the sensitive group of each record.
RowGroups = Callable[[list[tuple[str, dict[str, Any]]]], dict[str, str]]
_ROW_GROUPS: dict[str, tuple[frozenset[str], RowGroups]] = {}


def register_row_group(object_type: str, fields: Iterable[str], resolve: RowGroups) -> None:
    """Fields of a record whose sensitive group is the record's own rather than the field's:
    an assistance item's description is in its type's group, a pre-departure need's in
    health when the need is medical. `resolve` reads the group of each record (blank: none),
    from the record or, once it is removed, from what its entries logged."""
    _ROW_GROUPS[object_type] = (frozenset(fields), resolve)


def logged_groups(
    entries: list[tuple[str, dict[str, Any]]], name: str, group_of: Callable[[Any], str]
) -> dict[str, str]:
    """For each record, the first sensitive group that a value its entries logged under
    `name` is in (blank: none): how a removed record's group is read, from its history."""
    found: dict[str, str] = {}
    for object_id, changes in entries:
        values = changes.get(name)
        groups = [group_of(v) for v in values if v is not None] if isinstance(values, list) else []
        found[object_id] = found.get(object_id) or next((g for g in groups if g), "")
    return found


def _row_groups(rows: list[AuditEntry], opened: dict[int, dict[str, Any]]) -> dict[int, str]:
    by_type: dict[str, list[AuditEntry]] = {}
    for entry in rows:
        if entry.object_type in _ROW_GROUPS:
            by_type.setdefault(entry.object_type, []).append(entry)
    found: dict[int, str] = {}
    for object_type, entries in by_type.items():
        groups = _ROW_GROUPS[object_type][1]([(e.object_id, opened[e.pk]) for e in entries])
        for entry in entries:
            found[entry.pk] = groups.get(entry.object_id, "")
    return found


def register_object(
    object_type: str,
    name: Any,
    describe: Callable[[set[str]], dict[str, str]] | None = None,
    *,
    subject: bool = False,
) -> None:
    """How a record of `object_type` ("cases.case") is named: a kind ("Case") and,
    optionally, each record's own name (its reference) by id. `subject`: a case's history
    names the record beside the action (whose details were edited, in a household of
    eight: "Edited a person's details" named nobody)."""
    _OBJECT_NAMES[object_type] = name
    if describe is not None:
        _OBJECTS[object_type] = describe
    if subject:
        _SUBJECTS.add(object_type)


_reader_groups: list[Callable[[Any], frozenset[str]]] = []
_field_groups: list[Callable[[str], str]] = []


def register_reader_rights(
    groups_everywhere: Callable[[Any], frozenset[str]], field_group: Callable[[str], str]
) -> None:
    """The policy's rules, registered by the cases app: which sensitive groups a reader of
    the audit search holds (the rule for lists), and which group a field
    ("cases.returntravel.medical_fitness") is in."""
    _reader_groups[:] = [groups_everywhere]
    _field_groups[:] = [field_group]


def reader_groups(actor: Any) -> frozenset[str]:
    """No group unless a registered rule says so: masking is the safe default."""
    return _reader_groups[0](actor) if _reader_groups else frozenset()


def _field_group(object_type: str, name: str) -> str:
    return _field_groups[0](f"{object_type}.{name}") if _field_groups else ""


def choices(text_choices: Any) -> Resolver:
    """A resolver for a TextChoices field (or (code, label) pairs): codes read as their
    translated labels."""
    labels = dict(getattr(text_choices, "choices", text_choices))

    def resolve(values: set[Any]) -> dict[Any, Shown]:
        return {v: Shown(str(labels.get(v, v))) for v in values}

    return resolve


def file_types(values: set[Any]) -> dict[Any, Shown]:
    """A stored file's type in words ("PDF", not "application/pdf")."""
    from remis.lib.files import file_kind

    return {v: Shown(file_kind(v)) for v in values if isinstance(v, str)}


def file_sizes(values: set[Any]) -> dict[Any, Shown]:
    """A size with its unit ("391 bytes", "1.2 MB")."""
    from remis.lib.files import file_size

    return {v: Shown(file_size(v)) for v in values if isinstance(v, int) and not isinstance(v, bool)}


def countries(values: set[Any]) -> dict[Any, Shown]:
    """A resolver for country codes: each read as the country's name in the reader's
    language; anything else left as logged."""
    from remis.lib.countries import country_name, is_country

    return {v: Shown(country_name(v)) for v in values if isinstance(v, str) and is_country(v)}


def named_by_id(model: Any, text: Any, group: Any = None, masked: Any = None) -> Resolver:
    """A resolver reading ids as rows of `model`: `text(row)` is what the reader sees and
    `group(row)`, if given, the row's sensitive group; `masked()`, if given, what a reader
    not holding it reads instead of "Restricted"."""

    def resolve(values: set[Any]) -> dict[Any, Shown]:
        ids = {v for v in values if isinstance(v, int)}
        rows = list(model.objects.filter(pk__in=ids))
        instead = str(masked()) if masked is not None and group and any(group(r) for r in rows) else ""
        return {row.pk: Shown(str(text(row)), str(group(row)) if group else "", instead) for row in rows}

    return resolve


def described_by_id(model: Any, text: Any, *related: str) -> Callable[[set[str]], dict[str, str]]:
    """For `register_object`: each record of `model`, by its id as logged, named `text(row)`
    (`related`: the relations `text` reads, fetched with the rows)."""

    def describe(ids: set[str]) -> dict[str, str]:
        keys = [int(i) for i in ids if i.isdigit()]
        rows = model.objects.filter(pk__in=keys)
        if related:  # (with no names, select_related would follow every relation)
            rows = rows.select_related(*related)
        return {str(row.pk): str(text(row)) for row in rows}

    return describe


@dataclass
class ChangeLine:
    field: str
    label: str
    before: str
    after: str


@dataclass
class EntryView:
    """An audit entry ready to print."""

    entry: AuditEntry
    object_label: str
    changes: list[ChangeLine] = field(default_factory=list)
    case_reference: str = ""  # the case the entry is about, when it is about one
    subject: str = ""  # the record's own name, for the object types registered `subject`

    def __getattr__(self, name: str) -> Any:  # at, actor, action, action_label, …
        return getattr(self.entry, name)


EMPTY = "—"


class _NotShown:
    """A person's name in an entry its reader may not name (`describe_entries(unnamed=)`)."""


NOT_SHOWN = _NotShown()
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")  # dates are logged as ISO text; people read them formatted
ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)?")
# How the entries being described write days: set by `describe_entries` for its readers
# (a field's own reading of a logged day too), the month alone on an anonymised case.
_day_format: ContextVar[str] = ContextVar("day_format", default="SHORT_DATE_FORMAT")


def shown_day(iso: str) -> str:
    """A day logged as ISO text, as the entries being described write days."""
    return date_format(dt.date.fromisoformat(iso), _day_format.get())


def shown_moment(iso: str) -> str:
    """A moment logged as ISO text (an invitation's expiry), in the reader's time zone and
    format; on an anonymised case, its month alone, as its days."""
    moment = dt.datetime.fromisoformat(iso.replace("Z", "+00:00"))
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    if _day_format.get() != "SHORT_DATE_FORMAT":
        return date_format(moment.date(), _day_format.get())
    return date_format(moment, "SHORT_DATETIME_FORMAT")


def _flatten(value: Any) -> list[Any]:
    if isinstance(value, list):
        return [v for v in value if v is not None]
    return [] if value in (None, "") else [value]


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def describe_entries(
    entries: Iterable[AuditEntry],
    *,
    groups: frozenset[str],
    day_format: str = "SHORT_DATE_FORMAT",
    unnamed: Collection[Any] = (),
) -> list[EntryView]:
    """Entries as their reader sees them. A value in a sensitive group the reader does not
    hold (`groups`) reads "Restricted", as on the case page: a trafficking category, a
    pregnancy, or any value of a field registered in a group (fitness to travel). Dates
    recorded as values are written in `day_format` (the month alone on an anonymised case:
    the log keeps the exact day, the page may not show it). Entries of the cases in
    `unnamed` — read by someone who does not read those cases, such as a data-protection
    focal point searching erasures — name nobody: a person's name reads "Not shown"."""
    token = _day_format.set(day_format)
    try:
        return _describe(entries, groups, frozenset(unnamed))
    finally:
        _day_format.reset(token)


def _describe(
    entries: Iterable[AuditEntry], groups: frozenset[str], unnamed: frozenset[Any]
) -> list[EntryView]:
    rows = list(entries)
    subjects = {entry.pk: subject_for(entry.object_type, entry.object_id, entry.case_uuid) for entry in rows}
    opener = Opener(subjects.values())
    opened: dict[int, dict[str, Any]] = {
        entry.pk: {
            name: [opener.open(subjects[entry.pk], v) for v in values] if isinstance(values, list) else values
            for name, values in (entry.changes or {}).items()
        }
        for entry in rows
    }
    wanted: dict[str | tuple[str, str], set[Any]] = {}
    for entry in rows:
        for name, values in opened[entry.pk].items():
            key = _reading_key(entry.object_type, name)
            reading = _reading(key)
            if reading is None or reading.resolve is None:
                continue
            for value in values if isinstance(values, list) else []:
                wanted.setdefault(key, set()).update(v for v in _flatten(value) if _hashable(v))
    resolved = {key: _reading(key).resolve(values) for key, values in wanted.items()}  # type: ignore[union-attr,misc]
    objects: dict[str, set[str]] = {}
    for entry in rows:
        objects.setdefault(entry.object_type, set()).add(entry.object_id)
    object_names = {kind: _OBJECTS[kind](ids) if kind in _OBJECTS else {} for kind, ids in objects.items()}

    stood_in: list[Any] = []  # keys whose hidden values read as the value standing in for them

    def shown(key: str | tuple[str, str], value: Any, field_hidden: bool) -> str:
        parts = _flatten(value)
        if not parts:
            return EMPTY
        if field_hidden:
            return _("Restricted")
        lookup = resolved.get(key, {})
        reading = _reading(key)
        texts = []
        for position, part in enumerate(parts, 1):
            one = lookup.get(part) if _hashable(part) else None
            if isinstance(part, dict | list) and reading is not None and reading.part is not None:
                texts.append(reading.part(position, part))
            elif part is ERASED:
                texts.append(_("Erased"))
            elif part is NOT_SHOWN:
                texts.append(_("Not shown"))
            elif isinstance(part, bool):
                texts.append(_("Yes") if part else _("No"))
            elif isinstance(part, str) and ISO_DATE.fullmatch(part):
                texts.append(shown_day(part))
            elif isinstance(part, str) and ISO_MOMENT.fullmatch(part):
                texts.append(shown_moment(part))
            elif one is None:
                texts.append(left_to_right(str(part)))  # a phone number keeps its "+" in front
            elif one.group and one.group not in groups:
                if one.masked:
                    stood_in.append(key)
                texts.append(one.masked or _("Restricted"))
            else:
                texts.append(one.text)
        # One "Restricted" says a value is hidden without counting or placing them.
        grouped = reading is not None and reading.part is not None
        return (group_separator() if grouped else list_separator()).join(dict.fromkeys(texts))

    row_groups = _row_groups(rows, opened)
    views = []
    for entry in rows:
        kind = _OBJECT_NAMES.get(entry.object_type)
        own = object_names.get(entry.object_type, {}).get(entry.object_id)
        nameless = entry.case_uuid in unnamed
        if nameless and entry.object_type in _NAMING:
            own = str(_("Not shown"))
        row_group = row_groups.get(entry.pk, "")
        if own and row_group and any(g not in groups for g in row_group.split(",")):
            # A record named by what is in its group (an assistance item by its type:
            # psychosocial counselling) is not named to a reader without the group.
            own = None
        label = " ".join(str(p) for p in (kind or entry.object_type, own or f"#{entry.object_id}"))
        subject = (own or "") if entry.object_type in _SUBJECTS else ""
        view = EntryView(entry=entry, object_label=label, subject=subject)
        for name, values in opened[entry.pk].items():
            before, after = [*values, None, None][:2] if isinstance(values, list) else (None, values)
            if nameless and name in _NAMING:
                before, after = (
                    (None if before is None else NOT_SHOWN),
                    (None if after is None else NOT_SHOWN),
                )
            key = _reading_key(entry.object_type, name)
            reading = _reading(key)
            group = _field_group(entry.object_type, name)
            if not group and name in _ROW_GROUPS.get(entry.object_type, (frozenset(), None))[0]:
                group = row_group
            # A row's group may name several ("identity,psychosocial"): hidden lacking any.
            hidden = bool(group) and any(g not in groups for g in group.split(","))
            stood_in.clear()
            line = ChangeLine(
                field=name,
                label=str(reading.label) if reading else name,
                before=shown(key, before, hidden),
                after=shown(key, after, hidden),
            )
            if line.before == line.after and (line.before == EMPTY or stood_in):
                # Nothing before, nothing after (no flag declined); or a change between a
                # hidden value and the one standing in for it (a category): "Other → Other"
                # would say that something hidden changed.
                continue
            if hidden:
                # One line for all the hidden fields, naming none: "Urgent medical care:
                # Restricted → Restricted" said which yes/no changed, so its new value.
                if not any(c.field == RESTRICTED_FIELDS for c in view.changes):
                    restricted = str(_("Restricted"))
                    view.changes.append(
                        ChangeLine(
                            RESTRICTED_FIELDS, str(_("Details in a restricted group")), restricted, restricted
                        )
                    )
                continue
            view.changes.append(line)
        views.append(view)
    return views


RESTRICTED_FIELDS = "restricted"  # the one line standing for an entry's hidden fields
