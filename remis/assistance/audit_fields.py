"""How the plans' audit entries read in histories and the audit search
(remis/audit/presentation.py): field labels, codes as their labels, assistance types by name
(masked for readers without the type's sensitive group). "status", "kind", "route" and
"mode" are the cases app's names too: ours extend them (`extend_field`)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from remis.assistance.queries import dimension_group
from remis.audit.presentation import (
    Shown,
    choices,
    described_by_id,
    extend_field,
    file_types,
    logged_groups,
    named_by_id,
    register_field,
    register_object,
    register_row_group,
)


def _types(values: set[Any]) -> dict[Any, Shown]:
    from remis.assistance.models import AssistanceType

    ids = {v for v in values if isinstance(v, int)}
    return {t.pk: Shown(str(t.label), t.sensitive_group) for t in AssistanceType.objects.filter(pk__in=ids)}


def _items(values: set[Any]) -> dict[Any, Shown]:
    """An item logged by id (an instalment's) or by its key across versions (a referral's)."""
    import uuid

    from remis.assistance.models import AssistanceItem

    ids = {v for v in values if isinstance(v, int)}
    keys: dict[uuid.UUID, Any] = {}
    for value in values:
        if isinstance(value, str):
            try:
                keys[uuid.UUID(value)] = value
            except ValueError:
                continue
    shown: dict[Any, Shown] = {}
    rows = AssistanceItem.objects.select_related("kind")
    for item in rows.filter(pk__in=ids):
        shown[item.pk] = Shown(str(item.kind.label), item.kind.sensitive_group)
    for item in rows.filter(key__in=list(keys)).order_by("key", "-id").distinct():
        shown.setdefault(keys[item.key], Shown(str(item.kind.label), item.kind.sensitive_group))
    return shown


def _logged(changes: dict[str, Any], name: str) -> list[Any]:
    values = changes.get(name)
    return [v for v in values if v is not None] if isinstance(values, list) else []


def _item_groups(entries: list[tuple[str, dict[str, Any]]]) -> dict[str, str]:
    """An item's description and cancellation reason are in its type's group: the page
    masked them and the history read "Psychotherapy, 8 sessions" to readers without it."""
    from remis.assistance.models import AssistanceItem, AssistanceType

    ids = [int(i) for i, _changes in entries if i.isdigit()]
    found = {
        str(pk): group or ""
        for pk, group in AssistanceItem.objects.filter(pk__in=ids).values_list("id", "kind__sensitive_group")
    }
    kinds = {k for _i, changes in entries for k in _logged(changes, "kind") if isinstance(k, int)}
    kind_groups = dict(AssistanceType.objects.filter(pk__in=kinds).values_list("id", "sensitive_group"))
    # Removed since: the type any of its entries logged.
    return {**logged_groups(entries, "kind", lambda k: kind_groups.get(k) or ""), **found}


def _need_groups(entries: list[tuple[str, dict[str, Any]]]) -> dict[str, str]:
    from remis.assistance.models import Need

    ids = [int(i) for i, _changes in entries if i.isdigit()]
    found = {
        str(pk): dimension_group(d)
        for pk, d in Need.objects.filter(pk__in=ids).values_list("id", "dimension")
    }
    return {**logged_groups(entries, "dimension", dimension_group), **found}


def _goal_groups(entries: list[tuple[str, dict[str, Any]]]) -> dict[str, str]:
    from remis.accounts.permissions import SensitiveGroup
    from remis.assistance.models import Goal, Need

    ids = [int(i) for i, _changes in entries if i.isdigit()]
    found = {
        str(pk): dimension_group(d)
        for pk, d in Goal.objects.filter(pk__in=ids).values_list("id", "need__dimension")
    }
    logged: dict[str, set[int]] = {}  # removed since: the needs its entries logged
    for object_id, changes in entries:
        if object_id not in found:
            logged.setdefault(object_id, set()).update(
                n for n in _logged(changes, "need") if isinstance(n, int)
            )
    needs = {n for ids_ in logged.values() for n in ids_}
    need_dimensions = dict(Need.objects.filter(pk__in=needs).values_list("id", "dimension"))
    for object_id, its_needs in logged.items():
        if its_needs and its_needs <= need_dimensions.keys():
            groups = [dimension_group(need_dimensions[n]) for n in its_needs]
            found[object_id] = next((g for g in groups if g), "")
        else:
            # Removed with its need, or logged without it: which dimension it served is
            # unknown, so it is read as the sensitive one.
            found[object_id] = str(SensitiveGroup.PSYCHOSOCIAL)
    return found


def register() -> None:
    from remis.assistance.models import (
        AssistanceItem,
        Decision,
        Dimension,
        ItemStatus,
        Level,
        Modality,
        Need,
        PlanStatus,
        Route,
    )

    register_object("assistance.plan", _("Reintegration plan"))
    register_object("assistance.planversion", _("Plan version"))
    register_object("assistance.need", _("Need"))
    register_object("assistance.goal", _("Goal"))
    # Named by its type beside the action ("Changed an assistance item · Vocational
    # training"), unless the type is in a group the reader does not hold (`_item_groups`).
    register_object(
        "assistance.assistanceitem",
        _("Assistance item"),
        described_by_id(AssistanceItem, lambda item: item.kind.label, "kind"),
        subject=True,
    )
    register_object("assistance.instalment", _("Instalment"))
    register_object("assistance.approval", _("Approval"))
    register_object("assistance.exchangerate", _("Exchange rate"))
    register_object("assistance.approvalthresholds", _("Approval thresholds"))
    extend_field("kind", _types)
    extend_field("status", choices(ItemStatus), object_types=["assistance.assistanceitem"])
    extend_field("status", choices(PlanStatus), object_types=["assistance.planversion"])
    extend_field(
        "route",
        choices(Route),
        pgettext_lazy("assistance delivery", "Route"),
        object_types=["assistance.assistanceitem"],
    )
    fields: dict[str, tuple[Any, Any]] = {
        "dimension": (_("Dimension"), choices(Dimension)),
        "level": (_("Level"), choices(Level)),
        "modality": (_("Modality"), choices(Modality)),
        "amount": (_("Amount"), None),
        "currency": (_("Currency"), None),
        "starts_on": (_("Planned start"), None),
        "ends_on": (_("Planned end"), None),
        "cancel_reason": (_("Reason for cancelling"), None),
        "number": (_("Version"), None),
        "comment": (_("Comment"), None),
        "decision": (_("Decision"), choices(Decision)),
        "total": (_("Total"), None),
        "paid_on": (_("Date paid"), None),
        "receipt_type": (_("Receipt file type"), file_types),
        "agreement_type": (_("Signed agreement file type"), file_types),
        "agreed_on": (_("Agreed on"), None),
        "void_reason": (_("Reason for voiding"), None),
        "item": (_("Item"), _items),
        "need": (
            _("Need"),
            named_by_id(Need, lambda need: need.description, lambda need: dimension_group(need.dimension)),
        ),
        "month": (_("Month"), None),
        "rate": (_("Rate"), None),
        "to_currency": (_("Into currency"), None),
        "manager_above": (_("A programme manager approves above"), None),
        "two_above": (_("Two approvers above"), None),
        "thresholds": (_("Thresholds"), None),
        "always": (_("Proposed for every case"), None),
        "by_vulnerability": (_("Proposed by vulnerability"), None),
        "effective_from": (_("In force from"), None),
        "country": (_("Country"), None),
    }
    for name, (label, resolve) in fields.items():
        register_field(name, label, resolve)
    register_row_group("assistance.assistanceitem", ["description", "cancel_reason"], _item_groups)
    register_row_group("assistance.need", ["dimension", "description"], _need_groups)
    register_row_group("assistance.goal", ["description"], _goal_groups)
