"""Importing cases from files: one row a case with its principal applicant, current or
historic (`remis/interop/importing.py` runs it; registered in `CasesConfig.ready`).

A row is checked with the rules the forms and the API apply to the same fields (a person's
names, dates, phone, e-mail; a programme's countries and eligible categories; the sensitive
groups of a category), but the journey's guards are not replayed: a case returned in 2010
and closed in 2012 is imported at its stage, with its own dates, as long as the record is
consistent (dates in order, a stage that agrees with the dates given, a closure with its
reason). Dates may go back 30 years, the range post-arrival cases already allow.

Records are found again by the importing organisation's external ID (`CaseAccess.
external_id`): a row already imported and unchanged writes nothing; a changed one updates
the case and its principal, audited as an import by the uploading user. New cases are
written in bulk, one statement per table for a chunk, with one audit entry per case and per
person. An import emits no journey events: nothing reacts to dates already past (no
"missed" visits for a 2010 return). It emits `CaseImported` per new case, in its
transaction, by which an open case returned lately gets the rounds still ahead of it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import uuid
from dataclasses import dataclass
from typing import Any

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from remis.accounts.permissions import Perm
from remis.accounts.scope import grants_with
from remis.audit.actions import diff, record_many
from remis.cases import fields as field_rules
from remis.cases.actions.common import person_spellings, search_columns
from remis.cases.actions.registration import UNACCOMPANIED_CHILD, youngest_age
from remis.cases.actions.validation import PersonData, Problems, check_person
from remis.cases.events import CaseImported
from remis.cases.lifecycle import RETURNED_STAGES, ClosureReason, Stage, has_returned
from remis.cases.models import (
    AccessReason,
    Case,
    CaseAccess,
    CaseMember,
    Person,
    PostArrivalStatus,
    ReferenceCounter,
    Relation,
    ReturnTravel,
    ReturnType,
    Sex,
    Transition,
)
from remis.cases.policy import CATEGORY_SHOWN_AS, groups_in, shows
from remis.interop.importing import Checked, Column, EarlierRows, Entity, Outcome, Row
from remis.lib.bulk import built, insert_objects, update_column
from remis.lib.countries import alpha3, is_country
from remis.lib.events import emit_many
from remis.lib.fields import Dates, Rule, Text
from remis.programmes.models import MigrantCategory, Programme

ENTITY = "cases"
RETURNED_ON = RETURNED_STAGES
# The codes a row may give, as sets: checked for every row of a file.
STAGES = frozenset(Stage.values)
CLOSURE_REASONS = frozenset(ClosureReason.values)
RETURN_TYPES = frozenset(ReturnType.values)
# Historic records: as far back as post-arrival cases may start (fields.CASE).
HISTORIC = Dates(years_before=30)
# Planned days of a current case may lie ahead, as the case page allows (fields.CASE):
# the intended return, a booked departure. A case that has left has not left in the future.
PLANNED = Dates(years_before=30, years_after=5)
EXTERNAL_ID = Text(64)
ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
CASE_COLUMNS = (
    "programme",
    "return_type",
    "category",
    "host_country",
    "origin_country",
    "stage",
    "stage_before_closure",
    "closure_reason",
    "intended_return_date",
    "arrival_date",
)
# Where a case stands on its journey: set when a case is imported, never changed by an
# import of an existing one (its stage belongs to the journey's steps from then on).
JOURNEY_COLUMNS = ("stage", "stage_before_closure", "closure_reason", "closed_on")
# Columns of lower-case codes.
CODE_COLUMNS = ("return_type", "stage", "stage_before_closure", "closure_reason")
WRITTEN = "written:"  # a code column's cell as the file has it, kept beside its lower case
PERSON_COLUMNS = (
    "given_name",
    "family_name",
    "sex",
    "date_of_birth",
    "birth_year_estimated",
    "nationality",
    "phone",
    "email",
    "address",
)


def _programmes() -> list[str]:
    return list(Programme.objects.order_by("code").values_list("code", flat=True))


def _categories() -> list[str]:
    return list(MigrantCategory.objects.filter(active=True).order_by("code").values_list("code", flat=True))


COLUMNS = (
    Column("external_id", gettext_lazy("External ID"), True, "DB-2010-0042",
           help=gettext_lazy("Your organisation's identifier of the case; importing again updates it. "
                             "May be empty in a row giving the REMIS reference of a case you hold.")),
    Column("reference", gettext_lazy("Reference"), False, "",
           help=gettext_lazy("Left empty, REMIS gives one (GIN-2010-000001). A case your organisation "
                             "holds is found by it when its external ID is empty or new.")),
    Column("programme", gettext_lazy("Programme"), True, "avrr-be-2026", _programmes),
    Column("return_type", gettext_lazy("Return type"), False, "avr", lambda: list(ReturnType.values)),
    Column("category", gettext_lazy("Migrant category"), True, "irregular", _categories),
    Column("host_country", gettext_lazy("Host country"), True, "BE",
           help=gettext_lazy("ISO 3166 code, two or three letters.")),
    Column("origin_country", gettext_lazy("Country of origin"), True, "GN",
           help=gettext_lazy("ISO 3166 code, two or three letters.")),
    Column("stage", gettext_lazy("Stage"), True, "closed", lambda: list(Stage.values)),
    Column("stage_before_closure", gettext_lazy("Stage before closure"), False, "monitoring",
           lambda: [s for s in Stage.values if s != Stage.CLOSED]),
    Column("closure_reason", gettext_lazy("Closure reason"), False, "completed",
           lambda: list(ClosureReason.values)),
    Column("registered_on", gettext_lazy("Registered on"), False, "2010-01-15",
           help=gettext_lazy("YYYY-MM-DD; empty: the day of the import.")),
    Column("intended_return_date", gettext_lazy("Intended return date"), False, ""),
    Column("departure_date", gettext_lazy("Departure date"), False, "2010-03-02"),
    Column("arrival_date", gettext_lazy("Arrival date"), False, "2010-03-03"),
    Column("closed_on", gettext_lazy("Closed on"), False, "2012-06-30"),
    Column("given_name", gettext_lazy("Given name"), True, "Mariama"),
    Column("family_name", gettext_lazy("Family name"), True, "Example"),
    Column("sex", gettext_lazy("Sex"), False, "F", lambda: list(Sex.values)),
    Column("date_of_birth", gettext_lazy("Date of birth"), False, "1988-05-20"),
    Column("birth_year_estimated", gettext_lazy("Estimated year of birth"), False, ""),
    Column("nationality", gettext_lazy("Nationality"), False, "GN"),
    Column("phone", gettext_lazy("Phone"), False, ""),
    Column("email", gettext_lazy("Email"), False, ""),
    Column("address", gettext_lazy("Address in the country of origin"), False, ""),
)  # fmt: skip


def example_values(actor: Any) -> dict[str, str]:
    """The template's example row as it imports for this reader: an active programme with
    one of its host countries the reader may import for (or, for an office in a country of
    origin, a post-arrival case in one of its countries), one of its countries of origin and
    a category it takes. Without such a programme the fixed examples stay."""
    grants = grants_with(actor, Perm.RECORDS_IMPORT)
    programmes = Programme.objects.filter(active=True).prefetch_related("eligible_categories")
    for return_type in (ReturnType.AVR, ReturnType.POST_ARRIVAL):
        for programme in programmes.order_by("code"):
            if not programme.host_countries or not programme.origin_countries:
                continue
            if return_type == ReturnType.AVR:
                hosts = [c for c in programme.host_countries if any(g.covers(c) for g in grants)]
                origins = list(programme.origin_countries)
            else:
                hosts = list(programme.host_countries)
                origins = [c for c in programme.origin_countries if any(g.covers(c) for g in grants)]
            # A programme naming no category takes them all.
            takes = sorted(c.code for c in programme.eligible_categories.all() if c.active)
            categories = takes or _categories()
            if hosts and origins and categories:
                return {
                    "programme": programme.code,
                    "return_type": str(return_type),
                    "category": categories[0],
                    "host_country": hosts[0],
                    "origin_country": origins[0],
                    "nationality": origins[0],
                }
    return {}


def may_import(actor: Any, organisation: Any) -> bool:
    return any(g.organisation_id == organisation.pk for g in grants_with(actor, Perm.RECORDS_IMPORT))


@dataclass
class _Values:
    """A row's values, typed and checked; what is compared with a stored case."""

    external_id: str
    reference: str
    case: dict[str, Any]
    person: dict[str, Any]
    registered_on: dt.date
    departure_date: dt.date | None
    closed_on: dt.date | None
    # An empty "registered on" means the day of the import for a new case, and the day it
    # has for a stored one: not today's date again at every later import of the same file.
    registered_given: bool = True


