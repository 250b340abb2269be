"""What each programme setting may hold, and the shipped starting values.

One entry per setting (a column of ProgrammeSettings): its label and the function that turns
an input into the stored value or names the problem. The action, the form and the API all
validate through `clean_settings`, so they refuse the same input with the same message."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from remis.lib.defaults import load
from remis.lib.money import amount_hint, amount_text, currency_hint, payable_currency

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

MAX_AMOUNT = Decimal("9999999999.99")  # what the column (12 digits, 2 decimals) holds


class Invalid(ValueError):
    """A setting value refused; the message is for the person who entered it."""


def _whole(low: int, high: int) -> Callable[[Any], int]:
    def clean(value: Any) -> int:
        if isinstance(value, bool):
            raise Invalid(_("Enter a whole number."))
        try:
            number = int(str(value).strip())
        except (TypeError, ValueError):
            raise Invalid(_("Enter a whole number.")) from None
        if not low <= number <= high:
            raise Invalid(_("Enter a number from %(low)s to %(high)s.") % {"low": low, "high": high})
        return number

    return clean


def _currency(value: Any) -> str:
    code = payable_currency(value)
    if code is None:
        raise Invalid(currency_hint())
    return code


def _amount(value: Any) -> Decimal:
    if isinstance(value, bool | float):
        raise Invalid(amount_hint())  # floats are not money
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise Invalid(amount_hint()) from None
    if not amount.is_finite() or amount < 0 or amount > MAX_AMOUNT:
        raise Invalid(
            _("Enter an amount from 0 to %(max)s.") % {"max": amount_text(MAX_AMOUNT)}
        )  # as the reader writes it
    if amount != amount.quantize(Decimal("0.01")):
        raise Invalid(_("Enter an amount with at most two decimals."))
    return amount.quantize(Decimal("0.01"))


@dataclass(frozen=True)
class Setting:
    label: str | _StrPromise
    clean: Callable[[Any], Any]


SETTINGS: dict[str, Setting] = {
    "submission_response_days": Setting(gettext_lazy("Days to answer a submission"), _whole(1, 365)),
    "currency": Setting(gettext_lazy("Currency"), _currency),
    "grant_per_person": Setting(gettext_lazy("Grant per person"), _amount),
    "grant_per_family": Setting(gettext_lazy("Grant per family"), _amount),
    "small_cell_threshold": Setting(gettext_lazy("Small-cell threshold"), _whole(1, 100)),
    "retention_years": Setting(
        gettext_lazy("Years a closed case is kept whole (then anonymised; 0: kept)"), _whole(0, 100)
    ),
}


@cache
def shipped_settings() -> dict[str, Any]:
    """The starting values of a new programme (defaults/programme_settings.yaml), cleaned."""
    raw = load("programmes", "programme_settings.yaml")
    return {name: setting.clean(raw[name]) for name, setting in SETTINGS.items()}


def clean_settings(values: Mapping[str, Any]) -> tuple[dict[str, Any], list[tuple[str | None, str]]]:
    """The cleaned values, and every problem as (field, message): unknown names included."""
    cleaned: dict[str, Any] = {}
    errors: list[tuple[str | None, str]] = []
    for name, value in values.items():
        setting = SETTINGS.get(name)
        if setting is None:
            errors.append((name, _("There is no programme setting “%(name)s”.") % {"name": name}))
            continue
        try:
            cleaned[name] = setting.clean(value)
        except Invalid as exc:
            errors.append((name, str(exc)))
    return cleaned, errors
