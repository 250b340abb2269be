"""Checking answers against an instrument and scoring them (the rules: docs/scoring.md).

Answers are a mapping from question name to what the respondent gave: text, a list of choice
names (or one space-separated text, as XLSForm exports write them), a number (or its text),
a date (or `YYYY-MM-DD`), or None / '' / [] for unanswered.

Relevance follows ODK: conditions are evaluated in form order, and a question that does not
apply reads as unanswered to every later condition and to scoring, whatever was stored for it.
`validate_answers` reports such a stored answer as a problem (ODK never submits one, so it
means the data was edited or belongs to another version); `score` ignores it;
`drop_irrelevant` removes it (for a web form after the user changed an earlier answer).

`score` never raises on bad answers: a value it cannot read leaves its indicator unanswered.
Validate before saving.
"""

from __future__ import annotations

import bisect
import functools
import math
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from django.utils.translation import gettext as _

from remis.lib.digits import latin_number_text
from remis.monitoring.instruments.definition import (
    NUMBER_TYPES,
    Banded,
    ChoiceValues,
    InstrumentDefinition,
    Linear,
    MultipleRule,
    Question,
    QuestionType,
    SelectedChoices,
)
from remis.monitoring.instruments.relevance import (
    Answer,
    Answers,
    Condition,
    compile_condition,
    parse,
    referenced_names,
)

DECIMALS = 4  # every score is rounded to 4 decimals, each level from the rounded level below

# ASCII digits only, as XForms write numbers (\d would also take Arabic-Indic digits).
_INTEGER = re.compile(r"-?[0-9]+")
_DECIMAL = re.compile(r"-?([0-9]+(\.[0-9]*)?|\.[0-9]+)")


class Scores(NamedTuple):
    """One response's scores. None means unanswered (an indicator), no answered indicator
    (a dimension), or some dimension without a score (the composite and its band)."""

    indicators: dict[str, float | None]
    dimensions: dict[str, float | None]
    composite: float | None
    band: str | None

    @property
    def missing_indicators(self) -> tuple[str, ...]:
        return tuple(code for code, value in self.indicators.items() if value is None)


Problems = list[tuple[str, str]]
_Mapper = Callable[[Answer], float | None]


def _empty(value: Answer) -> bool:
    return value is None or value == "" or (isinstance(value, list | tuple) and not value)


