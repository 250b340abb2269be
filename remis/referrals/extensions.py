"""Registered from AppConfig.ready(): the providers' scope in the case policy, the consent
withdrawal subscriber, the case page panel and the work lists."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from remis.accounts.permissions import Perm
from remis.cases.events import ConsentRecorded
from remis.cases.extensions import CasePanel, PanelContext, WorkItem, WorkList, WorkSource, capped_count
from remis.cases.models import ConsentPurpose

FIRST_ROWS = 5


def on_consent(event: ConsentRecorded) -> None:
    """Withdrawing consent to share with providers, or to the processing of personal data
    at all, stops their referrals at once."""
    if event.purpose in (ConsentPurpose.PROVIDERS, ConsentPurpose.DATA_PROCESSING) and not event.given:
        from remis.cases.models import Case
        from remis.referrals.actions import revoke_on_withdrawal

        case = Case.objects.filter(pk=event.case_id).first()
        if case is not None and case.has_consent(event.purpose):
            # A withdrawal dated before a later consent (a paper form entered late): the later
            # statement stays in force, as the page says, and so do the referrals.
            return
        from remis.referrals.models import PROCESSING_WITHDRAWN_REASON, WITHDRAWN_REASON

        processing = event.purpose == ConsentPurpose.DATA_PROCESSING
        reason = PROCESSING_WITHDRAWN_REASON if processing else WITHDRAWN_REASON
        revoke_on_withdrawal(event.case_id, event.consent_id, reason)


def referrals_panel(seen: PanelContext) -> dict[str, Any] | None:
    from remis.cases.policy import shared_groups
    from remis.referrals.queries import providers_for, referable_items, referrals_of_case

    referrals = referrals_of_case(seen.actor, seen.case, seen.groups)
    can_refer = Perm.REFERRAL_SEND in seen.permissions
    items = referable_items(seen.case) if can_refer else []
    if not referrals and not items:
        return None
    # Drawn for the first item some provider offers; choosing another redraws them
    # (referral_providers). Drawn for the first item alone, a first item no provider offers
    # hid the form, and the case's other items could not be referred.
    chosen, providers = None, []
    for item in items:
        providers = providers_for(seen.case, item)
        if providers:
            chosen = item
            break
    return {
        "case": seen.case,
        "referrals": referrals,
        "items": items,
        "chosen_item": chosen.pk if chosen else None,
        "providers": providers,
        "consent": shared_groups(seen.case, ConsentPurpose.PROVIDERS) is not None,
        "today": timezone.localdate(),
    }


def _item(referral: Any, today: Any, *, provider_side: bool = False) -> WorkItem:
    # A provider's list names the case only as it was shared with it.
    reference = referral.shared_reference if provider_side else referral.case.reference
    return WorkItem(
        label=f"{reference or '—'} · {referral.provider.name}",
        url=reverse("referral_detail", args=[referral.uuid]),
        due=referral.due_on,
        overdue=referral.due_on < today,
    )


def awaiting_my_answer(actor: Any) -> WorkList | None:
    from remis.referrals.queries import awaiting_answer

    referrals = awaiting_answer(actor)
    count, more = capped_count(referrals)
    if not count:
        return None
    today = timezone.localdate()
    return WorkList(
        name="referrals_to_answer",
        title=str(_("Referrals awaiting an answer")),
        count=count,
        more=more,
        items=[_item(r, today, provider_side=True) for r in referrals[:FIRST_ROWS]],
        url=reverse("referral_inbox") + "?status=sent",  # what awaits an answer, not every referral
    )


def overdue_referrals(actor: Any) -> WorkList | None:
    from remis.referrals.queries import overdue

    today = timezone.localdate()
    referrals = overdue(actor, today)
    count, more = capped_count(referrals)
    if not count:
        return None
    return WorkList(
        name="referrals_overdue",
        title=str(_("Overdue referrals")),
        count=count,
        more=more,
        items=[_item(r, today) for r in referrals[:FIRST_ROWS]],
        url=reverse("referral_overdue"),
    )


def declined_referrals(actor: Any) -> WorkList | None:
    from remis.referrals.queries import declined_to_refer_again

    referrals = declined_to_refer_again(actor)
    count, more = capped_count(referrals)
    if not count:
        return None
    return WorkList(
        name="referrals_declined",
        title=str(_("Declined referrals to refer again")),
        count=count,
        more=more,
        items=[
            WorkItem(
                label=f"{r.case.reference} · {r.provider.name}", url=reverse("referral_detail", args=[r.uuid])
            )
            for r in referrals[:FIRST_ROWS]
        ],
        url=reverse("referral_declined"),
    )


def withdrawn_referrals(actor: Any) -> WorkList | None:
    """A provider's referrals taken back lately: stop the service (they only vanished from
    the inbox). Each names its days, never the case."""
    from django.utils.formats import date_format

    from remis.referrals.queries import WITHDRAWN_SHOWN_DAYS, withdrawn_lately

    referrals = withdrawn_lately(actor, timezone.localdate())
    count, more = capped_count(referrals)
    if not count:
        return None
    return WorkList(
        name="referrals_withdrawn",
        title=str(
            _("Referrals withdrawn in the last %(days)s days: stop the service")
            % {"days": WITHDRAWN_SHOWN_DAYS}
        ),
        count=count,
        more=more,
        items=[
            WorkItem(
                label=str(
                    _("Sent on %(sent)s, withdrawn on %(withdrawn)s")
                    % {
                        "sent": date_format(timezone.localtime(r.sent_at).date(), "SHORT_DATE_FORMAT"),
                        "withdrawn": date_format(timezone.localtime(r.closed_at).date(), "SHORT_DATE_FORMAT"),
                    }
                ),
                url=reverse("referral_detail", args=[r.uuid]),
            )
            for r in referrals[:FIRST_ROWS]
            if r.closed_at is not None
        ],
    )


def completed_referrals(actor: Any) -> WorkList | None:
    from remis.referrals.queries import completed_item_not_delivered

    referrals = completed_item_not_delivered(actor, mine=True)
    count, more = capped_count(referrals)
    if not count:
        return None
    return WorkList(
        name="referrals_completed",
        title=str(_("Completed referrals: mark their items delivered")),
        count=count,
        more=more,
        items=[
            WorkItem(
                label=f"{r.case.reference} · {r.provider.name}", url=reverse("referral_detail", args=[r.uuid])
            )
            for r in referrals[:FIRST_ROWS]
        ],
        url=f"{reverse('referral_completed')}?mine=1",
    )


def on_item_status(event: Any) -> None:
    """A cancelled plan item's open referrals are cancelled with it."""
    if event.status == "cancelled":
        from remis.referrals.actions import cancel_for_cancelled_item

        cancel_for_cancelled_item(event.case_id, event.item_key)