@dataclass
class _Update:
    access_id: int
    case_id: int
    values: _Values
    changes: dict[str, list[Any]]


# "T" as workbooks write it, or a space as Access, LibreOffice and SQL exports do
# ("2019-02-01 00:00:00" was refused as not a date).
_WORKBOOK_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?")


def day_value(problems: Problems, column: str, text: str, rule: Rule = HISTORIC) -> dt.date | None:
    if not text:
        return None
    # A workbook's date cell reads as an ISO date time: at midnight, or at the time a
    # date-and-time cell holds (its day is the date; "2016-03-10T14:30:00" was refused as
    # not a date, a value the person never typed).
    day_text = text[:10] if _WORKBOOK_MOMENT.fullmatch(text) else text
    try:
        day = dt.date.fromisoformat(day_text)
    except ValueError:
        if ISO_DAY.fullmatch(day_text):  # written right, but no such day (30 February)
            problems.add(column, _("“%(value)s” is not a day of the calendar.") % {"value": text[:40]})
        else:
            problems.add(column, _("“%(value)s” is not a date written YYYY-MM-DD.") % {"value": text[:40]})
        return None
    message = rule.problem(day, timezone.localdate())
    if message:
        problems.add(column, message)
        return None
    return day


def _country(problems: Problems, column: str, text: str, *, required: bool) -> str:
    code = text.upper()
    if len(code) == 3:
        code = _ALPHA2.get(code, code)
    # Quoted as the file has it ("Guinée" read "« GUINÉE » is not…").
    problems.country(column, code, required=required, written=text[:40])
    return code if is_country(code) else ""


def _alpha2_by_alpha3() -> dict[str, str]:
    import pycountry

    codes = {str(c.alpha_3): str(c.alpha_2) for c in pycountry.countries}
    codes["XKX"] = "XK"
    return codes


_ALPHA2 = _alpha2_by_alpha3()