class Scorer:
    """An instrument compiled once for scoring many responses: the relevance conditions that
    scoring depends on, a lookup table or mapping function per indicator, weights as floats
    in tuples. Call it with a response's answers; it keeps no state between calls."""

    def __init__(self, definition: InstrumentDefinition) -> None:
        self.definition = definition
        self._names = frozenset(question.name for question in definition.questions)
        # Each question's offered choices, looked up once: checking an answer against its
        # list by scanning the lists per answer was a tenth of an import's time.
        self._offered = {question.name: definition.choices_of(question) for question in definition.questions}
        self._all_conditions = tuple(
            (question.name, compile_condition(parse(question.relevant)))
            for question in definition.questions
            if question.relevant
        )
        needed = _needed_for_scoring(definition)
        self._conditions = tuple((name, c) for name, c in self._all_conditions if name in needed)
        self._dimension_weight_total = sum(float(dimension.weight) for dimension in definition.dimensions)
        # Indicators grouped by dimension, then split: those with a table (select_one: the
        # answer looked up directly, the commonest case, no function call) and those with a
        # mapping function. Values come out of both already rounded.
        self._groups = tuple(
            (
                dimension.code,
                float(dimension.weight),
                tuple(
                    (
                        indicator.code,
                        indicator.question,
                        _table(indicator.mapping) or {},
                        float(indicator.weight),
                    )
                    for indicator in definition.indicators
                    if indicator.dimension == dimension.code and isinstance(indicator.mapping, ChoiceValues)
                ),
                tuple(
                    (indicator.code, indicator.question, _mapper(indicator.mapping), float(indicator.weight))
                    for indicator in definition.indicators
                    if indicator.dimension == dimension.code
                    and not isinstance(indicator.mapping, ChoiceValues)
                ),
            )
            for dimension in definition.dimensions
        )
        # Filled by copying, so that every response lists its indicators in definition order.
        self._blank_indicators: dict[str, float | None] = dict.fromkeys(i.code for i in definition.indicators)
        self._bands = tuple((float(band.lower), band.code) for band in definition.bands)

    def applicable(
        self, answers: Answers, conditions: tuple[tuple[str, Condition], ...] | None = None
    ) -> Answers:
        """The answers as later conditions see them: those of questions that do not apply
        replaced by None. The same mapping when nothing needed clearing (the usual case)."""
        view = answers
        for name, condition in self._all_conditions if conditions is None else conditions:
            if not condition(view) and not _empty(view.get(name)):
                if view is answers:
                    view = dict(answers)
                view[name] = None  # type: ignore[index]  # our own copy
        return view

    def __call__(self, answers: Answers) -> Scores:
        view = self.applicable(answers, self._conditions) if self._conditions else answers
        get = view.get
        indicators = self._blank_indicators.copy()
        dimensions: dict[str, float | None] = {}
        composite_sum = 0.0
        complete = True
        for dimension, dimension_weight, tables, mappers in self._groups:
            weighted = total = 0.0
            for code, question, table, weight in tables:
                try:
                    value = table.get(get(question))  # type: ignore[call-overload]  # a list: TypeError
                except TypeError:
                    continue
                if value is not None:
                    weighted += weight * value
                    total += weight
                    indicators[code] = value
            for code, question, mapper, weight in mappers:
                raw = get(question)
                if raw is None:
                    continue
                value = mapper(raw)
                if value is not None:
                    weighted += weight * value
                    total += weight
                    indicators[code] = value
            if total:
                score = round(weighted / total, DECIMALS)
                composite_sum += dimension_weight * score
                dimensions[dimension] = score
            else:
                dimensions[dimension] = None
                complete = False
        if not complete:
            return Scores(indicators, dimensions, None, None)
        composite = round(composite_sum / self._dimension_weight_total, DECIMALS)
        band = self._bands[0][1]
        for lower, code in self._bands:
            if composite >= lower:
                band = code
        return Scores(indicators, dimensions, composite, band)

    def validate(self, answers: Answers) -> Problems:
        problems: Problems = []
        names = self._names
        for name in answers:
            if name not in names:
                problems.append((name, _("Not a question of this instrument.")))
        view = answers
        conditions = dict(self._all_conditions)
        unreadable = False  # an earlier answer refused: what applies after it is not known
        for question in self.definition.questions:
            value = answers.get(question.name)
            condition = conditions.get(question.name)
            if condition is not None and not condition(view):
                # After an unreadable answer ("٢" children), a right answer to a question
                # that then applies was said not to apply: only the first problem is told.
                if not _empty(value):
                    if not unreadable:
                        problems.append(
                            (
                                question.name,
                                _("Answered, but the question does not apply given the earlier answers."),
                            )
                        )
                    if view is answers:
                        view = dict(answers)
                    view[question.name] = None  # type: ignore[index]  # our own copy
                continue
            if _empty(value):
                if question.required:
                    problems.append((question.name, _("This question is required.")))
                continue
            message = _answer_problem(self._offered[question.name], question, value)
            if message:
                problems.append((question.name, message))
                unreadable = True
        return problems


def _needed_for_scoring(definition: InstrumentDefinition) -> set[str]:
    """The scored questions and every question their relevance depends on, transitively."""
    relevant = {question.name: question.relevant for question in definition.questions}
    needed: set[str] = set()
    pending = [indicator.question for indicator in definition.indicators]
    while pending:
        name = pending.pop()
        if name in needed:
            continue
        needed.add(name)
        if relevant.get(name):
            pending.extend(referenced_names(parse(relevant[name])))
    return needed


def _table(mapping: ChoiceValues | SelectedChoices | Linear | Banded) -> dict[str, float] | None:
    if isinstance(mapping, ChoiceValues):
        return {name: round(float(value), DECIMALS) for name, value in mapping.values}
    return None


