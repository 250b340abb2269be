"""One version of a monitoring instrument as typed, frozen data: questions with their choices
and relevance, and the scoring that turns answers into indicator, dimension and composite
scores. `load_definition` builds one from plain data (YAML defaults, stored JSON) and refuses
it with every problem at once; `to_dict` gives that plain data back, so
`load_definition(d.to_dict()) == d`.

Numbers in scoring are `Decimal` so that the stored definition says exactly what its author
wrote; the scorer converts them to floats once, when it is compiled.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

LANGUAGES = ("en", "fr", "ar")
# XLSForm names become XML element names in the XForm and column names in every export:
# ASCII letters, digits and underscores, not starting with a digit, keeps them safe everywhere.
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Choice names are written into answers separated by spaces (select multiple): no spaces.
CHOICE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")


class QuestionType(StrEnum):
    SELECT_ONE = "select_one"
    SELECT_MULTIPLE = "select_multiple"
    INTEGER = "integer"
    DECIMAL = "decimal"
    TEXT = "text"
    DATE = "date"


SELECT_TYPES = (QuestionType.SELECT_ONE, QuestionType.SELECT_MULTIPLE)
NUMBER_TYPES = (QuestionType.INTEGER, QuestionType.DECIMAL)


@dataclass(frozen=True)
class Label:
    en: str
    fr: str
    ar: str

    def get(self, language: str) -> str:
        """The label in `language`, English when that language is not one of the three."""
        return {"fr": self.fr, "ar": self.ar}.get(language, self.en)


@dataclass(frozen=True)
class Choice:
    name: str
    label: Label


@dataclass(frozen=True)
class ChoiceList:
    name: str
    choices: tuple[Choice, ...]

    def names(self) -> tuple[str, ...]:
        return tuple(choice.name for choice in self.choices)


@dataclass(frozen=True)
class Question:
    name: str
    type: QuestionType
    label: Label
    choice_list: str | None = None  # the list's name, for select types only
    required: bool = False
    relevant: str = ""  # XLSForm `relevant` syntax; empty: always asked
    minimum: Decimal | None = None  # numbers only, inclusive
    maximum: Decimal | None = None
    group: str = ""  # a section name for forms; not exported as an XLSForm group
    # The sensitive field group the answer is in (a returnee's distress is psychosocial):
    # read only by its holders, as the assessments' answers. Empty: none.
    sensitive_group: str = ""


@dataclass(frozen=True)
class ChoiceValues:
    """select_one: the value of each choice; a choice not listed (don't know, refused)
    leaves the indicator unanswered."""

    values: tuple[tuple[str, Decimal], ...]


class MultipleRule(StrEnum):
    SHARE = "share"  # the share of the listed choices that were selected
    ANY = "any"  # 1 when any listed choice was selected, else 0


@dataclass(frozen=True)
class SelectedChoices:
    """select_multiple: `rule` over the listed choices; `invert` turns v into 1 - v (for
    choices that describe something bad, such as kinds of discrimination faced)."""

    rule: MultipleRule
    choices: tuple[str, ...]
    invert: bool = False


@dataclass(frozen=True)
class Linear:
    """Numbers: `zero_at` maps to 0, `one_at` to 1, linear between, clamped to [0, 1].
    `zero_at` above `one_at` makes a decreasing mapping (more debt, lower value)."""

    zero_at: Decimal
    one_at: Decimal


@dataclass(frozen=True)
class Band:
    lower: Decimal  # inclusive
    value: Decimal


@dataclass(frozen=True)
class Banded:
    """Numbers: the value of the last band whose lower bound the answer reaches; an answer
    below the first band leaves the indicator unanswered."""

    bands: tuple[Band, ...]


Mapping = ChoiceValues | SelectedChoices | Linear | Banded


@dataclass(frozen=True)
class Indicator:
    code: str
    label: Label
    dimension: str
    weight: Decimal
    question: str
    mapping: Mapping


@dataclass(frozen=True)
class Dimension:
    code: str  # economic, social, psychosocial for reintegration; any name for others
    label: Label
    weight: Decimal


@dataclass(frozen=True)
class ScoreBand:
    code: str
    label: Label
    lower: Decimal  # inclusive; the first band starts at 0


@dataclass(frozen=True)
class InstrumentDefinition:
    code: str
    version: int
    title: Label
    questions: tuple[Question, ...]
    choice_lists: tuple[ChoiceList, ...]
    dimensions: tuple[Dimension, ...]
    indicators: tuple[Indicator, ...]
    bands: tuple[ScoreBand, ...]

    def __hash__(self) -> int:
        # Definitions key the scorer cache and are looked up once per response: hashing every
        # nested question each time cost more than scoring. Equal definitions still compare
        # field by field; two versions under one code and number only share a bucket.
        return hash((self.code, self.version))

    def question(self, name: str) -> Question:
        for question in self.questions:
            if question.name == name:
                return question
        raise KeyError(name)

    def choices_of(self, question: Question) -> tuple[str, ...]:
        """The choice names a select question offers (empty for other types)."""
        for choice_list in self.choice_lists:
            if choice_list.name == question.choice_list:
                return choice_list.names()
        return ()

    def band_for(self, composite: float) -> ScoreBand:
        chosen = self.bands[0]
        for band in self.bands:
            # As floats, like the scorer: the float 0.7 is a hair below Decimal("0.7").
            if composite >= float(band.lower):
                chosen = band
        return chosen

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data in the shape `load_definition` reads (what is stored)."""
        # Imported here: serialise.py imports this module's classes.
        from remis.monitoring.instruments.serialise import definition_to_dict

        return definition_to_dict(self)


@dataclass(frozen=True)
class Problem:
    path: str  # where in the plain data: `questions[3].relevant`
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class DefinitionError(ValueError):
    """The data does not describe a valid instrument; `problems` lists every fault found."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(problem) for problem in problems))
        self.problems = tuple(problems)


def load_definition(data: dict[str, Any]) -> InstrumentDefinition:
    """The instrument that `data` describes (the shape of `defaults/*.yaml` and of
    `to_dict()`), or DefinitionError listing every problem with its path."""
    # Imported here: loading.py imports this module's classes.
    from remis.monitoring.instruments.loading import Loader

    return Loader(data).load()
