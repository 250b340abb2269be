"""How an indicator is computed: a fixed set of aggregations over the analytics copy.

A computation is data (stored on the indicator as JSON):

    {"aggregation": "share", "subject": "responses", "field": null,
     "where": [["round", "=", 3]], "numerator": [["band", "=", "sustainable"]]}

* `subject`: what is counted, each row joined to the returnee it is about (persons p of
  the analytics copy, `reports/analytics.py`): returnees, households, reintegration survey
  responses, referrals, follow-up rounds.
* `aggregation`: count of the rows, share of them meeting `numerator`, mean or median of a
  numeric `field`.
* `where` / `numerator`: conditions on the subject's fields, each (field, operator, value),
  all of them to hold.

Every indicator counts the cohort of returnees whose return falls in the period (arrival,
else departure), within the reader's scope, as the return statistics do. Fields, operators
and subjects come from the catalogue below and values are bound as parameters: nothing a
user writes becomes SQL."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from importlib import import_module
from typing import Any

from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from remis.lib.text import group_separator, labelled, list_separator

CATEGORY, NUMBER, YES_NO = "category", "number", "yes_no"


@dataclass(frozen=True)
class Field:
    sql: str
    kind: str
    label: str | Promise
    choices: tuple[str, ...] = ()  # the codes a category field holds (empty: any text)
    # The codes' names in the reader's language, looked up when a computation is described
    # (a score band's name is the instrument's, which is data).
    names: Callable[[], dict[str, str]] | None = None
    # A score: stored in [0, 1], read and written on pages on the 0–100 scale every score is
    # shown on (the case page, the outcomes report), so that 62 here is 62 there.
    score: bool = False


def _choices_of(enum: str) -> Callable[[], dict[str, str]]:
    """The names of an earlier app's choices ("module.Class"), imported when first shown."""

    def names() -> dict[str, str]:
        module, name = enum.rsplit(".", 1)
        return {code: str(label) for code, label in getattr(import_module(module), name).choices}

    return names


def _bands_of(instrument: str) -> Callable[[], dict[str, str]]:
    """The score bands' names of the instrument's version in use."""

    def names() -> dict[str, str]:
        from remis.monitoring.responses import current_instrument, definition_of

        found = current_instrument(instrument)
        if found is None:
            return {}
        language = (get_language() or "en")[:2]
        return {band.code: band.label.get(language) for band in definition_of(found).bands}

    return names


def _yes_no() -> dict[str, str]:
    return {"yes": _("Yes"), "no": _("No")}


_ROUND_STATUSES = ("scheduled", "done", "stopped", "lost")
_REFERRAL_STATUSES = ("sent", "accepted", "declined", "in_progress", "completed", "failed", "cancelled")
_BANDS = ("needs_follow_up", "progressing", "sustainable")
_RETURN_TYPES = ("avr", "post_arrival", "other")
_PERSON_FIELDS = {
    "sex": Field(
        "p.sex", CATEGORY, gettext_lazy("sex"), ("F", "M", "X", "U"), _choices_of("remis.cases.models.Sex")
    ),
    "age": Field("p.age", NUMBER, gettext_lazy("age at arrival")),
    "return_type": Field(
        "p.return_type",
        CATEGORY,
        gettext_lazy("return type"),
        _RETURN_TYPES,
        _choices_of("remis.cases.models.ReturnType"),
    ),
    "assisted": Field("p.assisted", YES_NO, gettext_lazy("received reintegration assistance")),
    "monitored": Field("p.monitored", YES_NO, gettext_lazy("monitored after return")),
}
_CASE_FIELDS = {
    "return_type": _PERSON_FIELDS["return_type"],
    "assisted": _PERSON_FIELDS["assisted"],
    "monitored": _PERSON_FIELDS["monitored"],
    "days_to_approval": Field(
        "(SELECT min(e.approved_on) FROM approvals e WHERE e.case_id = p.case_id) - p.period_day",
        NUMBER,
        gettext_lazy("days from arrival to the plan's approval"),
    ),
    "days_to_payment": Field(
        "(SELECT min(e.paid_on) FROM payments e WHERE e.case_id = p.case_id) - p.period_day",
        NUMBER,
        gettext_lazy("days from arrival to the first payment"),
    ),
}


