"""Importing what was recorded along a case's journey: consents and reception. A row names
its case by the importing organisation's external ID (`case_external_id`, as given when the
case was imported), so these files follow a cases file from the same source.

Rows are checked with the rules of the forms (dates back 30 years, lengths, codes) and for
consistency with their case (a reception only for a case that has returned, not before its
arrival). A consent is a statement: a row equal to one already recorded (purpose, given or
withdrawn, date) is unchanged, another is added. A case has one reception: a row equal to it
is unchanged, a different one updates it. Each record written leaves one audit entry by the
uploading user. The reception's urgent medical care (health group) is not imported.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from remis.accounts.permissions import Perm
from remis.accounts.scope import grants_with
from remis.audit.actions import diff, record_many
from remis.cases import fields as field_rules
from remis.cases.actions.common import hold_case
from remis.cases.actions.journey import consent_recorded
from remis.cases.actions.validation import Problems
from remis.cases.imports import EXTERNAL_ID, RETURNED_ON, day_value, may_import
from remis.cases.lifecycle import Stage
from remis.cases.models import Case, CaseAccess, Consent, ConsentPurpose, Reception
from remis.interop.importing import Checked, Column, EarlierRows, Entity, Outcome, Row
from remis.lib.money import amount_in_file, file_amount_problem

YES = frozenset({"yes", "y", "true", "1", "oui", "نعم"})
NO = frozenset({"no", "n", "false", "0", "non", "لا"})
PURPOSES = frozenset(ConsentPurpose.values)
CASE_KEY = Column(
    "case_external_id",
    gettext_lazy("Case's external ID"),
    True,
    "DB-2010-0042",
    help=gettext_lazy(
        "The external ID your organisation gave the case (as imported), or the case's REMIS reference."
    ),
)


def _flag(problems: Problems, column: str, text: str, *, required: bool = False) -> bool | None:
    folded = text.strip().lower()
    if folded in YES:
        return True
    if folded in NO or (not folded and not required):
        return False if folded else None
    problems.add(column, _("Write yes or no."))
    return None


def check_own_key(
    problems: Problems, column: str, key: str, seen: EarlierRows, row: int, *, missing: str, twice: str
) -> None:
    """An organisation's identifier of a record in a row: given, of an external ID's length,
    and not given by an earlier row of the file (`seen`, noted by the caller once the row
    is accepted)."""
    if not key:
        problems.add(column, missing)
        return
    problems.check({column: EXTERNAL_ID}, {column: key})
    if seen.repeats(key, row):
        problems.add(column, twice)


class CaseRecords:
    """What both importers share: finding each row's case among the organisation's, and
    the import grant covering the case's countries."""

    def __init__(self, actor: Any, organisation: Any) -> None:
        self.actor = actor
        self.organisation = organisation
        self.earlier_rows = EarlierRows()  # one importer reads one file, chunk after chunk
        self.grants = [
            g for g in grants_with(actor, Perm.RECORDS_IMPORT) if g.organisation_id == organisation.pk
        ]

    def _cases(self, rows: list[Row]) -> dict[str, Case]:
        """Each row's case by the organisation's external ID, or else by its REMIS
        reference among the organisation's cases (cases registered in REMIS have no
        external ID until an import gives them one)."""
        keys = {r.values["case_external_id"] for r in rows} - {""}
        live = CaseAccess.objects.filter(organisation=self.organisation, revoked_at__isnull=True)
        ids = dict(
            live.filter(external_id__in=keys).exclude(external_id="").values_list("external_id", "case_id")
        )
        others = {key.upper() for key in keys - set(ids)}
        if others:
            ids.update(
                (reference, case_id)
                for reference, case_id in live.filter(case__reference__in=sorted(others)).values_list(
                    "case__reference", "case_id"
                )
            )
        cases = Case.objects.in_bulk(list(ids.values()))
        found = {key: cases[case_id] for key, case_id in ids.items() if case_id in cases}
        # A reference typed in lower case finds its case too.
        return {
            **found,
            **{key: found[key.upper()] for key in keys if key not in found and key.upper() in found},
        }

    def _case(self, problems: Problems, row: Row, cases: dict[str, Case]) -> Case | None:
        key = row.values["case_external_id"]
        case = cases.get(key)
        if case is None:
            problems.add(
                "case_external_id", _("Your organisation has no case with this external ID or reference.")
            )
            return None
        if not any(g.covers(case.host_country) or g.covers(case.origin_country) for g in self.grants):
            problems.add(
                "case_external_id", _("You may not import records of this case for this organisation.")
            )
            return None
        return case