def on_case_closed(event: Any) -> None:
    """A closed case's open referrals are cancelled."""
    from remis.referrals.actions import cancel_for_closed_case

    cancel_for_closed_case(event.case_id)


def register() -> None:
    from remis.assistance.events import ItemStatusChanged
    from remis.cases.events import CaseAnonymised, CaseClosed
    from remis.cases.extensions import register_case_panel, register_work_list
    from remis.cases.policy import register_scope
    from remis.lib.events import subscribe, subscribe_in_transaction
    from remis.referrals.anonymise import coarsen_cases
    from remis.referrals.queries import provider_scope

    register_scope("referrals", provider_scope)
    subscribe(ConsentRecorded, on_consent)
    subscribe(ItemStatusChanged, on_item_status)
    subscribe(CaseClosed, on_case_closed)
    subscribe_in_transaction(CaseAnonymised, coarsen_cases)  # with the case, or not at all
    register_case_panel(
        CasePanel("referrals", gettext_lazy("Referrals"), "referrals/_panel.html", referrals_panel, order=25)
    )
    register_work_list(WorkSource("referrals_withdrawn", withdrawn_referrals, order=22))
    register_work_list(WorkSource("referrals_to_answer", awaiting_my_answer, order=23))
    register_work_list(WorkSource("referrals_overdue", overdue_referrals, order=24))
    register_work_list(WorkSource("referrals_declined", declined_referrals, order=25))
    register_work_list(WorkSource("referrals_completed", completed_referrals, order=26))