class CaseImporter:
    def __init__(self, actor: Any, organisation: Any) -> None:
        self.actor = actor
        self.organisation = organisation
        self.earlier_rows = EarlierRows()  # one importer reads one file, chunk after chunk
        self.grants = [
            g for g in grants_with(actor, Perm.RECORDS_IMPORT) if g.organisation_id == organisation.pk
        ]
        self.groups = groups_in(self.grants[0].permissions) if self.grants else frozenset()
        self.programmes = {p.code: p for p in Programme.objects.all()}
        self.eligible = {
            p.pk: set(p.eligible_categories.values_list("pk", flat=True)) for p in self.programmes.values()
        }
        self.categories = {c.code: c for c in MigrantCategory.objects.all()}
        self.hidden_category_ids = {c.pk for c in self.categories.values() if c.sensitive_group}
        # A code in another case ("REAB-BE", "Irregular", as a spreadsheet capitalises it)
        # is the same code: it was refused as unknown. Written exactly, a code is itself.
        self.programmes_folded = {code.casefold(): p for code, p in reversed(self.programmes.items())}
        self.categories_folded = {code.casefold(): c for code, c in reversed(self.categories.items())}

    # ---- checking ---------------------------------------------------------------------

    def check(self, rows: list[Row]) -> list[Checked]:
        keys = [r.values["external_id"] for r in rows if r.values["external_id"]]
        stored = self._stored(keys)
        references = {r.values["reference"].upper() for r in rows if r.values["reference"]}
        taken = (
            dict(Case.objects.filter(reference__in=references).values_list("reference", "id"))
            if references
            else {}
        )
        # A row without a known external ID is found by its reference among the
        # organisation's cases: an exported list imports back, external IDs or not.
        unmatched = {
            r.values["reference"].upper()
            for r in rows
            if r.values["reference"] and r.values["external_id"] not in stored
        }
        by_reference = self._stored_by_reference(unmatched)
        seen = self.earlier_rows  # external IDs and references of earlier rows of the file
        results = []
        for row in rows:
            problems = Problems()
            key, reference = row.values["external_id"], row.values["reference"].upper()
            current = stored.get(key) if key else None
            if current is None and reference in by_reference:
                current = by_reference[reference]
                known_as = current["access_external_id"]
                if key and known_as and known_as != key:
                    problems.add(
                        "external_id",
                        _("Your organisation knows this case by the external ID %(id)s.") % {"id": known_as},
                    )
            erased = current is not None and current.get("principal__erased_at") is not None
            values = self._values(
                row, problems, known=current is not None, erased=current if erased else None
            )
            for mark, column in ((key, "external_id"), (reference, "reference")):
                if mark and seen.repeats(f"{column}:{mark}", row.number):
                    problems.add(column, _("An earlier row of the file is about this case."))
                if mark:
                    seen.note(f"{column}:{mark}", row.number)
            if problems.items:
                results.append(Checked(row, Outcome.REFUSED, problems.items))
                continue
            assert values is not None
            results.append(self._decide(row, values, current, taken))
        return results

    def _values(
        self, row: Row, problems: Problems, *, known: bool = False, erased: dict[str, Any] | None = None
    ) -> _Values | None:
        """`erased`: the stored case, whose principal applicant's data was erased. A list
        exported since writes them "—": read as the stored person (the row imports back
        unchanged; it was refused as "A name must contain at least one letter"). Any other
        name is refused as data erased, not to be imported again."""
        # The journey's codes in any letters' case, as programme, category, country and sex
        # codes are read ("AVR" and "Registered" were refused beside "reab-be" accepted).
        v = {**row.values, **{name: row.values[name].lower() for name in CODE_COLUMNS if name in row.values}}
        # As written, for the messages that quote them ("withdrawn" for "WITHDRAWN").
        v.update({WRITTEN + name: row.values[name] for name in CODE_COLUMNS if name in row.values})
        if not v["external_id"] and not v["reference"]:
            problems.add("external_id", _("Give the case's external ID, or its REMIS reference."))
        elif v["external_id"]:
            problems.check({"external_id": EXTERNAL_ID}, {"external_id": v["external_id"]})
        reference = v["reference"].upper()
        problems.check(field_rules.CASE, {"reference": reference or None})
        programme = self.programmes.get(v["programme"]) or self.programmes_folded.get(
            v["programme"].casefold()
        )
        if programme is None:
            problems.add(
                "programme", _("No programme has the code “%(code)s”.") % {"code": v["programme"][:40]}
            )
        category = self.categories.get(v["category"]) or self.categories_folded.get(v["category"].casefold())
        if v["category"] == "restricted":  # as an export writes a category its reader may not read
            problems.add(
                "category",
                _(
                    "The category is restricted in the file you exported: write the case's category "
                    "code, or leave the row out."
                ),
            )
        elif category is None or not shows(self.groups, category.sensitive_group):
            problems.add(
                "category", _("No migrant category has the code “%(code)s”.") % {"code": v["category"][:40]}
            )
        return_type = v["return_type"] or ReturnType.AVR
        if return_type not in RETURN_TYPES:
            problems.add(
                "return_type",
                _("“%(value)s” is not a return type.")
                % {"value": (v[WRITTEN + "return_type"] or return_type)[:40]},
            )
        host = _country(problems, "host_country", v["host_country"], required=True)
        origin = _country(problems, "origin_country", v["origin_country"], required=True)
        if host and host == origin:
            problems.add("origin_country", _("The country of origin must differ from the host country."))
        if programme is not None and host and origin:
            self._check_programme(problems, programme, category, host, origin)
        self._check_grant(problems, return_type, host, origin, known=known)
        # A departure may be planned; so may an arrival, of a return planned (its travel).
        planned = {"departure_date"} | ({"arrival_date"} if v["stage"] == Stage.RETURN_PLANNED else set())
        dates = {
            name: day_value(problems, name, v[name], PLANNED if name in planned else HISTORIC)
            for name in ("registered_on", "departure_date", "arrival_date", "closed_on")
        }
        intended = day_value(problems, "intended_return_date", v["intended_return_date"], PLANNED)
        stage = self._check_stage(problems, v, return_type, dates, known=known)
        born = day_value(Problems(), "date_of_birth", v["date_of_birth"], field_rules.PERSON["date_of_birth"])
        after_birth = [d for d in (dates["registered_on"], dates["arrival_date"]) if d is not None]
        if born is not None and after_birth and min(after_birth) < born:
            problems.add("date_of_birth", _("The date of birth is after the registration or the arrival."))
        if erased is None:
            person = person_values(problems, v)
        elif v["given_name"].strip() in ("", "—") and not v["family_name"].strip():
            person = {c: erased[f"principal__{c}"] for c in PERSON_COLUMNS}
        else:
            person = None
            message = _("This case's principal applicant's data was erased: it is not imported again.")
            problems.add("external_id", message)
        if category is not None and category.code == UNACCOMPANIED_CHILD and person is not None:
            _check_child_at(problems, person, dates["registered_on"] or timezone.localdate())
        if problems.items or programme is None or category is None or person is None:
            return None
        return _Values(
            external_id=v["external_id"],
            reference=reference,
            case={
                "programme": programme.pk,
                "return_type": return_type,
                "category": category.pk,
                "host_country": host,
                "origin_country": origin,
                "stage": stage,
                "stage_before_closure": v["stage_before_closure"] if stage == Stage.CLOSED else "",
                "closure_reason": v["closure_reason"] if stage == Stage.CLOSED else "",
                "intended_return_date": intended,
                "arrival_date": dates["arrival_date"],
            },
            person=person,
            registered_on=dates["registered_on"] or timezone.localdate(),
            departure_date=dates["departure_date"],
            closed_on=dates["closed_on"],
            registered_given=dates["registered_on"] is not None,
        )

    def _check_programme(
        self,
        problems: Problems,
        programme: Programme,
        category: MigrantCategory | None,
        host: str,
        origin: str,
    ) -> None:
        if programme.host_countries and host not in programme.host_countries:
            problems.add(
                "host_country",
                _("Programme %(code)s does not cover host country %(country)s.")
                % {"code": programme.code, "country": host},
            )
        if programme.origin_countries and origin not in programme.origin_countries:
            problems.add(
                "origin_country",
                _("Programme %(code)s does not cover country of origin %(country)s.")
                % {"code": programme.code, "country": origin},
            )
        eligible = self.eligible.get(programme.pk)
        if category is not None and eligible and category.pk not in eligible:
            problems.add(
                "category",
                _("“%(category)s” is not eligible in programme %(code)s.")
                % {"category": category.label, "code": programme.code},
            )

    def _check_grant(
        self, problems: Problems, return_type: str, host: str, origin: str, *, known: bool = False
    ) -> None:
        """The organisation's import grant must cover the country it acts in: the host
        country for a return it organised, the country of origin for a post-arrival case.
        A case it already holds is in its scope through either country, as on its lists."""
        country, column = (
            (origin, "origin_country") if return_type == ReturnType.POST_ARRIVAL else (host, "host_country")
        )
        if known and any(g.covers(host) or g.covers(origin) for g in self.grants):
            return
        if country and not any(g.covers(country) for g in self.grants):
            problems.add(
                column,
                _("You may not import cases for %(country)s for this organisation.") % {"country": country},
            )

    def _check_stage(
        self,
        problems: Problems,
        v: dict[str, str],
        return_type: str,
        dates: dict[str, Any],
        *,
        known: bool = False,
    ) -> str:
        stage = v["stage"]
        if stage not in STAGES:
            problems.add("stage", _("“%(value)s” is not a stage.") % {"value": v[WRITTEN + "stage"][:40]})
            return stage
        journey_stage = v["stage_before_closure"] if stage == Stage.CLOSED else stage
        if stage == Stage.CLOSED:
            if journey_stage not in STAGES or journey_stage == Stage.CLOSED:
                problems.add("stage_before_closure", _("Give the stage the case was closed from."))
            if not v["closure_reason"]:
                problems.add("closure_reason", _("Give the closure reason of a closed case."))
            elif v["closure_reason"] not in CLOSURE_REASONS:
                problems.add(
                    "closure_reason",
                    _("“%(value)s” is not a closure reason: give one of %(codes)s.")
                    % {
                        "value": v[WRITTEN + "closure_reason"][:40],
                        "codes": ", ".join(sorted(CLOSURE_REASONS)),
                    },
                )
            if dates["closed_on"] is None and "closed_on" not in {p[0] for p in problems.items}:
                problems.add("closed_on", _("Give the day a closed case was closed."))
        else:
            for column in ("stage_before_closure", "closure_reason", "closed_on"):
                if v[column]:
                    problems.add(column, _("Only a closed case has this value."))
        returned = journey_stage in RETURNED_ON
        arrived = dates["arrival_date"] or dates["departure_date"]
        if (
            returned
            and arrived is None
            and not known  # blank cells of a case in REMIS keep its stored dates (a merge)
            and not {"arrival_date", "departure_date"} & {p[0] for p in problems.items}
        ):
            problems.add("arrival_date", _("A case that has returned needs its arrival (or departure) date."))
        # A return planned may carry its planned arrival, as the travel form records it (and
        # the export writes it): the list exported came back refused.
        if (
            not returned
            and journey_stage in STAGES
            and journey_stage != Stage.RETURN_PLANNED
            and dates["arrival_date"]
        ):
            problems.add("arrival_date", _("A case that has not returned yet has no arrival date."))
        departed = dates["departure_date"]
        if returned and departed is not None and departed > timezone.localdate():
            problems.add("departure_date", _("A case that has returned did not leave in the future."))
        if return_type == ReturnType.POST_ARRIVAL and journey_stage in STAGES and not returned:
            problems.add("stage", _("A post-arrival case is at the stage Returned or later."))
        self._check_order(problems, dates)
        if (
            return_type != ReturnType.POST_ARRIVAL
            and not known  # a case in REMIS may have it: the travel form takes it with a warning
            and dates["registered_on"] is not None
            and departed is not None
            and departed < dates["registered_on"]
            and "registered_on" not in {p[0] for p in problems.items}
        ):
            # An assisted return is registered, counselled and consented before it leaves:
            # a spreadsheet's entry day put in its place made the journey run backwards.
            problems.add(
                "registered_on",
                _("An assisted return is registered before its departure: the registration day is after it."),
            )
        return stage

    def _check_order(self, problems: Problems, dates: dict[str, dt.date | None]) -> None:
        order = [
            ("departure_date", "arrival_date", _("The arrival date is before the departure date.")),
            ("registered_on", "closed_on", _("The case is closed before it was registered.")),
            ("arrival_date", "closed_on", _("The case is closed before the arrival date.")),
            ("departure_date", "closed_on", _("The case is closed before the departure date.")),
        ]
        for first, then, message in order:
            a, b = dates[first], dates[then]
            if a is not None and b is not None and b < a and then not in {p[0] for p in problems.items}:
                problems.add(then, message)

    # ---- deciding ---------------------------------------------------------------------

    def _stored(self, keys: list[str]) -> dict[str, dict[str, Any]]:
        """The organisation's cases of these external IDs with what an import compares."""
        if not keys:
            return {}
        access = (
            CaseAccess.objects.filter(organisation=self.organisation, external_id__in=keys)
            .exclude(external_id="")  # lets the database use the partial unique index
            .values("id", "external_id", "case_id", "revoked_at")  # an ended access is refused
        )
        return {row["access_external_id"]: row for row in self._compared(access)}

    def _stored_by_reference(self, references: set[str]) -> dict[str, dict[str, Any]]:
        """The organisation's cases of these REMIS references (a list exported from REMIS
        names its cases so, with or without an external ID), keyed by reference."""
        if not references:
            return {}
        access = CaseAccess.objects.filter(
            organisation=self.organisation, revoked_at__isnull=True, case__reference__in=sorted(references)
        ).values("id", "external_id", "case_id")
        return {row["reference"]: row for row in self._compared(access)}

    def _compared(self, access: Any) -> list[dict[str, Any]]:
        by_case = {a["case_id"]: a for a in access}
        # Held by another organisation too: what decides who holds it is not the file's.
        shared = set(
            CaseAccess.objects.filter(case_id__in=by_case, revoked_at__isnull=True)
            .exclude(organisation=self.organisation)
            .values_list("case_id", flat=True)
        )
        rows = Case.objects.filter(pk__in=by_case).values(
            "id", "reference", "registered_at", "programme_id", "category_id", "principal_id",
            *(c for c in CASE_COLUMNS if c not in ("programme", "category")),
            *(f"principal__{c}" for c in PERSON_COLUMNS), "travel__departure_date",
            "stage_changed_at", "principal__erased_at",
        )  # fmt: skip
        return [
            {
                **row,
                "access_id": by_case[row["id"]]["id"],
                "access_external_id": by_case[row["id"]]["external_id"],
                "access_revoked_at": by_case[row["id"]].get("revoked_at"),
                "shared": row["id"] in shared,
            }
            for row in rows
        ]

    def _decide(
        self, row: Row, values: _Values, stored: dict[str, Any] | None, taken: dict[str, int]
    ) -> Checked:
        if stored is None:
            if values.reference and values.reference in taken:
                return Checked(row, Outcome.REFUSED, [("reference", _("Another case has this reference."))])
            return Checked(row, Outcome.CREATE, payload=values)
        if stored["access_revoked_at"] is not None:
            # The organisation's access ended (consent withdrawn, the case taken back): its
            # external ID still names the case, but gives no right to change it, nor to
            # learn by an "unchanged" whether a file still matches it.
            message = _("Your organisation's access to this case has ended: an import cannot change it.")
            return Checked(row, Outcome.REFUSED, [("external_id", message)])
        if values.reference and values.reference != stored["reference"]:
            return Checked(
                row,
                Outcome.REFUSED,
                [
                    (
                        "reference",
                        _("This case's reference is %(reference)s.") % {"reference": stored["reference"]},
                    )
                ],
            )
        before = _stored_values(stored)
        if not values.registered_given:
            values = dataclasses.replace(values, registered_on=before["registered_on"])
        values = self._hidden_category_kept(_blanks_kept(values, before), before)
        changes = diff(before, _row_values(values))
        if values.external_id and not stored["access_external_id"]:
            changes["external_id"] = [None, values.external_id]  # found by reference: now by ID too
        if not changes:
            return Checked(row, Outcome.UNCHANGED)
        if stored["principal__erased_at"] is not None and set(changes) & set(PERSON_COLUMNS):
            # Erased on request or by law: a file from the old database must not bring the
            # person's data back.
            message = _("This case's principal applicant's data was erased: it is not imported again.")
            return Checked(row, Outcome.REFUSED, [("external_id", message)])
        fixed = _fixed_columns(stored, changes)
        if fixed:
            return Checked(row, Outcome.REFUSED, fixed)
        moved = [name for name in JOURNEY_COLUMNS if name in changes]
        if stored["stage"] == Stage.CLOSED and values.case["stage"] == Stage.CLOSED:
            # Closed in REMIS and in the file: its closure's day, reason or stage left are
            # corrected, not a move along the journey (a mistyped closing day could be
            # fixed nowhere: the case page only offers to reopen).
            moved = []
        if moved:
            # The case may have moved on in REMIS since it was imported: a file must not
            # take it back (reopen a closed case, undo a stage) without the journey's steps.
            message = _(
                "The case is at stage %(stage)s in REMIS: an import does not move an existing case "
                "along its journey. Change it on the case page, or give its stage as it is."
            ) % {"stage": Stage(stored["stage"]).label}
            return Checked(row, Outcome.REFUSED, [(moved[0], message)])
        return Checked(
            row, Outcome.UPDATE, payload=_Update(stored["access_id"], stored["id"], values, changes)
        )

    def _hidden_category_kept(self, values: _Values, before: dict[str, Any]) -> _Values:
        """A sensitive category is written, in a file exported by someone not holding its
        group, as the category standing in for it (`policy.category_as_read`). That file
        imported again keeps the stored category: it would have reclassified a victim of
        trafficking as "Other" (a change to that category is made on the case page)."""
        stand_in = self.categories.get(CATEGORY_SHOWN_AS)
        if before["category"] not in self.hidden_category_ids or stand_in is None:
            return values
        if values.case["category"] != stand_in.pk:
            return values
        return dataclasses.replace(values, case={**values.case, "category": before["category"]})

    # ---- writing ----------------------------------------------------------------------

    def write(self, accepted: list[Checked]) -> None:
        new = [c.payload for c in accepted if c.outcome == Outcome.CREATE]
        if new:
            self._create(new)
        for item in accepted:
            if item.outcome == Outcome.UPDATE:
                self._update(item.payload)

    def _create(self, new: list[_Values]) -> None:
        references = _references(new)
        now = timezone.now()
        # Rows built without Django's constructor (lib/bulk.built): a chunk makes six per row.
        persons = [built(Person, uuid=uuid.uuid4(), **v.person) for v in new]
        insert_objects(Person, persons)
        _read_ids(Person, persons)
        cases = []
        for v, person, reference in zip(new, persons, references, strict=True):
            registered = _at(v.registered_on)
            changed = _at(v.closed_on) if v.closed_on else _at(v.case["arrival_date"] or v.registered_on)
            case = built(
                Case,
                uuid=uuid.uuid4(),
                reference=reference,
                principal_id=person.pk,
                programme_id=v.case["programme"],
                category_id=v.case["category"],
                return_type=v.case["return_type"],
                host_country=v.case["host_country"],
                origin_country=v.case["origin_country"],
                stage=v.case["stage"],
                stage_before_closure=v.case["stage_before_closure"],
                closure_reason=v.case["closure_reason"],
                stage_changed_at=max(changed, registered),
                registering_organisation_id=self.organisation.pk,
                registered_at=registered,
                intended_return_date=v.case["intended_return_date"],
                arrival_date=v.case["arrival_date"],
                post_arrival_status=(
                    PostArrivalStatus.CONFIRMED
                    if v.case["return_type"] == ReturnType.POST_ARRIVAL
                    else PostArrivalStatus.NOT_APPLICABLE
                ),
                **search_columns(reference, _spellings(v.person)),
                updated_at=now,
            )
            cases.append(case)
        insert_objects(Case, cases)
        _read_ids(Case, cases)
        insert_objects(
            CaseMember,
            [
                built(CaseMember, case_id=c.pk, person_id=c.principal_id, relation=Relation.PRINCIPAL)
                for c in cases
            ],
        )
        insert_objects(
            CaseAccess,
            [
                built(
                    CaseAccess,
                    case_id=c.pk,
                    organisation_id=self.organisation.pk,
                    reason=AccessReason.REGISTERED,
                    granted_at=now,
                    external_id=v.external_id,
                    registered_at=c.registered_at,
                    stage=c.stage,
                    arrival_date=c.arrival_date,
                    host_country=c.host_country,
                    origin_country=c.origin_country,
                    category_id=c.category_id,
                )
                for c, v in zip(cases, new, strict=True)
            ],
        )
        insert_objects(
            Transition,
            [
                built(
                    Transition,
                    case_id=c.pk,
                    from_stage="",
                    to_stage=c.stage,
                    at=c.stage_changed_at,
                    by_id=self.actor.pk,
                )
                for c in cases
            ],
        )
        travel = [
            built(ReturnTravel, case_id=c.pk, departure_date=v.departure_date, arrival_date=c.arrival_date)
            for c, v in zip(cases, new, strict=True)
            if v.departure_date or c.arrival_date
        ]
        insert_objects(ReturnTravel, travel)
        record_many(
            self.actor,
            "person.import",
            [(p, _new_values(v.person), c.uuid) for p, c, v in zip(persons, cases, new, strict=True)],
        )  # fmt: skip
        record_many(
            self.actor,
            "case.import",
            [
                (c, {"external_id": [None, v.external_id], **_created(v)}, c.uuid)
                for c, v in zip(cases, new, strict=True)
            ],
            organisation_id=self.organisation.pk,
        )
        emit_many([CaseImported(case_id=c.pk, stage=c.stage, arrival_date=c.arrival_date) for c in cases])

    def _update(self, update: _Update) -> None:
        v = update.values
        case = Case.objects.select_for_update(no_key=True).get(pk=update.case_id)
        fields = {
            "programme_id": v.case["programme"],
            "category_id": v.case["category"],
            **{k: v.case[k] for k in CASE_COLUMNS if k not in ("programme", "category")},
        }
        if "registered_on" in update.changes:  # else the moment stored stays, to the minute
            fields["registered_at"] = _at(v.registered_on)
        if "stage" in update.changes or "closed_on" in update.changes:
            fields["stage_changed_at"] = _at(v.closed_on or v.case["arrival_date"] or v.registered_on)
        Case.objects.filter(pk=case.pk).update(**fields, version=F("version") + 1, updated_at=timezone.now())
        if "external_id" in update.changes:
            CaseAccess.objects.filter(pk=update.access_id).update(external_id=v.external_id)
        Person.objects.filter(pk=case.principal_id).update(**v.person, version=F("version") + 1)
        for name in (
            "stage",
            "arrival_date",
            "host_country",
            "origin_country",
            "category_id",
            "registered_at",
        ):
            if name in fields:
                setattr(case, name, fields[name])
        CaseAccess.objects.filter(case_id=case.pk).update(
            **{
                name: getattr(case, name)
                for name in (
                    "registered_at",
                    "stage",
                    "arrival_date",
                    "host_country",
                    "origin_country",
                    "category_id",
                )
            }
        )
        if "stage" in update.changes:
            Transition.objects.create(
                case_id=case.pk, from_stage=update.changes["stage"][0], to_stage=v.case["stage"],
                at=fields["stage_changed_at"], by=self.actor,
            )  # fmt: skip
        elif "closed_on" in update.changes and v.case["stage"] == Stage.CLOSED:
            # A closing day corrected: the journey's closing step moves with it.
            closing = Transition.objects.filter(case_id=case.pk, to_stage=Stage.CLOSED).order_by("-at", "-id")
            Transition.objects.filter(pk__in=closing.values("pk")[:1]).update(at=fields["stage_changed_at"])
        if v.departure_date or v.case["arrival_date"]:
            ReturnTravel.objects.update_or_create(
                case_id=case.pk,
                defaults={"departure_date": v.departure_date, "arrival_date": v.case["arrival_date"]},
            )
        members = CaseMember.objects.filter(case_id=case.pk).select_related("person")
        spellings = _spellings(v.person) + [
            spelling
            for m in members
            if m.person_id != case.principal_id
            for spelling in person_spellings(
                m.person.given_name, m.person.family_name, m.person.alternate_names
            )
        ]
        Case.objects.filter(pk=case.pk).update(**search_columns(case.reference, spellings))
        # A person's values are audited on the person, where they are sealed under its key.
        personal = {k: change for k, change in update.changes.items() if k in PERSON_COLUMNS}
        if personal:
            principal = Person(pk=case.principal_id)
            record_many(self.actor, "person.import_update", [(principal, personal, case.uuid)])
        rest = {k: change for k, change in update.changes.items() if k not in PERSON_COLUMNS}
        if rest:
            record_many(
                self.actor,
                "case.import_update",
                [(case, rest, case.uuid)],
                organisation_id=self.organisation.pk,
            )