@dataclass(frozen=True)
class Subject:
    label: str | Promise
    tables: str  # joined to the cohort p
    condition: str  # which of their rows are the subject's
    fields: dict[str, Field] = field(default_factory=dict)


SUBJECTS: dict[str, Subject] = {
    "persons": Subject(gettext_lazy("Returnees (persons)"), "p", "TRUE", _PERSON_FIELDS),
    "cases": Subject(gettext_lazy("Returning households (cases)"), "p", "p.principal", _CASE_FIELDS),
    "responses": Subject(
        gettext_lazy("Reintegration sustainability survey responses"),
        "p JOIN responses s ON s.case_id = p.case_id",
        "p.principal AND s.instrument = 'reintegration-sustainability'",
        {
            "round": Field("s.round", NUMBER, gettext_lazy("follow-up round")),
            "composite": Field("s.composite", NUMBER, gettext_lazy("composite score"), score=True),
            "economic": Field("s.economic", NUMBER, gettext_lazy("economic score"), score=True),
            "social": Field("s.social", NUMBER, gettext_lazy("social score"), score=True),
            "psychosocial": Field("s.psychosocial", NUMBER, gettext_lazy("psychosocial score"), score=True),
            "band": Field(
                "s.band",
                CATEGORY,
                gettext_lazy("score band"),
                _BANDS,
                _bands_of("reintegration-sustainability"),
            ),
            "wish_to_migrate_again": Field(
                "s.migrate_again",
                CATEGORY,
                gettext_lazy("wishes to leave the country again"),
                ("yes", "no"),
                _yes_no,
            ),
        },
    ),
    "satisfaction": Subject(
        gettext_lazy("Satisfaction survey responses about assistance received"),
        "p JOIN responses s ON s.case_id = p.case_id",
        "p.principal AND s.instrument = 'assistance-satisfaction'",
        {
            "score": Field("s.composite", NUMBER, gettext_lazy("satisfaction score"), score=True),
            "band": Field(
                "s.band",
                CATEGORY,
                gettext_lazy("satisfaction band"),
                ("dissatisfied", "partly_satisfied", "satisfied"),
                _bands_of("assistance-satisfaction"),
            ),
        },
    ),
    "referrals": Subject(
        gettext_lazy("Referrals to service providers"),
        "p JOIN referrals s ON s.case_id = p.case_id",
        "p.principal",
        {
            "status": Field(
                "s.status",
                CATEGORY,
                gettext_lazy("referral status"),
                _REFERRAL_STATUSES,
                _choices_of("remis.referrals.models.Status"),
            )
        },
    ),
    "rounds": Subject(
        gettext_lazy("Follow-up rounds"),
        "p JOIN rounds s ON s.case_id = p.case_id",
        "p.principal",
        {
            "round": Field("s.round", NUMBER, gettext_lazy("follow-up round")),
            "status": Field(
                "s.status",
                CATEGORY,
                gettext_lazy("round status"),
                _ROUND_STATUSES,
                _choices_of("remis.monitoring.models.FollowUpStatus"),
            ),
        },
    ),
}
AGGREGATIONS = {
    "count": gettext_lazy("Number of rows"),
    "share": gettext_lazy("Share meeting a condition"),
    "mean": gettext_lazy("Mean"),
    "median": gettext_lazy("Median"),
}
OPERATORS = ("=", "!=", "<", "<=", ">", ">=", "in", "not in")
_SQL_OPERATORS = {"=": "=", "!=": "<>", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
# The breakdowns an indicator's results can be disaggregated by: one value per returnee.
DISAGGREGATIONS = (
    "sex",
    "age_group",
    "origin",
    "host",
    "origin_region",
    "host_region",
    "programme",
    "category",
    "return_type",
)
_YES = {"yes", "true", "1", "oui", "نعم"}
_NO = {"no", "false", "0", "non", "لا"}
_LINE = re.compile(r"^\s*([a-z_]+)\s*(not in|in|!=|<=|>=|=|<|>)\s*(.*?)\s*$", re.IGNORECASE)

Condition = tuple[str, str, Any]


SHARE, COUNT, POINTS, PLAIN = "share", "count", "points", "number"


def scale_of(computation: Any) -> str:
    """How an indicator's values (results, baseline, targets) are written and read: a share
    as a percentage, a count whole, a score's mean or median in points (0–100, stored as
    the score's fraction), any other number as it is. `computation`: a Spec or its JSON."""
    if isinstance(computation, Spec):
        aggregation, subject, measured = computation.aggregation, computation.subject, computation.field
    else:
        data = computation if isinstance(computation, dict) else {}
        aggregation, subject, measured = (str(data.get(k) or "") for k in ("aggregation", "subject", "field"))
    if aggregation in (SHARE, COUNT):
        return aggregation
    found = SUBJECTS[subject].fields.get(measured or "") if subject in SUBJECTS else None
    return POINTS if found is not None and found.score else PLAIN


@dataclass(frozen=True)
class Spec:
    aggregation: str
    subject: str
    field: str | None
    where: tuple[Condition, ...]
    numerator: tuple[Condition, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "aggregation": self.aggregation,
            "subject": self.subject,
            "field": self.field,
            "where": [list(c) for c in self.where],
            "numerator": [list(c) for c in self.numerator],
        }


class SpecError(ValueError):
    """A computation that cannot run: `errors` as (field name, message)."""

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        super().__init__(errors[0][1])
        self.errors = errors


def _value(found: Field, raw: Any, where: str, errors: list[tuple[str, str]]) -> Any:
    text = str(raw).strip()
    if found.kind == NUMBER:
        try:
            number = (
                Decimal(text.replace(",", ".")) if not isinstance(raw, int | float) else Decimal(str(raw))
            )
        except InvalidOperation:
            errors.append((where, _("“%(value)s” is not a number.") % {"value": text}))
            return None
        if not number.is_finite():
            errors.append((where, _("“%(value)s” is not a number.") % {"value": text}))
            return None
        return int(number) if number == number.to_integral_value() else float(number)
    if found.kind == YES_NO:
        if raw is True or text.lower() in _YES:
            return True
        if raw is False or text.lower() in _NO:
            return False
        errors.append((where, _("Write yes or no.")))
        return None
    if found.choices and text not in found.choices:
        errors.append(
            (
                where,
                _("“%(value)s” is not one of %(choices)s.")
                % {"value": text, "choices": ", ".join(found.choices)},
            )
        )
        return None
    if not text:
        errors.append((where, _("Give a value.")))
        return None
    return text


def _condition(
    subject: Subject, name: str, operator: str, raw: Any, where: str, errors: list[tuple[str, str]]
) -> Condition | None:
    found = subject.fields.get(name)
    if found is None:
        errors.append(
            (
                where,
                _("“%(name)s” is not a field of this subject; choose from %(fields)s.")
                % {"name": name, "fields": ", ".join(subject.fields)},
            )
        )
        return None
    operator = operator.lower()
    if operator not in OPERATORS:
        errors.append((where, _("Use one of the operators %(ops)s.") % {"ops": " ".join(OPERATORS)}))
        return None
    if found.kind != NUMBER and operator in ("<", "<=", ">", ">="):
        errors.append((where, _("“%(name)s” is not a number: compare it with = or in.") % {"name": name}))
        return None
    if operator in ("in", "not in"):
        items = raw if isinstance(raw, list) else [part for part in str(raw).split(",") if part.strip()]
        if not items:
            errors.append((where, _("List at least one value after “%(op)s”.") % {"op": operator}))
            return None
        values = [_value(found, item, where, errors) for item in items]
        return None if any(v is None for v in values) else (name, operator, values)
    value = _value(found, raw, where, errors)
    return None if value is None else (name, operator, value)


def parse_conditions(subject_code: str, text: str, where: str) -> list[Condition]:
    """Conditions written one per line, "field operator value" (values of `in` separated by
    commas): `round = 3`, `band in progressing, sustainable`, `assisted = yes`."""
    subject = SUBJECTS.get(subject_code)
    errors: list[tuple[str, str]] = []
    out: list[Condition] = []
    for number, line in enumerate(str(text or "").splitlines(), start=1):
        if not line.strip():
            continue
        match = _LINE.match(line)
        if match is None or subject is None:
            errors.append(
                (
                    where,
                    _("Line %(n)s: write “field operator value”, for example “round = 3”.") % {"n": number},
                )
            )
            continue
        line_errors: list[tuple[str, str]] = []
        found = _condition(subject, match[1].lower(), match[2], match[3], where, line_errors)
        errors += [(w, _("Line %(n)s: %(message)s") % {"n": number, "message": m}) for w, m in line_errors]
        if found is not None:
            name, operator, value = found
            if subject.fields[name].score:  # typed in points, as pages show scores
                value = [from_points(v) for v in value] if isinstance(value, list) else from_points(value)
            out.append((name, operator, value))
    if errors:
        raise SpecError(errors)
    return out


def conditions_text(subject_code: str, conditions: list[Any]) -> str:
    """Conditions as the form writes them (the inverse of `parse_conditions`): a score in
    points."""
    fields = SUBJECTS[subject_code].fields if subject_code in SUBJECTS else {}
    lines = []
    for name, operator, value in conditions:
        score = name in fields and fields[name].score
        values = value if isinstance(value, list) else [value]
        lines.append(f"{name} {operator} {', '.join(_plain(v, score) for v in values)}")
    return "\n".join(lines)


def _plain(value: Any, score: bool = False) -> str:
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if score and isinstance(value, int | float):
        return _number(to_points(value))
    return str(value)


def to_points(value: float | Decimal) -> Decimal:
    """A stored score (a fraction) on the 0–100 scale pages use."""
    return (Decimal(str(value)) * 100).quantize(Decimal("0.01")).normalize()


def from_points(value: Any) -> Any:
    """A score typed on the 0–100 scale as stored (its fraction)."""
    return float(Decimal(str(value)) / 100)


def _number(value: Decimal) -> str:
    return f"{value:f}"


def parse_spec(data: Any) -> Spec:
    """A stored or submitted computation checked against the catalogue (SpecError names
    each part at fault: aggregation, subject, field, where, numerator)."""
    errors: list[tuple[str, str]] = []
    data = data if isinstance(data, dict) else {}
    aggregation = str(data.get("aggregation") or "")
    subject_code = str(data.get("subject") or "")
    if aggregation not in AGGREGATIONS:
        errors.append(("aggregation", _("Choose one of the aggregations.")))
    subject = SUBJECTS.get(subject_code)
    if subject is None:
        errors.append(("subject", _("Choose what is counted.")))
        raise SpecError(errors)
    measured = data.get("field") or None
    if aggregation in ("mean", "median"):
        found = subject.fields.get(str(measured or ""))
        if found is None or found.kind != NUMBER:
            numbers = ", ".join(name for name, f in subject.fields.items() if f.kind == NUMBER)
            errors.append(
                (
                    "field",
                    _("A mean or median needs a number field of this subject: %(fields)s.")
                    % {"fields": numbers or "—"},
                )
            )
    else:
        measured = None
    parts: dict[str, list[Condition]] = {"where": [], "numerator": []}
    for part in parts:
        raw = data.get(part) or []
        if isinstance(raw, str):  # as a form writes them, one per line
            try:
                parts[part] = parse_conditions(subject_code, raw, part)
            except SpecError as error:
                errors += error.errors
            continue
        for index, item in enumerate(raw):
            if not isinstance(item, list | tuple) or len(item) != 3:
                errors.append(
                    (part, _("Condition %(n)s: give a field, an operator and a value.") % {"n": index + 1})
                )
                continue
            found_condition = _condition(subject, str(item[0]), str(item[1]), item[2], part, errors)
            if found_condition is not None:
                parts[part].append(found_condition)
    if aggregation == "share" and not parts["numerator"]:
        errors.append(("numerator", _("A share needs the condition its rows meet.")))
    if aggregation != "share" and parts["numerator"]:
        errors.append(("numerator", _("Only a share has a numerator condition.")))
    if errors:
        raise SpecError(errors)
    return Spec(aggregation, subject_code, measured, tuple(parts["where"]), tuple(parts["numerator"]))


def _sql_conditions(subject: Subject, conditions: tuple[Condition, ...]) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    for name, operator, value in conditions:
        column = subject.fields[name].sql
        if operator in ("in", "not in"):
            marks = ", ".join("?" * len(value))
            clauses.append(f"({column}) {'NOT IN' if operator == 'not in' else 'IN'} ({marks})")
            params += list(value)
        else:
            clauses.append(f"({column}) {_SQL_OPERATORS[operator]} ?")
            params.append(value)
    return (" AND ".join(clauses) or "TRUE"), params


def compile_sql(spec: Spec, keys: list[str], joins: str = "") -> tuple[str, list[Any]]:
    """The SELECT over the cohort p (a CTE the caller writes before it) giving, per group of
    `keys` (SQL expressions), the keys then the value and `n`, the rows the value rests on
    (for a share, the value is the rows meeting the numerator: the share is value / n).
    `joins`: tables the keys read (regions)."""
    subject = SUBJECTS[spec.subject]
    where, params = _sql_conditions(subject, spec.where)
    if spec.aggregation == "share":
        numerator, more = _sql_conditions(subject, spec.numerator)
        # The rows meeting the numerator, not the share: the caller divides, and keeps the
        # count for small-cell suppression (a share beside its rows gives it away).
        value = f"count(*) FILTER (WHERE {numerator})"
        params = more + params  # the numerator's marks come first in the statement
        count = "count(*)"
    elif spec.aggregation in ("mean", "median"):
        assert spec.field is not None
        column = subject.fields[spec.field].sql
        value = f"{'avg' if spec.aggregation == 'mean' else 'median'}({column})"
        count = f"count({column})"
    else:
        value = count = "count(*)"
    selected = [f"{key} AS k{i}" for i, key in enumerate(keys)]
    sql = (
        f"SELECT {', '.join([*selected, f'{value} AS value', f'{count} AS n'])} "  # noqa: S608  (catalogue only)
        f"FROM {subject.tables} {joins} WHERE {subject.condition} AND {where}"
    )
    if keys:
        sql += " GROUP BY " + ", ".join(str(i + 1) for i in range(len(keys)))
    return sql, params


def describe(spec: Spec) -> str:
    """The computation in words, for the framework page."""
    subject = SUBJECTS[spec.subject]
    parts = [f"{AGGREGATIONS[spec.aggregation]} · {subject.label}"]
    if spec.field:
        parts.append(str(subject.fields[spec.field].label))
    if spec.where:
        parts.append(_("where %(c)s") % {"c": _in_words(subject, spec.where)})
    if spec.numerator:
        parts.append(_("meeting %(c)s") % {"c": _in_words(subject, spec.numerator)})
    return " · ".join(parts)


_SYMBOLS = {"=": "=", "!=": "≠", "<": "<", "<=": "≤", ">": ">", ">=": "≥"}


def _in_words(subject: Subject, conditions: tuple[Condition, ...]) -> str:
    """Conditions as a reader reads them: the fields' names, the codes' names in the
    reader's language and numbers in its notation ("score band: Sustainable", "follow-up
    round = 3"), not the codes the form is written in."""
    return group_separator().join(_condition_words(subject.fields[c[0]], *c[1:]) for c in conditions)


def _condition_words(found: Field, operator: str, value: Any) -> str:
    names = found.names() if found.names else {}

    def shown(one: Any) -> str:
        if isinstance(one, bool):
            return str(_("Yes") if one else _("No"))
        if isinstance(one, int | float):
            return number_format(to_points(one) if found.score else one, use_l10n=True)
        return names.get(str(one)) or str(one)

    if operator in ("in", "not in"):
        values = list_separator().join(shown(v) for v in value)
        if operator == "in":
            return _("%(field)s: one of %(values)s") % {"field": found.label, "values": values}
        return _("%(field)s: none of %(values)s") % {"field": found.label, "values": values}
    if found.kind == NUMBER:
        return f"{found.label} {_SYMBOLS[operator]} {shown(value)}"
    if operator == "!=":
        return _("%(field)s: not %(value)s") % {"field": found.label, "value": shown(value)}
    return labelled(found.label, shown(value))