def _mapper(mapping: ChoiceValues | SelectedChoices | Linear | Banded) -> _Mapper:
    """The answer-to-value function of a mapping, its result rounded to DECIMALS."""
    if isinstance(mapping, ChoiceValues):
        table = _table(mapping) or {}
        return lambda raw: table.get(raw) if isinstance(raw, str) else None
    if isinstance(mapping, SelectedChoices):
        return _selected_mapper(mapping)
    if isinstance(mapping, Linear):
        zero, span = float(mapping.zero_at), float(mapping.one_at - mapping.zero_at)

        def linear(raw: Answer) -> float | None:
            number = _number(raw)
            return None if number is None else round(min(1.0, max(0.0, (number - zero) / span)), DECIMALS)

        return linear
    lowers = [float(band.lower) for band in mapping.bands]
    values = [round(float(band.value), DECIMALS) for band in mapping.bands]

    def banded(raw: Answer) -> float | None:
        number = _number(raw)
        if number is None:
            return None
        index = bisect.bisect_right(lowers, number) - 1
        return values[index] if index >= 0 else None

    return banded


def _selected_mapper(mapping: SelectedChoices) -> _Mapper:
    counted = frozenset(mapping.choices)
    total = float(len(counted))
    share = mapping.rule == MultipleRule.SHARE
    invert = mapping.invert

    def selected(raw: Answer) -> float | None:
        chosen: Sequence[str]
        if isinstance(raw, str):
            chosen = raw.split()
        elif isinstance(raw, list | tuple):
            chosen = raw
        else:
            return None
        if not chosen:
            return None
        hits = counted.intersection(chosen)
        value = len(hits) / total if share else (1.0 if hits else 0.0)
        return round(1.0 - value if invert else value, DECIMALS)

    return selected


def _number(raw: Answer) -> float | None:
    if raw.__class__ is int:  # the usual case first: stored answers hold plain numbers
        return float(raw)  # type: ignore[arg-type]  # checked just above
    if isinstance(raw, bool) or (isinstance(raw, Decimal) and not raw.is_finite()):
        return None  # a signalling NaN would even refuse float()
    if isinstance(raw, int | float | Decimal):
        number = float(raw)
    elif isinstance(raw, str) and _DECIMAL.fullmatch(raw.strip()):
        number = float(raw)
    else:
        return None
    return number if math.isfinite(number) else None


def _answer_problem(offered: tuple[str, ...], question: Question, value: Answer) -> str | None:
    """What is wrong with an answer given to a question that applies (offered: the choice
    names of a select question), or None."""
    kind = question.type
    if kind == QuestionType.SELECT_ONE:
        if not isinstance(value, str):
            return _("Choose one answer.")
        if value not in offered:
            return _("“%(value)s” is not one of the choices.") % {"value": value}
        return None
    if kind == QuestionType.SELECT_MULTIPLE:
        return _selection_problem(offered, value)
    if kind in NUMBER_TYPES:
        return _number_problem(question, value)
    if kind == QuestionType.DATE:
        if isinstance(value, date):
            return None
        if isinstance(value, str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
            try:
                date.fromisoformat(value)
                return None
            except ValueError:
                pass
        return _("Enter a date as YYYY-MM-DD.")
    if not isinstance(value, str):
        return _("Enter text.")
    return None


# A select-multiple question's choice named "none" ("None of these") excludes the others:
# ticked with one of them, the answer contradicts itself (and its score would count both).
NONE_CHOICE = "none"


def _selection_problem(offered: tuple[str, ...], value: Answer) -> str | None:
    if isinstance(value, str):
        chosen: list[str] = value.split()
    elif isinstance(value, list | tuple) and all(isinstance(item, str) for item in value):
        chosen = list(value)
    else:
        return _("Choose from the list.")
    for name in chosen:
        if name not in offered:
            return _("“%(value)s” is not one of the choices.") % {"value": name}
    if len(set(chosen)) != len(chosen):
        return _("A choice is given twice.")
    if NONE_CHOICE in chosen and len(chosen) > 1:
        return _("“None” cannot be chosen together with other answers.")
    return None


def _number_problem(question: Question, value: Answer) -> str | None:
    integer = question.type == QuestionType.INTEGER
    number: Decimal | None = None
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int) or (isinstance(value, float | Decimal) and not integer):
        number = Decimal(str(value)) if not isinstance(value, Decimal) else value
    elif isinstance(value, str) and (_INTEGER if integer else _DECIMAL).fullmatch(value.strip()):
        number = Decimal(value.strip())
    if number is None or not number.is_finite():
        return _("Enter a whole number.") if integer else _("Enter a number.")
    low, high = question.minimum, question.maximum
    if (low is not None and number < low) or (high is not None and number > high):
        if low is not None and high is not None:
            return _("Enter a number from %(low)s to %(high)s.") % {"low": low, "high": high}
        if low is not None:
            return _("Enter a number of at least %(low)s.") % {"low": low}
        return _("Enter a number of at most %(high)s.") % {"high": high}
    return None


