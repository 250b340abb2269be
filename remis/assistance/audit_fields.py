"""How the plans' audit entries read in histories and the audit search
(remis/audit/presentation.py): field labels, codes as their labels, assistance types by name
(masked for readers without the type's sensitive group). "status", "kind", "route" and
"mode" are the cases app's names too: ours extend them (`extend_field`)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from remis.audit.presentation import (
    Shown,
    choices,
    extend_field,
    file_types,
    named_by_id,
    register_field,
    register_object,
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


def register() -> None:
    from remis.assistance.models import (
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
    register_object("assistance.assistanceitem", _("Assistance item"))
    register_object("assistance.instalment", _("Instalment"))
    register_object("assistance.approval", _("Approval"))
    register_object("assistance.exchangerate", _("Exchange rate"))
    register_object("assistance.approvalthresholds", _("Approval thresholds"))
    extend_field("kind", _types)
    extend_field("status", choices(ItemStatus), object_types=["assistance.assistanceitem"])
    extend_field("status", choices(PlanStatus), object_types=["assistance.planversion"])
    extend_field("route", choices(Route))
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
        "need": (_("Need"), named_by_id(Need, lambda need: need.description)),
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