# What decides who holds a case and where it is counted: no page or API call changes them,
# and a file may correct them only on a case its organisation alone holds.
HOLDING_COLUMNS = ("programme", "return_type", "host_country", "origin_country", "registered_on")
# Where the returnee's assistance and monitoring take place: fixed once they have returned.
COUNTRY_COLUMNS = ("host_country", "origin_country")


def _fixed_columns(stored: dict[str, Any], changes: dict[str, Any]) -> list[tuple[str | None, str]]:
    """The refusals of an existing case's row that changes what the file may not: a country
    of origin changed by one organisation's file took the case away from the partner that
    held it in that country (its members' scope), and was counted there."""
    problems: list[tuple[str | None, str]] = []
    for name in HOLDING_COLUMNS:
        if name not in changes:
            continue
        if stored["shared"]:
            problems.append(
                (
                    name,
                    _(
                        "Another organisation holds this case too: an import does not change its "
                        "programme, return type, countries or registration day. Give them as REMIS has them."
                    ),
                )
            )
        elif name in COUNTRY_COLUMNS and has_returned(stored["stage"], stored["stage_before_closure"]):
            problems.append(
                (
                    name,
                    _(
                        "The returnee has returned: their assistance and monitoring are in these "
                        "countries, which an import does not change. Give them as REMIS has them."
                    ),
                )
            )
    return problems[:1]  # one message a row: the same reason for each column