def _returned(case: Case) -> bool:
    stage = case.stage_before_closure if case.stage == Stage.CLOSED else case.stage
    return stage in RETURNED_ON


class ConsentImporter(CaseRecords):
    def check(self, rows: list[Row]) -> list[Checked]:
        cases = self._cases(rows)
        stored: set[tuple[Any, ...]] = set(
            Consent.objects.filter(case__in=list(cases.values())).values_list(
                "case_id", "purpose", "given", "given_on"
            )
        )
        results = []
        for row in rows:
            problems = Problems()
            case = self._case(problems, row, cases)
            v = row.values
            if v["purpose"] not in PURPOSES:
                problems.add(
                    "purpose", _("“%(value)s” is not a purpose of consent.") % {"value": v["purpose"][:40]}
                )
            given = _flag(problems, "given", v["given"], required=True)
            given_on = day_value(problems, "given_on", v["given_on"], field_rules.CONSENT["given_on"])
            if not v["given_on"]:
                problems.add("given_on", _("Give the day of the statement."))
            problems.check(field_rules.CONSENT, {"note": v["note"]})
            if problems.items or case is None:
                results.append(Checked(row, Outcome.REFUSED, problems.items))
                continue
            statement = (case.pk, v["purpose"], given, given_on)
            if statement in stored:
                results.append(Checked(row, Outcome.UNCHANGED))
                continue
            stored.add(statement)  # the same statement twice in a file is added once
            results.append(
                Checked(row, Outcome.CREATE, payload=(case, v["purpose"], given, given_on, v["note"]))
            )
        return results

    def write(self, accepted: list[Checked]) -> None:
        now = timezone.now()
        # The cases first, in one order, as every case action takes them before the audit
        # log's lock: each statement then has its effects as on the page (below).
        for case in sorted({c.payload[0] for c in accepted}, key=lambda c: c.pk):
            hold_case(case)
        made = [
            (
                Consent.objects.create(
                    case=case, purpose=purpose, given=given, given_on=given_on, note=note,
                    recorded_by=self.actor, recorded_at=now,
                ),
                case,
            )
            for case, purpose, given, given_on, note in (c.payload for c in accepted)
        ]  # fmt: skip
        record_many(
            self.actor,
            "consent.import",
            [(consent, diff({}, _consent_values(consent)), case.uuid) for consent, case in made],
            organisation_id=self.organisation.pk,
        )
        # A withdrawal imported left the partner reading the case.
        for consent, case in made:
            consent_recorded(self.actor, case, consent)


def _consent_values(consent: Consent) -> dict[str, Any]:
    values = {"purpose": consent.purpose, "given": consent.given, "given_on": consent.given_on}
    return {**values, "note": consent.note} if consent.note else values


RECEPTION_FIELDS = (
    "received_on",
    "airport_pickup",
    "accommodation_nights",
    "nutrition",
    "pocket_money",
    "pocket_money_currency",
    "onward_transport",
    "notes",
)


