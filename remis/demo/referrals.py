"""Referrals for the demo: the service items of approved plans referred to providers on the
demo map, through the referrals actions, ending in every state in several countries. The
providers with demo accounts (provider.gn, provider.iq) answer themselves; the others are
answered for by the case worker. Synthetic, like every demo case."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from remis.accounts.models import Membership, User
from remis.accounts.permissions import Perm
from remis.assistance.models import AssistanceItem
from remis.cases import actions as case_actions
from remis.cases.models import ConsentPurpose
from remis.demo.plans import _with
from remis.lib.errors import DomainError
from remis.referrals import actions
from remis.referrals.actions import _matching_sector
from remis.referrals.models import OPEN, Referral, Status
from remis.services.models import Provider

# What each referral ends as, in turn: the states the bulk generator's referrals rarely show
# on a small demo first (items already referred by it leave fewer to play).
SCRIPTS = (
    "sent",
    "cancelled",
    "accepted",
    "completed",
    "declined",
    "in_progress",
    "failed",
    "withdrawn",
    "overdue",
    "completed_partly",
    "completed",
)


def _answerer(referral: Referral, worker: User) -> User:
    if referral.provider.organisation_id is None:
        return worker  # recorded on the provider's behalf
    membership = (
        Membership.objects.filter(
            organisation_id=referral.provider.organisation_id, role_id="service_provider"
        )
        .select_related("user")
        .first()
    )
    return membership.user if membership else worker


def play(script: str, worker: User, item: AssistanceItem, provider: Provider, today: dt.date) -> None:
    case = item.version.plan.case
    groups = ("psychosocial",) if item.kind.sensitive_group == "psychosocial" and script != "sent" else ()
    latest = case.consents.filter(purpose=ConsentPurpose.PROVIDERS).order_by("-id").first()
    if latest is None or not latest.given or sorted(latest.groups or []) != sorted(groups):
        # Not again for the case's next item under the statement in force: the same one
        # twice in a row is refused as sent twice.
        case_actions.record_consent(
            worker, case, purpose=ConsentPurpose.PROVIDERS, given=True, given_on=today, groups=groups
        )
    referral = actions.refer_item(
        worker, item, provider, message="Synthetic demo referral: please call to book."
    )
    answerer = _answerer(referral, worker)
    if script == "sent":
        return
    if script == "overdue":
        # The demo has no past: the referral is dated back as if sent two weeks ago.
        Referral.objects.filter(pk=referral.pk).update(
            sent_at=timezone.now() - dt.timedelta(days=14), due_on=today - dt.timedelta(days=4)
        )
        return
    if script == "withdrawn":
        if case.has_consent(ConsentPurpose.PROVIDERS):
            case_actions.record_consent(
                worker, case, purpose=ConsentPurpose.PROVIDERS, given=False, given_on=today
            )
        return
    if script == "cancelled":
        actions.cancel_referral(worker, referral, reason="The returnee found a course closer to home.")
        return
    if script == "declined":
        actions.answer_referral(answerer, referral, Status.DECLINED, reason="No places until next quarter.")
        return
    actions.answer_referral(answerer, referral, Status.ACCEPTED)
    if script == "accepted":
        return
    actions.answer_referral(answerer, referral, Status.IN_PROGRESS)
    if script == "in_progress":
        return
    if script == "failed":
        actions.answer_referral(answerer, referral, Status.FAILED, outcome="not", outcome_on=today)
    else:
        outcome = "partly" if script == "completed_partly" else "successful"
        actions.answer_referral(answerer, referral, Status.COMPLETED, outcome=outcome, outcome_on=today)


def play_referrals(limit: int = 30) -> list[Referral]:
    """Refer up to `limit` service items of plans in force to a matching provider of the
    case's country of origin, each script in turn."""
    today = timezone.localdate()
    providers = list(Provider.objects.filter(active=True).prefetch_related("sectors"))
    items = (
        AssistanceItem.objects.filter(
            route="referral",
            status__in=("approved", "in_progress"),
            version__plan__in_force=F("version"),
        )
        # An item with an open referral (the bulk generator's) cannot be referred again; one
        # whose referral was declined, failed, cancelled or completed can.
        .exclude(key__in=Referral.objects.filter(status__in=OPEN).values("item_key"))
        .select_related("kind", "version__plan__case")
        .order_by("id")
    )
    played: list[Referral] = []
    played_keys: set[object] = set()
    turn = 0
    for item in items[:400]:
        if len(played) >= limit:
            break
        case = item.version.plan.case
        provider = next(
            (
                p
                for p in providers
                if p.country == case.origin_country and _matching_sector(p, item.kind.code) is not None
            ),
            None,
        )
        worker = _with(case, Perm.REFERRAL_SEND, "case_worker")
        if provider is None or worker is None or item.key in played_keys:
            continue
        script = SCRIPTS[turn % len(SCRIPTS)]
        try:
            with transaction.atomic():
                play(script, worker, item, provider, today)
        except DomainError:
            continue
        turn += 1
        played_keys.add(item.key)
        newest = Referral.objects.filter(item_key=item.key).order_by("-id").first()
        if newest is not None:
            played.append(newest)
    return played
