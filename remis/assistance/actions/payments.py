"""Paying an approved item in instalments, and the monthly exchange rates budgets use."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Min
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from remis.accounts.permissions import Perm
from remis.accounts.scope import has_perm
from remis.assistance.actions.common import check_upload, hold_open_case, require_on
from remis.assistance.actions.plans import paid_for
from remis.assistance.configuration import clean_amount, clean_currency, month_of
from remis.assistance.events import InstalmentRecorded
from remis.assistance.models import (
    AssistanceItem,
    ExchangeRate,
    Instalment,
    ItemStatus,
    PlanStatus,
    PlanVersion,
    plain_rate,
)
from remis.audit.actions import created, record
from remis.cases.actions.common import hold_case
from remis.lib.errors import Conflict, Duplicate, PermissionDenied, TransitionRefused, ValidationFailed
from remis.lib.events import emit
from remis.lib.fields import Text
from remis.lib.files import removed_if_not_kept
from remis.lib.money import amount_text, fraction_problem

MAX_RATE = Decimal("999999999999.9999999999")  # ExchangeRate.rate: 12 digits, 10 decimals
RATE_STEP = Decimal("0.0000000001")


def record_instalment(
    actor: Any,
    item: AssistanceItem,
    *,
    paid_on: dt.date | None,
    amount: Any,
    currency: Any,
    receipt: UploadedFile | None = None,
    form_key: uuid.UUID | None = None,
    seen_paid: Decimal | None = None,
) -> Instalment:
    """A payment for an item of the approved plan in force, never beyond its budget.
    `form_key`: the payment form's key; a form already recorded is refused (Duplicate).
    `seen_paid`: what the person paying saw paid; a payment recorded since is a Conflict
    (two colleagues recording the same 20 EUR from pages opened before both had it twice)."""
    version = item.version
    case = require_on(actor, version, Perm.PAYMENT_RECORD)
    if version.status != PlanStatus.APPROVED or item.status not in (
        ItemStatus.APPROVED,
        ItemStatus.IN_PROGRESS,
    ):
        raise TransitionRefused(
            _("Nothing is paid before the plan is approved, nor for a delivered or cancelled item."), "item"
        )
    errors: list[tuple[str | None, str]] = []
    value = Decimal("0")
    try:
        value = clean_amount(amount, "amount", positive=True)
    except ValidationFailed as error:
        errors.append(("amount", error.message))
    fraction = fraction_problem(value, item.currency)
    if fraction:
        errors.append(("amount", fraction))
    try:
        code = clean_currency(currency, "currency")
        if code != item.currency:
            errors.append(
                (
                    "currency",
                    _("This item is budgeted in %(currency)s: pay it in %(currency)s.")
                    % {"currency": item.currency},
                )
            )
    except ValidationFailed as error:
        errors.append(("currency", error.message))
    first_approved = AssistanceItem.objects.filter(
        key=item.key, version__status__in=[PlanStatus.APPROVED, PlanStatus.SUPERSEDED]
    ).aggregate(day=Min("version__approved_at"))["day"]
    if paid_on is None:
        errors.append(("paid_on", _("Enter the day of the payment.")))
    elif paid_on > timezone.localdate():
        errors.append(("paid_on", _("A payment cannot be dated in the future.")))
    elif first_approved and paid_on < timezone.localtime(first_approved).date():
        errors.append(("paid_on", _("A payment cannot be dated before the plan was approved.")))
    content_type = ""
    if receipt is not None:
        try:
            content_type = check_upload(receipt, "receipt")
        except ValidationFailed as error:
            errors.append(("receipt", error.message))
    if errors or paid_on is None:
        raise ValidationFailed(errors[0][1], errors[0][0], errors=errors)
    instalment = Instalment(
        form_key=form_key,
        item=item,
        key=item.key,
        paid_on=paid_on,
        amount=value,
        currency=item.currency,
        recorded_by=actor,
        receipt_type=content_type,
    )
    if receipt is not None:
        instalment.receipt.save("receipt", receipt, save=False)
    with removed_if_not_kept(instalment.receipt), transaction.atomic():
        hold_open_case(case)  # the case's row first, as every case action
        # Lock the item so two payments at once are added up one after the other.
        locked = AssistanceItem.objects.select_for_update().get(pk=item.pk)
        # Read again under the lock: an item cancelled (or a version replaced) a moment
        # ago, after the check above, took a payment all the same ("Cancelled · Paid 100").
        in_force = PlanVersion.objects.filter(pk=locked.version_id, status=PlanStatus.APPROVED).exists()
        if not in_force or locked.status not in (ItemStatus.APPROVED, ItemStatus.IN_PROGRESS):
            raise Conflict(
                _(
                    "This item changed after you opened it (cancelled, delivered, or its plan "
                    "replaced by a newer version): nothing was recorded. Look at it again."
                )
            )
        if form_key is not None and Instalment.objects.filter(form_key=form_key).exists():
            raise Duplicate(
                _(
                    "This form was already sent: the instalment is recorded once. "
                    "Record another from the page."
                ),
                "amount",
            )
        paid = paid_for(locked)
        if seen_paid is not None and paid != seen_paid:
            raise Conflict(
                _(
                    "A payment was recorded on this item after you opened it: %(paid)s %(currency)s "
                    "is paid now. Nothing was recorded: check the payments below, then record "
                    "yours again if it is still due."
                )
                % {"paid": amount_text(paid, item.currency), "currency": item.currency}
            )
        if paid + value > locked.amount:
            raise ValidationFailed(
                _(
                    "This payment would bring the total paid to %(total)s %(currency)s, above the "
                    "approved %(approved)s %(currency)s."
                )
                % {
                    "total": amount_text(paid + value, item.currency),
                    "approved": amount_text(locked.amount, item.currency),
                    "currency": item.currency,
                },
                "amount",
            )
        instalment.save()
        if locked.status == ItemStatus.APPROVED:
            AssistanceItem.objects.filter(pk=item.pk).update(status=ItemStatus.IN_PROGRESS)
            item.status = ItemStatus.IN_PROGRESS
        record(
            actor,
            "assistance.instalment",
            instalment,
            case_uuid=case.uuid,
            changes=created(instalment, ["item", "paid_on", "amount", "currency", "receipt_type"]),
        )
        emit(
            InstalmentRecorded(
                case_uuid=case.uuid,
                item_key=item.key,
                item_type=item.kind.code,
                paid_on=paid_on,
                amount=str(value),
                currency=item.currency,
            )
        )
    return instalment


# The shared text rule (length, control and text-direction characters: PostgreSQL refuses
# a NUL outright), as every note of a case is checked.
REASON = Text(max_length=1000, multiline=True)


def void_instalment(actor: Any, instalment: Instalment, *, reason: Any) -> Instalment:
    """Void a payment recorded by mistake: it stays in the item's history, marked with who
    voided it, when and why, and no longer counts in what was paid (budgets, the payments
    due, the reports). Nothing is deleted or edited in place: a wrong amount is corrected
    by voiding it and recording the right one (an item marked delivered is in progress
    again for that). Twice is refused (Duplicate)."""
    case = require_on(actor, instalment.item.version, Perm.PAYMENT_RECORD)
    text = reason.strip() if isinstance(reason, str) else ""
    if not text:
        raise ValidationFailed(_("Say why the payment is voided."), "reason")
    problem = REASON.problem(text, timezone.localdate())
    if problem:
        raise ValidationFailed(problem, "reason")
    with transaction.atomic():
        # The case's row, as every case action: two people voiding the payment at once take
        # turns, and the second reads it voided (read after the lock, not before).
        hold_case(case)
        locked = Instalment.objects.get(pk=instalment.pk)
        if locked.voided_at is not None:
            raise Duplicate(_("This payment is already voided."), "reason")
        locked.voided_at, locked.voided_by, locked.void_reason = timezone.now(), actor, text
        locked.save(update_fields=["voided_at", "voided_by", "void_reason"])
        # An item marked delivered is no longer paid in full: it is under way again on the
        # plan in force, where the right payment can be recorded (nothing is paid on a
        # delivered item). A cancelled item stays cancelled: nothing more is owed on it.
        reopened = AssistanceItem.objects.filter(
            key=locked.key, version__status=PlanStatus.APPROVED, status=ItemStatus.DELIVERED
        ).update(status=ItemStatus.IN_PROGRESS)
        record(
            actor,
            "assistance.instalment_void",
            locked,
            case_uuid=case.uuid,
            changes={
                "amount": [str(locked.amount), None],
                "currency": [locked.currency, None],
                "paid_on": [locked.paid_on.isoformat(), None],
                "void_reason": [None, text],
                **(
                    {"status": [ItemStatus.DELIVERED.value, ItemStatus.IN_PROGRESS.value]} if reopened else {}
                ),
            },
        )
    instalment.voided_at, instalment.voided_by, instalment.void_reason = (
        locked.voided_at,
        actor,
        text,
    )
    return instalment


def may_record_rates(actor: Any) -> bool:
    return has_perm(actor, Perm.PLAN_APPROVE) or has_perm(actor, Perm.PROGRAMME_MANAGE)


ANY_RATE: Any = object()  # `replaces` not said: an import's or the demo's own correction


class RateRecordedMeanwhile(Conflict):
    """The month has a rate the person recording did not say they replace: they are shown
    it and confirm (rates are shared by every programme; two managers entering the same
    month both read "recorded", and one rate silently replaced the other)."""

    def __init__(self, row: ExchangeRate) -> None:
        from django.utils.formats import date_format

        self.stored = row.rate
        super().__init__(
            _(
                "A rate of %(rate)s is recorded for %(currency)s → %(to)s in %(month)s, by %(who)s. "
                "To correct it, confirm that yours replaces it."
            )
            % {
                "rate": number_format(row.rate.normalize()),
                "currency": row.currency,
                "to": row.to_currency,
                "month": date_format(row.month, "YEAR_MONTH_FORMAT"),
                "who": row.recorded_by.display_name,
            }
        )


def record_exchange_rate(
    actor: Any, *, month: dt.date | None, currency: Any, to_currency: Any, rate: Any, replaces: Any = ANY_RATE
) -> ExchangeRate:
    """The rate of a currency into a reporting currency for a month; recording a month again
    corrects it (the audit log keeps the earlier rate). `replaces`: the rate the person saw
    for the month (None: none); another one stored is a RateRecordedMeanwhile, nothing
    written."""
    if not may_record_rates(actor):
        raise PermissionDenied()
    errors: list[tuple[str | None, str]] = []
    if month is None:
        errors.append(("month", _("Enter the month of the rate.")))
    codes: dict[str, str] = {}
    for name, value in (("currency", currency), ("to_currency", to_currency)):
        try:
            codes[name] = clean_currency(value, name)
        except ValidationFailed as error:
            errors.append((name, error.message))
    number = Decimal("0")
    try:
        number = Decimal(str(rate).strip()) if not isinstance(rate, bool | float) else Decimal("nan")
        if number.is_finite() and number > MAX_RATE:
            # Said as it is: "at most ten decimals" answered a rate of 99,999,999,999,999.
            errors.append(
                (
                    "rate",
                    _("A rate is at most %(max)s.")
                    % {"max": number_format(Decimal(10**12 - 1), 0, force_grouping=True)},
                )
            )
        elif not number.is_finite() or number <= 0 or number != number.quantize(RATE_STEP):
            raise ValueError
    except (ArithmeticError, ValueError):
        errors.append(
            (
                "rate",
                _("Enter a rate above zero with at most ten decimals, such as %(example)s.")
                % {"example": number_format(Decimal("655.957"), 3)},  # as the reader writes decimals
            )
        )
    if not errors and codes["currency"] == codes["to_currency"]:
        errors.append(("to_currency", _("A rate converts between two different currencies.")))
    if errors:
        raise ValidationFailed(errors[0][1], errors[0][0], errors=errors)
    assert month is not None
    first = month_of(month)
    with transaction.atomic():
        row, made = ExchangeRate.objects.select_for_update().get_or_create(
            month=first,
            currency=codes["currency"],
            to_currency=codes["to_currency"],
            defaults={"rate": number, "recorded_by": actor},
        )
        before = None if made else str(plain_rate(row.rate))
        if not made and replaces is not ANY_RATE and (replaces is None or Decimal(str(replaces)) != row.rate):
            raise RateRecordedMeanwhile(row)
        if not made:
            row.rate, row.recorded_by, row.recorded_at = number, actor, timezone.now()
            row.save(update_fields=["rate", "recorded_by", "recorded_at"])
        record(
            actor,
            "assistance.exchange_rate",
            row,
            changes={
                "month": [None, first.isoformat()],
                "currency": [None, row.currency],
                "to_currency": [None, row.to_currency],
                "rate": [before, str(plain_rate(number))],
            },
        )
    return row
