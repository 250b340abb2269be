"""Every referral read, scoped: the case side through the case policy (`visible_through`),
the provider side through the "referrals" scope registered with it (a provider's staff see
the referrals sent to their organisation, only what was shared, and nothing once consent is
withdrawn)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Case as DbCase
from django.db.models import Exists, OuterRef, Q, QuerySet, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from remis.accounts.permissions import Perm
from remis.accounts.scope import grants_with
from remis.assistance.models import AssistanceItem, AssistanceType, ItemStatus, PlanStatus, Route
from remis.cases.lifecycle import Stage
from remis.cases.models import Case, ConsentPurpose, Sex
from remis.cases.policy import scope, scoped_case_ids, shared_groups, shows, visible_through
from remis.lib.countries import country_name
from remis.lib.errors import NotFound
from remis.referrals.configuration import sectors_for
from remis.referrals.models import (
    CASE_CLOSED_REASON,
    ITEM_CANCELLED_REASON,
    OPEN,
    PROCESSING_WITHDRAWN_REASON,
    WITHDRAWN_REASON,
    Outcome,
    Referral,
    Status,
)
from remis.services.models import Provider

CASE_SIDE = "case"
PROVIDER_SIDE = "provider"


def provider_scope(actor: Any) -> Q | None:
    """The "referrals" scope: referrals sent to an organisation where the actor answers
    referrals, not revoked by a withdrawal of consent."""
    organisation_ids = _answering_organisations(actor)
    if not organisation_ids:
        return None
    return Q(provider__organisation_id__in=organisation_ids, revoked=False)


def _answering_organisations(actor: Any) -> list[int]:
    """The organisations where the actor answers referrals."""
    return sorted({g.organisation_id for g in grants_with(actor, Perm.REFERRAL_ANSWER)})


def withdrawn_from_provider(actor: Any, referral_uuid: uuid.UUID | str) -> str | None:
    """Why the referral, sent to an organisation where the actor answers referrals, was
    taken out of its view, if it was (its page then says so): "consent" (withdrawn),
    "item" (the plan item cancelled), "closed" (the case closed) or "cancelled" (by the
    case worker). None: never sent there, or still shown."""
    try:
        key = referral_uuid if isinstance(referral_uuid, uuid.UUID) else uuid.UUID(str(referral_uuid))
    except ValueError:
        return None
    found = (
        Referral.objects.filter(
            uuid=key, provider__organisation_id__in=_answering_organisations(actor), revoked=True
        )
        .values_list("status", "cancel_reason")
        .first()
    )
    if found is None:
        return None
    status, reason = found
    if status != Status.CANCELLED:
        return "consent"  # a referral ended earlier, taken back with the consent
    return {ITEM_CANCELLED_REASON: "item", CASE_CLOSED_REASON: "closed"}.get(
        reason, "consent" if reason in (WITHDRAWN_REASON, PROCESSING_WITHDRAWN_REASON) else "cancelled"
    )


WITHDRAWN_SHOWN_DAYS = 30


def withdrawn_lately(actor: Any, today: dt.date) -> QuerySet[Referral]:
    """Referrals sent to an organisation where the actor answers referrals, still open when
    they were taken back (a consent withdrawn, the item or the case closed, cancelled by the
    case worker) in the last WITHDRAWN_SHOWN_DAYS days, newest first: they left the inbox
    without a word, and a provider delivering the service went on. Only ids and days are
    read from them (the provider keeps nothing of the case)."""
    since = today - dt.timedelta(days=WITHDRAWN_SHOWN_DAYS)
    return Referral.objects.filter(
        provider__organisation_id__in=_answering_organisations(actor),
        revoked=True,
        status=Status.CANCELLED,
        closed_at__date__gte=since,
    ).order_by("-closed_at", "-id")


def withdrawn_sentence(cause: str) -> str:
    """Why a referral left the provider's view (`withdrawn_from_provider`), as its page and
    the API say it."""
    if cause == "consent":
        return _(
            "The returnee withdrew their consent to share their details with service providers: this "
            "referral was cancelled and is no longer shared with your organisation. Nothing more is to "
            "be done on it."
        )
    if cause == "item":
        return _(
            "The assistance referred was cancelled in the returnee's plan: this referral was cancelled "
            "and is no longer shared with your organisation. Nothing more is to be done on it."
        )
    if cause == "closed":
        return _(
            "The returnee's case was closed: this referral was cancelled and is no longer shared with "
            "your organisation. Nothing more is to be done on it."
        )
    return _(
        "The case worker cancelled this referral: it is no longer shared with your organisation. "
        "Nothing more is to be done on it."
    )


def _related(queryset: QuerySet[Referral]) -> QuerySet[Referral]:
    return queryset.select_related("case", "provider", "item__kind", "sent_by", "last_by")


def case_side(actor: Any) -> QuerySet[Referral]:
    return _related(Referral.objects.filter(visible_through(actor, "case_id")))


def _open_cases_side(actor: Any) -> QuerySet[Referral]:
    """`case_side` on open cases, the cases read from the reader's access rows first (the
    home page's work lists: checking every referral's access, then its case's stage, took
    most of a second at a million cases)."""
    return _related(Referral.objects.filter(case_id__in=scoped_case_ids(actor, open_only=True)))


def provider_side(actor: Any) -> QuerySet[Referral]:
    condition = scope("referrals", actor)
    if condition is None:
        return Referral.objects.none()
    return _related(Referral.objects.filter(condition))


def default_side(actor: Any) -> str:
    """The side a list of referrals is read from when none is asked: a service provider's
    (answering referrals, seeing no case) is its inbox; anyone else's the cases'."""
    if _answering_organisations(actor) and not case_side(actor).exists():
        return PROVIDER_SIDE
    return CASE_SIDE


def mask(referrals: list[Referral], groups: frozenset[str]) -> list[Referral]:
    """Mark the referrals whose item type is in a sensitive group the reader does not hold."""
    for referral in referrals:
        referral.restricted = not shows(groups, referral.item.kind.sensitive_group)
    return referrals


def referrals_of_case(actor: Any, case: Case, groups: frozenset[str]) -> list[Referral]:
    return mask(list(case_side(actor).filter(case=case)), groups)


def get_referral_for(actor: Any, referral_uuid: uuid.UUID | str) -> tuple[Referral, str]:
    """The referral and the side the actor reads it from; NotFound outside both scopes."""
    referral = case_side(actor).filter(uuid=referral_uuid).first()
    if referral is not None:
        return referral, CASE_SIDE
    referral = provider_side(actor).filter(uuid=referral_uuid).first()
    if referral is not None:
        return referral, PROVIDER_SIDE
    raise NotFound()


def get_item_for(actor: Any, case: Case, item_id: int) -> AssistanceItem:
    item = (
        AssistanceItem.objects.select_related("version__plan__case", "kind")
        .filter(pk=item_id, version__plan__case=case)
        .first()
    )
    if item is None:
        raise NotFound()
    return item


def referable_items(case: Case) -> list[AssistanceItem]:
    """The referral items of the plan in force with no open referral and none completed
    successfully."""
    plan = getattr(case, "plan", None)
    if plan is None or plan.in_force_id is None or case.is_closed:
        return []  # a closed case refers nothing more (refer_item refuses it)
    busy = Referral.objects.filter(
        Q(status__in=OPEN) | Q(status=Status.COMPLETED, outcome=Outcome.SUCCESSFUL), case=case
    ).values_list("item_key", flat=True)  # referred now, or delivered already
    return list(
        AssistanceItem.objects.select_related("kind")
        .filter(version_id=plan.in_force_id, route=Route.REFERRAL, status__in=("approved", "in_progress"))
        .exclude(key__in=busy)
    )


def providers_for(case: Case, item: AssistanceItem | None = None) -> list[Provider]:
    """Active providers in the case's country of origin (where the returnee lives now); for
    an `item`, those working in a sector its type matches (the ones `refer_item` accepts)."""
    providers = Provider.objects.filter(active=True, country=case.origin_country)
    wanted = sectors_for(item.kind.code) if item is not None else ()
    if wanted:
        providers = providers.filter(pk__in=Provider.objects.filter(sectors__code__in=wanted).values("pk"))
    return list(providers.prefetch_related("sectors").order_by("name"))


def item_chosen(items: list[AssistanceItem], chosen: Any) -> AssistanceItem | None:
    """Of the referable `items`, the one whose id was chosen (a form's value), else the
    first: the one the provider list is drawn for."""
    return next((i for i in items if str(i.pk) == str(chosen)), items[0] if items else None)


def awaiting_answer(actor: Any) -> QuerySet[Referral]:
    """Provider side: referrals sent and not yet accepted or declined, oldest first."""
    return provider_side(actor).filter(status=Status.SENT).order_by("sent_at", "id")


def overdue(actor: Any, today: dt.date | None = None) -> QuerySet[Referral]:
    """Case side, for those who refer: referrals unanswered past their due day."""
    if not grants_with(actor, Perm.REFERRAL_SEND):
        return Referral.objects.none()
    today = today or timezone.localdate()
    return case_side(actor).filter(status=Status.SENT, due_on__lt=today).order_by("due_on", "id")


def overdue_to_answer(actor: Any, today: dt.date | None = None) -> QuerySet[Referral]:
    """Provider side: the referrals to the actor's organisations still unanswered past their
    due day (the overdue page was empty for a provider whose inbox marked one overdue)."""
    today = today or timezone.localdate()
    return provider_side(actor).filter(status=Status.SENT, due_on__lt=today).order_by("due_on", "id")


def declined_to_refer_again(actor: Any) -> QuerySet[Referral]:
    """Case side, for those who refer: referrals a provider declined whose item waits for
    another provider (nothing sent, accepted, under way or completed for it since, the item
    not cancelled nor delivered, the case open). A decline reached nobody's to-do list: the item waited,
    with no provider, until someone opened the case."""
    if not grants_with(actor, Perm.REFERRAL_SEND):
        return Referral.objects.none()
    taken_up = Referral.objects.filter(
        item_key=OuterRef("item_key"), status__in=[*OPEN, Status.COMPLETED], case_id=OuterRef("case_id")
    )
    # An item cancelled, or delivered by another route since, needs no provider (delivered
    # items were listed as work to refer again).
    cancelled = AssistanceItem.objects.filter(
        key=OuterRef("item_key"), status__in=[ItemStatus.CANCELLED, ItemStatus.DELIVERED]
    )
    # One row per item: its latest decline (an item declined twice was listed, and counted, twice).
    declined_later = Referral.objects.filter(
        item_key=OuterRef("item_key"),
        case_id=OuterRef("case_id"),
        status=Status.DECLINED,
        id__gt=OuterRef("id"),
    )
    return (
        # From the declined referrals, a few thousand at a million cases, each checked by
        # index probes (from the reader's cases instead, the office's 60,000 were read).
        case_side(actor)
        .filter(status=Status.DECLINED)
        .exclude(case__stage=Stage.CLOSED)
        .exclude(Exists(taken_up))
        .exclude(Exists(cancelled))
        .exclude(Exists(declined_later))
        .order_by("-answered_at", "-id")
    )


def plan_item_ids(referrals: Iterable[Referral]) -> dict[int, int]:
    """Referral id -> the id of its item in the plan in force (the approved version), where
    the item's status is changed: the referral points at the version it was sent from,
    superseded since when the plan was revised. Else the item's newest version. In one
    query. The page it links to checks the reader's access to the case and masks the item."""
    wanted: dict[tuple[int, Any], list[int]] = {}
    for r in referrals:
        wanted.setdefault((r.case_id, r.item_key), []).append(r.pk)
    if not wanted:
        return {}
    rows = (
        AssistanceItem.objects.filter(
            key__in={key for _case, key in wanted}, version__plan__case_id__in={case for case, _key in wanted}
        )
        .annotate(in_force=DbCase(When(version__status=PlanStatus.APPROVED, then=1), default=0))
        .order_by("in_force", "version__number")
        .values_list("version__plan__case_id", "key", "pk")
    )
    found: dict[int, int] = {}
    for case_id, key, pk in rows:  # the one in force, else the newest, comes last: it wins
        for referral_id in wanted.get((case_id, key), []):
            found[referral_id] = pk
    return found


def completed_item_not_delivered(actor: Any, *, mine: bool = False) -> QuerySet[Referral]:
    """Case side, for those who refer: referrals a provider completed whose plan item is
    still not marked delivered (nor cancelled), the case open; one per item, its latest.
    The item's status is what the figures of assistance received count: a training
    completed at the provider was counted nowhere until someone thought of the item.
    `mine`: only on the cases the actor follows (`followed_by`), as their home page lists
    them: IOM Belgium's manager had the Guinean and Iraqi partners' referrals there."""
    from remis.cases.queries import followed_by

    if not grants_with(actor, Perm.REFERRAL_SEND):
        return Referral.objects.none()
    followed = followed_by(actor, Perm.REFERRAL_SEND, "case_id", "case__origin_country") if mine else Q()
    settled = AssistanceItem.objects.filter(
        key=OuterRef("item_key"), status__in=[ItemStatus.CANCELLED, ItemStatus.DELIVERED]
    )
    completed_later = Referral.objects.filter(
        item_key=OuterRef("item_key"),
        case_id=OuterRef("case_id"),
        status=Status.COMPLETED,
        id__gt=OuterRef("id"),
    )
    return (
        _open_cases_side(actor)
        .filter(status=Status.COMPLETED)
        .filter(followed)
        .exclude(Exists(settled))
        .exclude(Exists(completed_later))
        .order_by("-answered_at", "-id")
    )


# ---- what a reader sees of the snapshot -------------------------------------------------------


@dataclass
class SharedRow:
    field: str
    label: str
    value: str
    withdrawn: bool = False  # a later consent no longer covers its group
    restricted: bool = False  # in a sensitive group the reader does not hold (case side)


def field_labels() -> dict[str, str]:
    return {
        "reference": _("Case reference"),
        "given_name": _("Given name"),
        "sex": _("Sex"),
        "age_group": _("Age group"),
        "phone": _("Phone"),
        "origin_country": _("Country"),
        "item_type": _("Service requested"),
        "item_description": _("Description"),
        "item_amount": _("Budget"),
        "message": _("Message"),
    }


def shared_value_text(name: str, value: str) -> str:
    if name == "sex":
        return str(Sex(value).label) if value in Sex.values else value
    if name == "item_type":
        kind = AssistanceType.objects.filter(code=value).first()
        return kind.label if kind else value
    if name == "origin_country":
        return country_name(value)
    if name == "item_amount":
        return _amount(value)
    return value


def _amount(value: str) -> str:
    """ "400.00 EUR" as sent, read with the reader's decimal separator like every other amount."""
    amount, _space, currency = value.partition(" ")
    try:
        number = Decimal(amount)
    except InvalidOperation:
        return value
    from remis.lib.money import amount_text

    # Grouped, and with the currency's decimals: a provider read "1200000,00 GNF".
    return f"{amount_text(number, currency or None)} {currency}".strip()


def shared_rows(referral: Referral, reader_groups: frozenset[str] | None = None) -> list[SharedRow]:
    """The snapshot as sent; a value whose sensitive group the current consent no longer
    covers reads as withdrawn (the case worker sees that the consent changed since). On the
    case side, `reader_groups` are the reader's sensitive groups (policy): a value of another
    group reads "Restricted" (None: the provider side, which reads what was consented)."""
    labels = field_labels()
    covered = shared_groups(referral.case, ConsentPurpose.PROVIDERS) or frozenset()
    rows = []
    for row in referral.shared:
        group = row.get("group") or ""
        withdrawn = bool(group) and group not in covered
        restricted = reader_groups is not None and not shows(reader_groups, group)
        rows.append(
            SharedRow(
                field=row["field"],
                label=labels.get(row["field"], row["field"]),
                value="" if withdrawn or restricted else shared_value_text(row["field"], row["value"]),
                withdrawn=withdrawn,
                restricted=restricted,
            )
        )
    return rows


def shown_item_type(
    referral: Referral, rows: list[SharedRow], case_side: bool, groups: frozenset[str] | None
) -> str | None:
    """The type of service asked for as this reader may know it, None where it is hidden:
    as the snapshot row "Service requested" reads on their side (withheld from the
    provider, withdrawn since, or of a group the case-side reader does not hold); not in
    the snapshot at all, the case side knows it by its group and the provider not. The API
    gave the code to everyone while the pages said "Restricted"."""
    row = next((r for r in rows if r.field == "item_type"), None)
    if row is not None:
        return None if row.withdrawn or row.restricted else referral.item_type
    if not case_side:
        return None
    group = (
        AssistanceType.objects.filter(code=referral.item_type)
        .values_list("sensitive_group", flat=True)
        .first()
    )
    return referral.item_type if shows(groups or frozenset(), group or "") else None


def withheld_labels(referral: Referral) -> list[str]:
    labels = field_labels()
    return [labels.get(name, name) for name in referral.withheld]


# ---- the funnel ---------------------------------------------------------------------------------

ACCEPTED_OR_LATER = (Status.ACCEPTED, Status.IN_PROGRESS, Status.COMPLETED, Status.FAILED)


@dataclass
class FunnelRow:
    provider: str
    service: str
    country: str
    referred: int = 0
    accepted: int = 0
    completed: int = 0
    successful: int = 0
    country_label: str = ""

    def rate(self, part: int) -> Decimal | None:
        if not self.referred:
            return None
        return (Decimal(part) * 100 / self.referred).quantize(Decimal("0.1"))

    @property
    def accepted_rate(self) -> Decimal | None:
        return self.rate(self.accepted)

    @property
    def completed_rate(self) -> Decimal | None:
        return self.rate(self.completed)

    @property
    def successful_rate(self) -> Decimal | None:
        return self.rate(self.successful)


@dataclass
class FunnelFilters:
    since: dt.date | None = None
    until: dt.date | None = None
    country: str = ""
    provider: uuid.UUID | None = None


def funnel(actor: Any, filters: FunnelFilters) -> list[FunnelRow]:
    """Per provider, service type and country, among the referrals of the actor's visible
    cases sent in the period: referred → accepted → completed → successful outcome. Each
    stage counts the referrals that reached it (a completed one was accepted too)."""
    referrals = Referral.objects.filter(visible_through(actor, "case_id"))
    if filters.since:
        referrals = referrals.filter(sent_at__date__gte=filters.since)
    if filters.until:
        referrals = referrals.filter(sent_at__date__lte=filters.until)
    if filters.country:
        referrals = referrals.filter(country=filters.country)
    if filters.provider:
        referrals = referrals.filter(provider__uuid=filters.provider)
    kinds = {k.code: k.label for k in AssistanceType.objects.all()}
    rows: dict[tuple[int, str, str], FunnelRow] = {}
    for provider_id, provider_name, item_type, country, status, outcome in referrals.values_list(
        "provider_id", "provider__name", "item_type", "country", "status", "outcome"
    ).order_by():
        key = (provider_id, item_type, country)
        row = rows.get(key)
        if row is None:
            row = rows[key] = FunnelRow(
                provider_name, kinds.get(item_type, item_type), country, country_label=country_name(country)
            )
        row.referred += 1
        row.accepted += status in ACCEPTED_OR_LATER
        row.completed += status == Status.COMPLETED
        row.successful += status == Status.COMPLETED and outcome == Outcome.SUCCESSFUL
    return sorted(rows.values(), key=lambda r: (r.country, r.provider, r.service))


def funnel_total(rows: Iterable[FunnelRow]) -> FunnelRow:
    total = FunnelRow(pgettext("referrals", "All"), "", "")  # French: "Toutes" (les orientations)
    for row in rows:
        total.referred += row.referred
        total.accepted += row.accepted
        total.completed += row.completed
        total.successful += row.successful
    return total


def funnel_providers(actor: Any) -> list[Provider]:
    ids = Referral.objects.filter(visible_through(actor, "case_id")).values_list("provider_id", flat=True)
    return list(Provider.objects.filter(pk__in=ids).order_by("name"))
