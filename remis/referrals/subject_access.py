"""A person's referrals to service providers, for their subject access export
(`remis/audit/subject_access.py`; registered in `ReferralsConfig.ready`): to whom, when,
what was shared and what came of it."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from remis.audit.subject_access import SubjectRequest
from remis.lib.tables import Table, model_table


def referral_tables(request: SubjectRequest) -> list[Table]:
    from remis.referrals.models import Referral

    referrals = (
        Referral.objects.filter(case_id__in=request.principal_case_ids)
        .select_related("case", "provider", "item__kind")
        .order_by("case_id", "sent_at")
    )
    return [
        model_table(
            _("Referrals"),
            Referral,
            referrals,
            [
                (_("Case"), lambda r: r.case.reference),
                (_("Service provider"), lambda r: r.provider.name),
                (_("Assistance"), lambda r: r.item.kind.label),
                "status",
                (_("Sent on"), lambda r: r.sent_at),
                "message",
                (_("Details shared"), _shared),
                (_("Answered on"), lambda r: r.answered_at),
                "decline_reason",
                "outcome",
                "outcome_on",
                "outcome_note",
                "cancel_reason",
            ],
        )
    ]


def _shared(referral: Any) -> str:
    """What was sent to the provider, as it was sent (whatever the consent says since)."""
    from remis.referrals.queries import field_labels, shared_value_text

    labels = field_labels()
    return "; ".join(
        f"{labels.get(row['field'], row['field'])}: {shared_value_text(row['field'], row['value'])}"
        for row in referral.shared
    )