@functools.lru_cache(maxsize=64)
def compile_scorer(definition: InstrumentDefinition) -> Scorer:
    """The scorer for a definition; compiled once per definition (cached, definitions being
    frozen), then called once per response."""
    return Scorer(definition)


def score(definition: InstrumentDefinition, answers: Answers) -> Scores:
    return compile_scorer(definition)(answers)


@functools.lru_cache(maxsize=64)
def _number_questions(definition: InstrumentDefinition) -> tuple[frozenset[str], frozenset[str]]:
    """The names of the definition's whole-number and decimal questions."""
    integers = {q.name for q in definition.questions if q.type == QuestionType.INTEGER}
    decimals = {q.name for q in definition.questions if q.type == QuestionType.DECIMAL}
    return frozenset(integers), frozenset(decimals)


_SPREADSHEET_DECIMAL = re.compile(r"-?[0-9]+,[0-9]+")


def spreadsheet_numbers(definition: InstrumentDefinition, answers: dict[str, Answer]) -> None:
    """Numbers as a spreadsheet saved them, read in place: Arabic-Indic digits as 0-9, and
    a decimal comma ("2,5", a French Excel's re-save of a KoBo file) as the point. KoBo and
    ODK themselves write neither, and write no thousands separator: a comma between digits
    in a decimal answer can only be the decimal mark. (The form reads them already; an
    import refused them with "Enter a number.")"""
    integers, decimals = _number_questions(definition)
    for name in integers | decimals:
        value = answers.get(name)
        if not isinstance(value, str):
            continue
        text = latin_number_text(value.strip())  # the Arabic decimal separator "٫" too
        if name in decimals and _SPREADSHEET_DECIMAL.fullmatch(text):
            text = text.replace(",", ".")
        answers[name] = text


def validate_answers(definition: InstrumentDefinition, answers: Answers) -> Problems:
    """Every problem with the answers as (question name, message), in form order after
    answers to unknown questions. Empty: the answers can be saved."""
    return compile_scorer(definition).validate(answers)


def canonical_answers(definition: InstrumentDefinition, answers: Mapping[str, Answer]) -> dict[str, Answer]:
    """Valid answers in the one shape every response keeps, whichever way they came: a
    select-multiple as a list of choice names (a KoBo or ODK file writes "credit tools"), a
    whole number as a number (a file writes "0"), a decimal as its text ("2.5", as the form
    keeps it), other text trimmed. An imported response then reads, exports and answers the
    API like one typed into the form."""
    types = {question.name: question.type for question in definition.questions}
    out: dict[str, Answer] = {}
    for name, value in answers.items():
        kind = types.get(name)
        if isinstance(value, str):
            if kind == QuestionType.SELECT_MULTIPLE:
                value = value.split()
            elif kind == QuestionType.INTEGER and _INTEGER.fullmatch(value.strip()):
                value = int(value.strip())
            else:
                value = value.strip()
        out[name] = value
    return out


def drop_irrelevant(definition: InstrumentDefinition, answers: Mapping[str, Answer]) -> dict[str, Answer]:
    """The answers without those to questions that do not apply (what ODK would submit)."""
    view = compile_scorer(definition).applicable(answers)
    return {
        name: value
        for name, value in answers.items()
        if not (view.get(name) is None and answers[name] is not None)
    }