class ReceptionImporter(CaseRecords):
    def check(self, rows: list[Row]) -> list[Checked]:
        cases = self._cases(rows)
        stored = {r.case_id: r for r in Reception.objects.filter(case__in=list(cases.values()))}
        results = []
        seen: set[int] = set()
        for row in rows:
            problems = Problems()
            case = self._case(problems, row, cases)
            values = self._values(problems, row.values)
            if case is not None and not _returned(case):
                problems.add("case_external_id", _("This case has not returned: it has no reception."))
            elif case is not None and case.pk in seen:
                problems.add(
                    "case_external_id", _("An earlier row of the file is about this case's reception.")
                )
            if (
                case is not None
                and values
                and case.arrival_date
                and values["received_on"] < case.arrival_date
            ):
                problems.add("received_on", _("The reception is before the arrival date."))
            if problems.items or case is None or values is None:
                results.append(Checked(row, Outcome.REFUSED, problems.items))
                continue
            seen.add(case.pk)
            current = stored.get(case.pk)
            if current is None:
                results.append(Checked(row, Outcome.CREATE, payload=(case, None, values, {})))
                continue
            changes = diff({name: getattr(current, name) for name in RECEPTION_FIELDS}, values)
            outcome = Outcome.UPDATE if changes else Outcome.UNCHANGED
            results.append(Checked(row, outcome, payload=(case, current, values, changes)))
        return results

    def _values(self, problems: Problems, v: dict[str, str]) -> dict[str, Any] | None:
        received_on = day_value(
            problems, "received_on", v["received_on"], field_rules.RECEPTION["received_on"]
        )
        if not v["received_on"]:
            problems.add("received_on", _("Give the day of the reception."))
        nights = 0
        if v["accommodation_nights"]:
            try:
                nights = int(v["accommodation_nights"])
            except ValueError:
                problems.add("accommodation_nights", _("Enter a whole number."))
        money: Decimal | None = None
        if v["pocket_money"]:
            written = amount_in_file(v["pocket_money"])
            if written is None:
                problems.add("pocket_money", file_amount_problem(v["pocket_money"]))
            else:
                try:
                    money = Decimal(written)
                except InvalidOperation:
                    problems.add("pocket_money", _("Enter an amount such as 150.00."))
                else:
                    if not money.is_finite() or money < 0 or money >= Decimal("1e8"):
                        problems.add("pocket_money", _("Enter an amount such as 150.00."))
        currency = v["pocket_money_currency"].upper()
        if money is not None and not currency:
            problems.add("pocket_money_currency", _("Give the currency of the pocket money."))
        values = {
            "received_on": received_on,
            "airport_pickup": bool(_flag(problems, "airport_pickup", v["airport_pickup"])),
            "accommodation_nights": nights,
            "nutrition": bool(_flag(problems, "nutrition", v["nutrition"])),
            "pocket_money": money.quantize(Decimal("0.01"))
            if money is not None and money.is_finite()
            else None,
            "pocket_money_currency": currency,
            "onward_transport": bool(_flag(problems, "onward_transport", v["onward_transport"])),
            "notes": v["notes"],
        }
        problems.check(
            field_rules.RECEPTION,
            {
                k: values[k]
                for k in ("accommodation_nights", "pocket_money_currency", "notes")
                if values[k] != ""
            },
        )
        return None if received_on is None else values

    def write(self, accepted: list[Checked]) -> None:
        created: list[tuple[Any, dict[str, list[Any]] | None, Any]] = []
        updated: list[tuple[Any, dict[str, list[Any]] | None, Any]] = []
        for item in accepted:
            case, current, values, changes = item.payload
            if current is None:
                reception = Reception.objects.create(case=case, **values)
                created.append(
                    (reception, diff({}, {k: v for k, v in values.items() if v not in (None, "")}), case.uuid)
                )
            else:
                Reception.objects.filter(pk=current.pk).update(**values, version=F("version") + 1)
                updated.append((current, changes, case.uuid))
        org = self.organisation.pk
        record_many(self.actor, "reception.import", created, organisation_id=org)
        record_many(self.actor, "reception.import_update", updated, organisation_id=org)


def _flag_column(name: str, label: Any) -> Column:
    return Column(name, label, False, "yes", lambda: ["yes", "no"])


def entities() -> list[Entity]:
    consents = Entity(
        code="consents",
        label=gettext_lazy("Consents"),
        description=gettext_lazy(
            "One row a statement of consent of a case, given or withdrawn, with its date."
        ),
        columns=(
            CASE_KEY,
            # The follow-up contact consent: a visit imported after it needs it (the example of
            # data processing let no example visit be imported).
            Column("purpose", gettext_lazy("Purpose"), True, "follow_up_contact", lambda: sorted(PURPOSES)),
            _flag_column("given", gettext_lazy("Given")),
            Column("given_on", gettext_lazy("Date"), True, "2010-01-15"),
            Column("note", gettext_lazy("Note"), False, ""),
        ),
        start=ConsentImporter,
        may_import=may_import,
    )
    reception = Entity(
        code="reception",
        label=gettext_lazy("Reception"),
        description=gettext_lazy("One row the reception of a returned case on arrival."),
        columns=(
            CASE_KEY,
            Column("received_on", gettext_lazy("Date of reception"), True, "2010-03-03"),
            _flag_column("airport_pickup", gettext_lazy("Airport pick-up")),
            Column("accommodation_nights", gettext_lazy("Nights of temporary accommodation"), False, "2"),
            _flag_column("nutrition", gettext_lazy("Nutrition")),
            Column("pocket_money", gettext_lazy("Pocket money"), False, "50.00"),
            Column("pocket_money_currency", gettext_lazy("Currency"), False, "EUR"),
            _flag_column("onward_transport", gettext_lazy("Onward transport")),
            Column("notes", gettext_lazy("Notes"), False, ""),
        ),
        start=ReceptionImporter,
        may_import=may_import,
    )
    return [consents, reception]


def register() -> None:
    from remis.interop.importing import register_entity

    for entity in entities():
        register_entity(entity)