def _created(v: _Values) -> dict[str, list[Any]]:
    return _new_values({k: val for k, val in _row_values(v).items() if k not in PERSON_COLUMNS})


def _new_values(values: dict[str, Any]) -> dict[str, list[Any]]:
    """Audit changes of a new record: each value given, as the log stores it."""
    return diff({}, {k: val for k, val in values.items() if val not in (None, "")})


def _row_values(v: _Values) -> dict[str, Any]:
    return {
        **v.case,
        "registered_on": v.registered_on,
        "departure_date": v.departure_date,
        "closed_on": v.closed_on,
        **v.person,
    }


def _blank(value: Any) -> bool:
    return value is None or value == ""


def _blanks_kept(values: _Values, stored: dict[str, Any]) -> _Values:
    """A row for a stored case with its blank cells read as the values stored: a mission's
    old sheet, or a list exported before, must not wipe a phone number or a departure date
    recorded in REMIS since (DHIS2 calls it a merge). A value is cleared on the case page.
    The date of birth and the estimated year are one answer: either given takes both."""
    case = {k: stored[k] if _blank(v) and k in stored else v for k, v in values.case.items()}
    birth = ("date_of_birth", "birth_year_estimated")
    born_given = any(not _blank(values.person.get(k)) for k in birth)
    person = {
        k: stored[k] if _blank(v) and k in stored and not (k in birth and born_given) else v
        for k, v in values.person.items()
    }
    departure = values.departure_date if values.departure_date is not None else stored["departure_date"]
    closed = values.closed_on if values.closed_on is not None else stored["closed_on"]
    return dataclasses.replace(values, case=case, person=person, departure_date=departure, closed_on=closed)


