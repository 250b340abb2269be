"""Answers against their instrument: validation (each error names its question), the flags
the answers propose, and the needs each dimension's answers show. Pure functions over the
instrument's rows, shared by the actions, the pages and the API."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from remis.assessments.models import Dimension, FlagRule, Instrument, Question, QuestionType
from remis.cases.policy import Groups, shows
from remis.lib.fields import Dates, Text
from remis.lib.text import list_separator

TEXT = Text(max_length=2000, multiline=True)
DATES = Dates(years_after=0)
Answers = dict[str, Any]


@dataclass
class Form:
    """An instrument's questions with their choices, read once."""

    instrument: Instrument
    questions: list[Question]
    choices: dict[str, list[Any]]  # question code -> its Choice rows
    rules: list[FlagRule]

    @classmethod
    def of(cls, instrument: Instrument) -> Form:
        questions = list(instrument.questions.prefetch_related("choices"))
        rules = list(instrument.rules.select_related("question", "vulnerability"))
        return cls(instrument, questions, {q.code: list(q.choices.all()) for q in questions}, rules)

    def question(self, code: str) -> Question | None:
        return next((q for q in self.questions if q.code == code), None)


def _field(question: Question) -> str:
    return f"answers.{question.code}"


def _blank(value: Any) -> bool:
    return value is None or value == "" or value == [] or (isinstance(value, str) and not value.strip())


def _clean(question: Question, codes: list[str], value: Any) -> tuple[Any, str | None]:
    """The stored form of `value` for `question`, or the reason it is refused."""
    kind = question.kind
    if kind == QuestionType.YES_NO and isinstance(value, bool):
        value = "yes" if value else "no"
    if kind in (QuestionType.SELECT_ONE, QuestionType.YES_NO):
        if not isinstance(value, str) or value not in codes:
            return None, _("choose one of the listed answers.")
        return value, None
    if kind == QuestionType.SELECT_MULTIPLE:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list | tuple) or any(
            not isinstance(v, str) or v not in codes for v in value
        ):
            return None, _("choose among the listed answers.")
        return sorted(set(value), key=codes.index), None
    if kind in (QuestionType.INTEGER, QuestionType.DECIMAL):
        return _number(question, value)
    if kind == QuestionType.DATE:
        try:
            day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
        except ValueError:
            return None, _("enter a date as YYYY-MM-DD.")
        problem = DATES.problem(day, timezone.localdate())
        return (None, problem) if problem else (day.isoformat(), None)
    if not isinstance(value, str):
        return None, _("enter text.")
    problem = TEXT.problem(value, timezone.localdate())
    return (None, problem) if problem else (value.strip(), None)


def _number(question: Question, value: Any) -> tuple[Any, str | None]:
    if isinstance(value, bool):
        return None, _("enter a number.")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None, _("enter a number.")
    if not number.is_finite():
        return None, _("enter a number.")
    if question.kind == QuestionType.INTEGER and number != number.to_integral_value():
        return None, _("enter a whole number.")
    if question.min_value is not None and number < question.min_value:
        return None, _("enter at least %(min)s.") % {"min": _plain(question.min_value)}
    if question.max_value is not None and number > question.max_value:
        return None, _("enter at most %(max)s.") % {"max": _plain(question.max_value)}
    if question.kind == QuestionType.INTEGER:
        return int(number), None
    if abs(number) >= Decimal("1e12") or -number.as_tuple().exponent > 2:  # type: ignore[operator]
        return None, _("enter a number with at most two decimals.")
    return str(number), None


def _plain(number: Decimal) -> str:
    return str(int(number)) if number == number.to_integral_value() else str(number)


def validate(
    form: Form, answers: Mapping[str, Any], groups: Groups, *, complete: bool
) -> tuple[Answers, list[tuple[str | None, str]]]:
    """The answers as stored, and every problem (field `answers.<code>`, a message naming
    the question). Unanswered questions are left out. Completing needs every required
    question the actor may read answered: one in a sensitive group they do not hold is
    neither shown to them nor theirs to answer."""
    cleaned: Answers = {}
    problems: list[tuple[str | None, str]] = []
    known = {q.code for q in form.questions}
    for code in answers:
        if code not in known:
            problems.append(
                (f"answers.{code}", _("“%(code)s” is not a question of this instrument.") % {"code": code})
            )
    for question in form.questions:
        value = answers.get(question.code)
        if _blank(value):
            if complete and question.required and shows(groups, question.sensitive_group):
                problems.append(
                    (_field(question), _("“%(question)s”: an answer is required.") % _q(question))
                )
            continue
        if not shows(groups, question.sensitive_group):
            problems.append(
                (_field(question), _("“%(question)s”: you cannot answer this question.") % _q(question))
            )
            continue
        codes = [c.code for c in form.choices[question.code]]
        stored, problem = _clean(question, codes, value)
        if problem:
            problems.append(
                (
                    _field(question),
                    _("“%(question)s”: %(problem)s") % {"question": question.text, "problem": problem},
                )
            )
        else:
            cleaned[question.code] = stored
    return cleaned, problems


