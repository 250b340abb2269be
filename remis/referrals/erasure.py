"""What erasing a person means for referrals (registered with remis.audit.erasure): the
shared snapshot of the cases of which they are the principal applicant keeps only what
identifies no one (reference, sex, age group, the item's type and budget); the given name,
phone, description and message go, and so does the free text of answers (a reason REMIS
wrote itself, "consent withdrawn", names no one and stays)."""

from __future__ import annotations

from remis.audit.erasure import ErasureRequest

KEPT = {"reference", "sex", "age_group", "origin_country", "item_type", "item_amount"}


def erase_referral_text(request: ErasureRequest) -> int:
    from remis.referrals.models import SYSTEM_REASONS, Referral

    erased = 0
    for referral in Referral.objects.filter(case__uuid__in=request.whole_case_uuids):
        referral.shared = [row for row in referral.shared if row.get("field") in KEPT]
        referral.message = referral.decline_reason = referral.outcome_note = ""
        if referral.cancel_reason not in SYSTEM_REASONS:
            referral.cancel_reason = ""
        referral.save(update_fields=["shared", "message", "decline_reason", "outcome_note", "cancel_reason"])
        erased += 1
    return erased