def _stored_values(stored: dict[str, Any]) -> dict[str, Any]:
    tz = timezone.get_current_timezone()
    closed_on = stored["stage_changed_at"].astimezone(tz).date() if stored["stage"] == Stage.CLOSED else None
    return {
        **{c: stored[c] for c in CASE_COLUMNS if c not in ("programme", "category")},
        "programme": stored["programme_id"],
        "category": stored["category_id"],
        "registered_on": stored["registered_at"].astimezone(tz).date(),
        "departure_date": stored["travel__departure_date"],
        "closed_on": closed_on,
        **{c: stored[f"principal__{c}"] for c in PERSON_COLUMNS},
    }


def _at(day: dt.date) -> dt.datetime:
    """A day as the moment it is recorded at: noon, so it stays that day in any time zone
    REMIS shows (UTC−11 to UTC+11)."""
    return dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)


def _spellings(person: dict[str, Any]) -> list[str]:
    return person_spellings(person["given_name"], person["family_name"], person.get("alternate_names") or "")


def person_values(problems: Problems, v: dict[str, str]) -> dict[str, Any] | None:
    """A person's columns checked as the registration form checks them (the cases and
    household members imports); None when a value is refused."""
    year: int | None = None
    if v["birth_year_estimated"]:
        try:
            year = int(v["birth_year_estimated"])
        except ValueError:
            problems.add("birth_year_estimated", _("Enter a year such as 1985."))
    data = PersonData(
        given_name=v["given_name"],
        family_name=v["family_name"],
        # A code in any case ("f"); anything else quoted as written ("Homme" read "HOMME").
        sex=(v["sex"] or Sex.UNKNOWN).upper()
        if (v["sex"] or Sex.UNKNOWN).upper() in Sex.values
        else v["sex"],
        date_of_birth=day_value(
            problems, "date_of_birth", v["date_of_birth"], field_rules.PERSON["date_of_birth"]
        ),
        birth_year_estimated=year,
        nationality=_country(problems, "nationality", v["nationality"], required=False),
        phone=v["phone"],
        email=v["email"],
        address=v["address"],
    )
    before = len(problems.items)
    check_person(problems, data)
    if len(problems.items) != before:
        return None
    fields = data.model_fields()
    return {name: fields[name] for name in PERSON_COLUMNS}


