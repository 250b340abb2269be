"""Writes on the shared configuration (migrant categories, vulnerabilities): the platform
operator's (platform.manage). Items are never deleted, only retired: cases keep naming them."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from remis.accounts.permissions import SensitiveGroup
from remis.audit.actions import created, diff, record, snapshot
from remis.lib.errors import Conflict, ValidationFailed
from remis.lib.fields import Text
from remis.programmes.actions.common import FieldErrors, require_platform
from remis.programmes.models import (
    ConfigurationItem,
)

ITEM_FIELDS = ["code", "name", "names", "sensitive_group", "active", "position"]


def _item_values(
    errors: FieldErrors, name: str, names: Mapping[str, str], sensitive_group: str
) -> tuple[str, dict[str, str], str]:
    # The shared text rule (lib.fields.Text): a name with U+202E read as another one in every
    # list offering it; the API refused it, the page did not.
    rule, today = Text(120, name=True), timezone.localdate()
    if not name.strip():
        errors.add("name", _("Give it an English name."))
    elif len(name.strip()) > 120:
        errors.add("name", _("Keep the name under 120 characters."))
    elif problem := rule.problem(name.strip(), today):
        errors.add("name", problem)
    cleaned = {}
    for language in ("fr", "ar"):
        value = (names.get(language) or "").strip()
        if len(value) > 120:
            errors.add(f"name_{language}", _("Keep the name under 120 characters."))
        elif value and (problem := rule.problem(value, today)):
            errors.add(f"name_{language}", problem)
        elif value:
            cleaned[language] = value
    unknown = set(names) - {"fr", "ar"}
    if unknown:
        errors.add("names", _("Translations are kept in French (fr) and Arabic (ar) only."))
    if sensitive_group and sensitive_group not in {g.value for g in SensitiveGroup}:
        errors.add("sensitive_group", _("Choose one of the sensitive groups, or none."))
    return name.strip(), cleaned, sensitive_group


def create_configuration_item(
    actor: Any,
    model: type[ConfigurationItem],
    *,
    code: str,
    name: str,
    names: Mapping[str, str] | None = None,
    sensitive_group: str = "",
) -> ConfigurationItem:
    """A migrant category or vulnerability, placed last in its list."""
    require_platform(actor)
    errors = FieldErrors()
    code = code.strip()
    if not code:
        errors.add("code", _("Give it a code."))
    elif (same := model._default_manager.filter(code__iexact=code).first()) is not None:
        # Whatever the letters' case: the case import reads codes so, and "Other" in a file
        # matched "other" or "OTHER" by chance.
        errors.add("code", _("The code “%(code)s” is taken.") % {"code": same.code})
    name, cleaned, group = _item_values(errors, name, names or {}, sensitive_group)
    errors.raise_any()
    last = model._default_manager.aggregate(last=models.Max("position"))["last"]
    with transaction.atomic():
        item = model._default_manager.create(
            code=code,
            name=name,
            names=cleaned,
            sensitive_group=group,
            position=0 if last is None else last + 1,
        )
        record(actor, "config.create_item", item, changes=created(item, ITEM_FIELDS))
    return item


def item_read(item: ConfigurationItem) -> str:
    """What a form read of an item (its names and group), as a short digest sent back with
    the edit: the items have no version column, and two operators' forms opened together
    saved one over the other (the first one's French name lost)."""
    data = json.dumps([item.name, item.names or {}, item.sensitive_group], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(data.encode()).hexdigest()[:16]


def update_configuration_item(
    actor: Any,
    item: ConfigurationItem,
    *,
    name: str,
    names: Mapping[str, str] | None = None,
    sensitive_group: str = "",
    read: str | None = None,
) -> ConfigurationItem:
    """Rename, translate or regroup an item; its code never changes. A shipped item changed
    here is kept as it is by `sync_defaults` (seeding.py). `read`: `item_read` of the item
    as the form showed it; changed since (someone else's edit), the edit is a Conflict."""
    require_platform(actor)
    errors = FieldErrors()
    name, cleaned, group = _item_values(errors, name, names or {}, sensitive_group)
    errors.raise_any()
    with transaction.atomic():
        # Compared and written under the row's lock: two edits from one read cannot both pass.
        locked = type(item)._default_manager.select_for_update().get(pk=item.pk)
        if read is not None and item_read(locked) != read:
            raise Conflict()
        before = snapshot(locked, ITEM_FIELDS)
        locked.name, locked.names, locked.sensitive_group = name, cleaned, group
        changes = diff(before, snapshot(locked, ITEM_FIELDS))
        if changes:
            locked.save(update_fields=["name", "names", "sensitive_group"])
            record(actor, "config.update_item", locked, changes=changes)
    item.name, item.names, item.sensitive_group = locked.name, locked.names, locked.sensitive_group
    return item


def set_configuration_item_active(actor: Any, item: ConfigurationItem, active: bool) -> ConfigurationItem:
    """Retire an item (no longer offered; cases that name it keep it) or restore it.
    Items are never deleted: cases, reports and the audit log name them."""
    require_platform(actor)
    if item.active != active:
        with transaction.atomic():
            item.active = active
            item.save(update_fields=["active"])
            record(
                actor,
                "config.restore_item" if active else "config.retire_item",
                item,
                changes={"active": [not active, active]},
            )
    return item


def move_configuration_item(actor: Any, item: ConfigurationItem, offset: int) -> ConfigurationItem:
    """Move an item one place up (offset -1) or down (+1) in its list, swapping positions
    with its neighbour; only those two change, so sync_defaults keeps every other item's
    shipped position in step."""
    require_platform(actor)
    if offset not in (-1, 1):
        raise ValidationFailed(_("Move an item one place at a time."), "offset")
    model = type(item)
    with transaction.atomic():
        # Lock the list, then read it. On PostgreSQL a locking read that waited for a
        # concurrent move returns that move's new positions in the order read before it
        # (ORDER BY is not applied again after the wait): the swap below then undid the
        # other move. Read after the lock, the list is in its committed order.
        list(model._default_manager.select_for_update().values_list("pk", flat=True))
        ordered = list(model._default_manager.order_by("position", "name", "pk"))
        index = next(i for i, other in enumerate(ordered) if other.pk == item.pk)
        target = index + offset
        if not 0 <= target < len(ordered):
            return item
        # Positions made distinct first: rows sharing a position would not swap.
        if len({o.position for o in ordered}) < len(ordered):
            for position, other in enumerate(ordered):
                if other.position != position:
                    other.position = position
                    other.save(update_fields=["position"])
        neighbour = ordered[target]
        mine, theirs = ordered[index].position, neighbour.position
        model._default_manager.filter(pk=item.pk).update(position=theirs)
        model._default_manager.filter(pk=neighbour.pk).update(position=mine)
        item.position = theirs
        record(actor, "config.move_item", item, changes={"position": [mine, theirs]})
    return item
