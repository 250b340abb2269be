"""A person's reintegration plan and payments, for their subject access export
(`remis/audit/subject_access.py`; registered in `AssistanceConfig.ready`): every version's
items (the history of what was agreed with them is theirs too) and every instalment paid,
voided ones with why."""

from __future__ import annotations

from django.utils.translation import gettext as _

from remis.audit.subject_access import SubjectRequest
from remis.lib.tables import Table, model_table


def assistance_tables(request: SubjectRequest) -> list[Table]:
    from remis.assistance.models import AssistanceItem, Instalment

    items = (
        AssistanceItem.objects.filter(version__plan__case_id__in=request.principal_case_ids)
        .select_related("version__plan__case", "goal__need", "kind")
        .order_by("version__plan__case_id", "version__number", "goal__need__position", "goal__position", "id")
    )
    payments = (
        Instalment.objects.filter(item__version__plan__case_id__in=request.principal_case_ids)
        .select_related("item__version__plan__case", "item__kind")
        .order_by("item__version__plan__case_id", "paid_on", "id")
    )
    return [
        model_table(
            _("Reintegration plan"),
            AssistanceItem,
            items,
            [
                (_("Case"), lambda i: i.version.plan.case.reference),
                (_("Plan version"), lambda i: i.version.number),
                (_("Version status"), lambda i: i.version.get_status_display()),
                (_("Dimension"), lambda i: i.goal.need.get_dimension_display()),
                (_("Need"), lambda i: i.goal.need.description),
                (_("Goal"), lambda i: i.goal.description),
                (_("Type"), lambda i: i.kind.label),
                "description",
                "modality",
                "amount",
                "currency",
                "starts_on",
                "ends_on",
                "status",
                "cancel_reason",
            ],
        ),
        model_table(
            _("Payments"),
            Instalment,
            payments,
            [
                (_("Case"), lambda p: p.item.version.plan.case.reference),
                (_("Assistance"), lambda p: p.item.kind.label),
                "paid_on",
                "amount",
                "currency",
                "voided_at",
                "void_reason",
            ],
        ),
    ]