def _q(question: Question) -> dict[str, str]:
    return {"question": question.text}


def proposed_flags(form: Form, answers: Mapping[str, Any]) -> list[Any]:
    """The vulnerabilities the answers propose, each once, in rule order."""
    found: dict[int, Any] = {}
    for rule in form.rules:
        value = answers.get(rule.question.code)
        if value is None:
            continue
        chosen = set(value) if isinstance(value, list) else {str(value)}
        matched = bool(chosen & set(rule.any_of))
        if rule.at_least is not None and not isinstance(value, list):
            try:
                matched = matched or Decimal(str(value)) >= rule.at_least
            except InvalidOperation:
                pass
        if matched:
            found.setdefault(rule.vulnerability.pk, rule.vulnerability)
    return list(found.values())


@dataclass
class ShownAnswer:
    question: Question
    text: str  # the answer in the reader's language, "" when unanswered
    restricted: bool = False
    need: bool = False


@dataclass
class DimensionSummary:
    code: str
    label: str
    answered: int = 0
    asked: int = 0
    needs: list[str] = field(default_factory=list)  # the questions whose answers show a need
    restricted_needs: int = 0  # needs in answers the reader may not read
    answers: list[ShownAnswer] = field(default_factory=list)


def shown_answers(
    form: Form, answers: Mapping[str, Any], groups: Groups, days: str = "SHORT_DATE_FORMAT"
) -> list[DimensionSummary]:
    """Each dimension's answers as the reader may read them, and its needs: answers
    outside the reader's groups read "Restricted" and their needs are only counted. `days`:
    the format of a date answer (`lib.dates.day_format`: an anonymised case's read as months)."""
    summaries = {d.value: DimensionSummary(d.value, str(d.label)) for d in Dimension}
    for question in form.questions:
        summary = summaries[question.dimension]
        summary.asked += 1
        value = answers.get(question.code)
        choices = {c.code: c for c in form.choices[question.code]}
        values = value if isinstance(value, list) else ([] if value is None else [value])
        need = any(getattr(choices.get(str(v)), "need", False) for v in values)
        readable = shows(groups, question.sensitive_group)
        if value is not None:
            summary.answered += 1
            if need and readable:
                summary.needs.append(question.text)
            elif need:
                summary.restricted_needs += 1
        text = ""
        if readable and value is not None:
            text = list_separator().join(_shown(question, choices, v, days) for v in values)
        summary.answers.append(ShownAnswer(question, text, restricted=not readable, need=need and readable))
    return list(summaries.values())


def _shown(question: Question, choices: Mapping[str, Any], value: Any, days: str) -> str:
    """A choice by its text; a number as the reader writes numbers (1 500 000,50, where
    Arabic read 1500000); a date as the reader writes dates (2026-08-01 was shown as stored
    among localised dates)."""
    if str(value) in choices:
        return str(choices[str(value)].text)
    if question.kind == QuestionType.DATE:
        from django.template.defaultfilters import date as date_filter

        try:
            day = dt.date.fromisoformat(str(value))
        except ValueError:
            return str(value)
        return str(date_filter(day, days))
    if question.kind in (QuestionType.INTEGER, QuestionType.DECIMAL) and not isinstance(value, bool):
        from django.utils.formats import number_format

        try:
            number = Decimal(str(value))
        except InvalidOperation:
            return str(value)
        places = max(0, -int(number.as_tuple().exponent)) if number.is_finite() else None
        return number_format(number, places, force_grouping=True)
    return str(value)


def answer_texts(form: Form, answers: Mapping[str, Any], groups: Groups) -> Iterable[tuple[str, Any]]:
    """(question code, stored value or None when restricted) for the API."""
    for question in form.questions:
        if question.code in answers:
            yield question.code, answers[question.code] if shows(groups, question.sensitive_group) else None
