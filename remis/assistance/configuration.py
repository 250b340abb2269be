"""The configuration plans are decided by, each read through one accessor: assistance types,
proposals by vulnerability, approval thresholds, the assistance package, exchange rates;
and the money rules (amounts, ISO 4217 codes) every input goes through."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from remis.assistance.models import ApprovalThresholds, AssistanceType, ExchangeRate, ProposalRules
from remis.cases.models import Case
from remis.lib.defaults import load
from remis.lib.errors import ValidationFailed
from remis.lib.money import amount_hint, amount_text, currency_hint, payable_currency
from remis.programmes.models import Programme, ProgrammeSettings
from remis.programmes.queries import settings_on

MAX_AMOUNT = Decimal("9999999999.99")
SHIPPED_FROM = dt.date(2000, 1, 1)  # shipped versions apply from before any programme


# ---- money ----------------------------------------------------------------------------------


def clean_amount(value: Any, field: str = "amount", *, positive: bool = False) -> Decimal:
    """A Decimal with at most two decimals, from 0 (or above 0) to MAX_AMOUNT; anything else
    is refused naming `field`. Floats are refused: they are not money."""
    if isinstance(value, bool | float):
        raise ValidationFailed(amount_hint(), field)
    text = str(value).strip()
    if "e" in text.lower() and not isinstance(value, Decimal):  # 1e3: no one writes money so
        raise ValidationFailed(amount_hint(), field)
    try:
        amount = Decimal(text)
    except (InvalidOperation, ValueError):
        raise ValidationFailed(amount_hint(), field) from None
    if not amount.is_finite():
        raise ValidationFailed(amount_hint(), field)
    if positive and amount <= 0:
        raise ValidationFailed(_("The amount must be more than zero."), field)
    if amount < 0:  # a threshold of 0 is one (every plan above it): "more than zero" was untrue
        raise ValidationFailed(_("The amount cannot be negative."), field)
    if amount > MAX_AMOUNT:
        # Not "from 0 to …": a budget or a payment must be more than zero, and says so.
        raise ValidationFailed(
            _("Enter an amount of at most %(max)s.") % {"max": amount_text(MAX_AMOUNT)}, field
        )
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationFailed(_("Enter an amount with at most two decimals."), field)
    return amount.quantize(Decimal("0.01"))


def clean_currency(value: Any, field: str = "currency") -> str:
    code = payable_currency(value)
    if code is None:
        raise ValidationFailed(currency_hint(), field)
    return code


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


# ---- assistance types and proposals ---------------------------------------------------------


def seed_types(type_model: Any) -> int:
    """Load the shipped types (migration 0002); existing codes are left as they are."""
    count = 0
    for position, row in enumerate(load("assistance", "assistance_types.yaml")):
        _obj, made = type_model.objects.get_or_create(
            code=row["code"],
            defaults={
                "name": row["name"],
                "names": row.get("names", {}),
                "dimension": row["dimension"],
                "sensitive_group": row.get("sensitive_group", ""),
                "position": position,
            },
        )
        count += made
    return count


def seed_rules(proposal_model: Any, threshold_model: Any) -> None:
    """The shipped proposals and thresholds, as the versions for every programme."""
    proposals = load("assistance", "proposals.yaml")
    if not proposal_model.objects.filter(programme__isnull=True).exists():
        proposal_model.objects.create(
            programme=None,
            effective_from=SHIPPED_FROM,
            always=proposals["always"],
            by_vulnerability=proposals["by_vulnerability"],
        )
    thresholds = load("assistance", "approval_thresholds.yaml")
    if not threshold_model.objects.filter(programme__isnull=True).exists():
        threshold_model.objects.create(
            programme=None,
            effective_from=SHIPPED_FROM,
            manager_above=Decimal(thresholds["manager_above"]),
            two_above=Decimal(thresholds["two_above"]),
            note="shipped defaults",
        )


def active_types() -> list[AssistanceType]:
    return list(AssistanceType.objects.filter(active=True))


def proposal_rules_on(programme: Programme, day: dt.date) -> ProposalRules:
    """The programme's proposal rules in force on `day`, else the shipped ones."""
    for owner in (programme, None):
        rows = ProposalRules.objects.filter(programme=owner)
        found = rows.filter(effective_from__lte=day).first() or rows.order_by("effective_from").first()
        if found is not None:
            return found
    return ProposalRules(always=[], by_vulnerability={})