def _references(new: list[_Values]) -> list[str]:
    """The given references, and new ones for the others: GIN-2010-000001 by the country of
    origin and the year of registration, numbered on from each prefix's counter, which is
    taken once for the chunk (its row lock serialises concurrent imports and registrations)."""
    wanted: dict[str, int] = {}
    for v in new:
        if not v.reference:
            prefix = f"{alpha3(v.case['origin_country'])}-{v.registered_on.year}"
            wanted[prefix] = wanted.get(prefix, 0) + 1
    given = {v.reference for v in new if v.reference}
    prefixes = sorted(wanted)
    # Counters missing are created (a concurrent creator's row is kept), then all are read
    # under their row locks, in one order, and moved on together.
    ReferenceCounter.objects.bulk_create(
        [ReferenceCounter(prefix=p) for p in prefixes], batch_size=500, ignore_conflicts=True
    )
    counters = []
    for first in range(0, len(prefixes), 500):
        part = prefixes[first : first + 500]
        counters += list(
            ReferenceCounter.objects.select_for_update().filter(prefix__in=part).order_by("prefix")
        )
    free = _free_references({c.prefix: c.last + 1 for c in counters}, wanted, given)
    for counter in counters:
        counter.last = int(free[counter.prefix][-1].rsplit("-", 1)[1])
    update_column(ReferenceCounter, "last", [(counter.pk, counter.last) for counter in counters])
    handed = {prefix: iter(references) for prefix, references in free.items()}
    references = []
    for v in new:
        if v.reference:
            references.append(v.reference)
            continue
        references.append(next(handed[f"{alpha3(v.case['origin_country'])}-{v.registered_on.year}"]))
    return references