def proposed_types(case: Case, day: dt.date) -> list[AssistanceType]:
    """The types a plan for `case` proposes first: those of its confirmed vulnerabilities
    (in the rules' order), then those proposed for everyone; each once, active ones only."""
    rules = proposal_rules_on(case.programme, day)
    codes: list[str] = []
    for vulnerability in case.vulnerabilities.order_by("position", "id").values_list("code", flat=True):
        codes.extend(rules.by_vulnerability.get(vulnerability, []))
    codes.extend(rules.always)
    ordered = list(dict.fromkeys(codes))
    types = {t.code: t for t in AssistanceType.objects.filter(code__in=ordered, active=True)}
    return [types[code] for code in ordered if code in types]


# ---- thresholds and the package -------------------------------------------------------------


def thresholds_on(programme: Programme, country: str, day: dt.date) -> ApprovalThresholds:
    """The thresholds in force on `day` for a plan of `programme` in `country`: the
    programme's for that country, else the programme's for all countries, else the shipped
    ones. Within one of these, the version with the latest `effective_from` on or before
    the day (of two the same day, the later recorded)."""
    candidates: Iterable[dict[str, Any]] = (
        {"programme": programme, "country": country},
        {"programme": programme, "country": ""},
        {"programme": None},
    )
    for condition in candidates:
        found = ApprovalThresholds.objects.filter(**condition, effective_from__lte=day).first()
        if found is not None:
            return found
    shipped = ApprovalThresholds.objects.filter(programme=None).order_by("effective_from").first()
    if shipped is None:  # the data migration always ships a version
        raise ValidationFailed(_("No approval thresholds are configured."), "thresholds")
    return shipped


def package_for(case: Case, programme_settings: ProgrammeSettings) -> Decimal:
    """The programme's assistance package for this case, in the settings' currency: the
    grant per person for one person, the grant per family for a household of several.
    Zero means the programme set no package."""
    if case.household_size > 1:
        return programme_settings.grant_per_family
    return programme_settings.grant_per_person


def reporting_settings(case: Case, day: dt.date) -> ProgrammeSettings:
    return settings_on(case.programme, day)


# ---- exchange rates -------------------------------------------------------------------------


@dataclass(frozen=True)
class MissingRate:
    currency: str
    to_currency: str
    month: dt.date


def rates_for(months: Iterable[dt.date], to_currency: str) -> dict[tuple[dt.date, str], Decimal]:
    """The recorded rates into `to_currency` for those months, by (month, currency)."""
    rows = ExchangeRate.objects.filter(month__in=set(months), to_currency=to_currency)
    return {(r.month, r.currency): r.rate for r in rows}


def convert(
    amounts: Iterable[tuple[Decimal, str, dt.date]], to_currency: str
) -> tuple[Decimal, list[MissingRate]]:
    """The sum of (amount, currency, day) in `to_currency` with each day's monthly rate,
    and the rates that are missing (their amounts left out of the sum)."""
    rows = list(amounts)
    rates = rates_for((month_of(day) for _a, _c, day in rows), to_currency)
    total = Decimal("0")
    missing: list[MissingRate] = []
    for amount, currency, day in rows:
        if currency == to_currency:
            total += amount
            continue
        rate = rates.get((month_of(day), currency))
        if rate is None:
            gap = MissingRate(currency, to_currency, month_of(day))
            if gap not in missing:
                missing.append(gap)
            continue
        total += amount * rate
    return total.quantize(Decimal("0.01")), missing


def missing_rate_message(gap: MissingRate, may_record: bool = True) -> str:
    """What to do about a missing rate: record it, or, for whoever may not (a case worker
    was told to use a page that shows them no form), ask someone who may."""
    if may_record:
        text = _(
            "There is no exchange rate from %(currency)s to %(to)s for %(month)s: record it on the "
            "exchange rates page first."
        )
    else:
        text = _(
            "There is no exchange rate from %(currency)s to %(to)s for %(month)s: ask someone who "
            "approves plans to record it on the exchange rates page, then send this again."
        )
    return text % {
        "currency": gap.currency,
        "to": gap.to_currency,
        "month": date_format(gap.month, "YEAR_MONTH_FORMAT"),
    }