def _free_references(start: dict[str, int], wanted: dict[str, int], given: set[str]) -> dict[str, list[str]]:
    """`wanted` references per prefix, numbered on from `start`, stepping over those taken:
    stored (a reference given by an earlier import may lie ahead of its counter) or given
    in this chunk. One query for the chunk's candidates, and again only on a clash."""
    found: dict[str, list[str]] = {prefix: [] for prefix in wanted}
    start = dict(start)
    while short := {p: wanted[p] - len(found[p]) for p in wanted if len(found[p]) < wanted[p]}:
        candidates = {p: [f"{p}-{n:06d}" for n in range(start[p], start[p] + k)] for p, k in short.items()}
        flat = [reference for references in candidates.values() for reference in references]
        taken = given | set(Case.objects.filter(reference__among=flat).values_list("reference", flat=True))
        for prefix, references in candidates.items():
            found[prefix] += [r for r in references if r not in taken]
            start[prefix] += len(references)
    return found


def _read_ids(model: Any, objs: list[Any]) -> None:
    if all(obj.pk is not None for obj in objs):
        return  # given by the insert (PostgreSQL: lib/bulk.py)
    ids = dict(model.objects.filter(uuid__in=[o.uuid for o in objs]).values_list("uuid", "id"))
    for obj in objs:
        obj.pk = ids[obj.uuid]


def entity() -> Entity:
    return Entity(
        code=ENTITY,
        label=gettext_lazy("Cases"),
        description=gettext_lazy(
            "One row a case with its principal applicant: current or historic, at any stage, "
            "with its own dates."
        ),
        columns=COLUMNS,
        start=CaseImporter,
        may_import=may_import,
        example_values=example_values,
    )


def register() -> None:
    from remis.interop.importing import register_entity

    register_entity(entity())


def _check_child_at(problems: Problems, person: dict[str, Any], day: dt.date) -> None:
    """An unaccompanied or separated child is under 18 on the day the case was registered
    (a historic case: that day, not today), as registration checks it: a row born in 1980
    and registered in 2021 was accepted as one, in the child-protection figures."""
    age = youngest_age(person.get("date_of_birth"), person.get("birth_year_estimated"), day)
    if age is not None and age >= 18:
        problems.add(
            "category",
            _(
                "An unaccompanied or separated child is under 18, and this person was %(age)s when "
                "the case was registered: check the date of birth or the category."
            )
            % {"age": age},
        )
