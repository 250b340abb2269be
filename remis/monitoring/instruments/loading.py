"""Reading an instrument definition from plain data, collecting every problem with its path
rather than stopping at the first, so an author fixes a file in one pass."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from remis.accounts.permissions import SensitiveGroup
from remis.monitoring.instruments.definition import (
    CHOICE_NAME,
    LANGUAGES,
    NAME,
    NUMBER_TYPES,
    Band,
    Banded,
    Choice,
    ChoiceList,
    ChoiceValues,
    DefinitionError,
    Dimension,
    Indicator,
    InstrumentDefinition,
    Label,
    Linear,
    Mapping,
    MultipleRule,
    Problem,
    Question,
    QuestionType,
    ScoreBand,
    SelectedChoices,
)
from remis.monitoring.instruments.relevance import RelevanceSyntaxError, parse, referenced_names

CODE = re.compile(r"[a-z0-9][a-z0-9_-]*")
MAPPING_KEYS = ("values", "selected", "linear", "bands")
TOP_KEYS = ("code", "version", "title", "choice_lists", "questions", "dimensions", "indicators", "bands")
QUESTION_KEYS = (
    "name",
    "type",
    "label",
    "choices",
    "required",
    "relevant",
    "min",
    "max",
    "group",
    "sensitive_group",
)
INDICATOR_KEYS = ("code", "label", "dimension", "weight", "question", *MAPPING_KEYS)
_MISSING = object()
SENSITIVE_GROUPS = ("", *(str(group) for group in SensitiveGroup))


class Loader:
    def __init__(self, data: Any) -> None:
        self.data = data
        self.problems: list[Problem] = []

    def problem(self, path: str, message: str) -> None:
        self.problems.append(Problem(path, message))

    # --- plain values -------------------------------------------------------------------------

    def field(self, data: Any, key: str, path: str, *, required: bool = True) -> Any:
        if not isinstance(data, dict):
            return None
        value = data.get(key, _MISSING)
        if value is _MISSING or value is None:
            if required:
                self.problem(f"{path}.{key}" if path else key, "missing")
            return None
        return value

    def text(self, data: Any, key: str, path: str, pattern: re.Pattern[str] | None = None) -> str:
        value = self.field(data, key, path)
        where = f"{path}.{key}" if path else key
        if value is None:
            return ""
        if not isinstance(value, str) or not value.strip():
            self.problem(where, "must be non-empty text")
            return ""
        if pattern is not None and not pattern.fullmatch(value):
            self.problem(
                where, f"{value!r} is not a valid name (letters, digits, _; not starting with a digit)"
            )
        return value

    def label(self, data: Any, key: str, path: str) -> Label:
        value = self.field(data, key, path)
        where = f"{path}.{key}" if path else key
        if value is None:
            return Label("", "", "")
        if not isinstance(value, dict):
            self.problem(where, "must give the text in en, fr and ar")
            return Label("", "", "")
        texts: list[str] = []
        for language in LANGUAGES:
            text = value.get(language)
            if not isinstance(text, str) or not text.strip():
                self.problem(f"{where}.{language}", "missing")
                text = ""
            texts.append(text)
        for extra in sorted(set(value) - set(LANGUAGES), key=str):
            self.problem(f"{where}.{extra}", "unknown language (en, fr and ar are supported)")
        return Label(*texts)

    def decimal(self, value: Any, where: str) -> Decimal | None:
        if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
            self.problem(where, "must be a number")
            return None
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            self.problem(where, "must be a number")
            return None
        if not number.is_finite():
            self.problem(where, "must be a finite number")
            return None
        return number

    def unit(self, value: Any, where: str) -> Decimal:
        number = self.decimal(value, where)
        if number is not None and not Decimal(0) <= number <= Decimal(1):
            self.problem(where, "must be between 0 and 1")
        return number if number is not None else Decimal(0)

    def weight(self, data: Any, path: str) -> Decimal:
        value = self.field(data, "weight", path)
        if value is None:
            return Decimal(1)
        number = self.decimal(value, f"{path}.weight")
        if number is not None and number <= 0:
            self.problem(f"{path}.weight", "must be positive")
        return number if number is not None and number > 0 else Decimal(1)

    def items(self, data: Any, key: str, path: str = "") -> list[tuple[str, Any]]:
        value = self.field(data, key, path)
        where = f"{path}.{key}" if path else key
        if value is None:
            return []
        if not isinstance(value, list) or not value:
            self.problem(where, "must be a non-empty list")
            return []
        pairs = []
        for index, item in enumerate(value):
            if isinstance(item, dict):
                pairs.append((f"{where}[{index}]", item))
            else:
                self.problem(f"{where}[{index}]", "must be a mapping")
        return pairs

    def known(self, item: dict[str, Any], path: str, keys: tuple[str, ...]) -> None:
        """Flags misspelt keys (`requried: true`), which would otherwise be silently ignored."""
        for key in item:
            if key not in keys:
                self.problem(f"{path}.{key}" if path else str(key), "unknown key")

    def unique(self, names: list[tuple[str, str]], what: str) -> None:
        seen: set[str] = set()
        for where, name in names:
            if name and name in seen:
                self.problem(where, f"duplicate {what} {name!r}")
            seen.add(name)

    # --- the instrument -----------------------------------------------------------------------

    def load(self) -> InstrumentDefinition:
        if not isinstance(self.data, dict):
            raise DefinitionError([Problem("", "an instrument definition must be a mapping")])
        self.known(self.data, "", TOP_KEYS)
        code = self.text(self.data, "code", "", CODE)
        version = self.field(self.data, "version", "")
        if version is not None and (isinstance(version, bool) or not isinstance(version, int) or version < 1):
            self.problem("version", "must be a whole number from 1")
            version = None
        title = self.label(self.data, "title", "")
        choice_lists = self.choice_lists()
        questions = self.questions(choice_lists)
        dimensions = self.dimensions()
        indicators = self.indicators(questions, choice_lists, dimensions)
        bands = self.bands()
        if self.problems:
            raise DefinitionError(self.problems)
        return InstrumentDefinition(
            code=code,
            version=version or 1,
            title=title,
            questions=tuple(questions),
            choice_lists=tuple(choice_lists),
            dimensions=tuple(dimensions),
            indicators=tuple(indicators),
            bands=tuple(bands),
        )

    def choice_lists(self) -> list[ChoiceList]:
        lists = []
        names = []
        for path, item in self.items(self.data, "choice_lists"):
            name = self.text(item, "name", path, NAME)
            names.append((f"{path}.name", name))
            choices = []
            for choice_path, choice in self.items(item, "choices", path):
                choices.append(
                    Choice(
                        self.text(choice, "name", choice_path, CHOICE_NAME),
                        self.label(choice, "label", choice_path),
                    )
                )
            self.unique([(f"{path}.choices[{i}].name", c.name) for i, c in enumerate(choices)], "choice")
            lists.append(ChoiceList(name, tuple(choices)))
        self.unique(names, "choice list")
        return lists

    def questions(self, choice_lists: list[ChoiceList]) -> list[Question]:
        questions: list[Question] = []
        list_names = {choice_list.name for choice_list in choice_lists}
        for path, item in self.items(self.data, "questions"):
            questions.append(self.question(path, item, list_names, {q.name for q in questions}))
        self.unique([(f"questions[{i}].name", q.name) for i, q in enumerate(questions)], "question")
        return questions

    def question(self, path: str, item: dict[str, Any], list_names: set[str], earlier: set[str]) -> Question:
        self.known(item, path, QUESTION_KEYS)
        name = self.text(item, "name", path, NAME)
        raw_type = self.text(item, "type", path)
        kind: QuestionType | None = None
        if raw_type:
            try:
                kind = QuestionType(raw_type)
            except ValueError:
                allowed = ", ".join(QuestionType)
                self.problem(f"{path}.type", f"unknown question type {raw_type!r} (one of {allowed})")
        choice_list = None
        if kind in (QuestionType.SELECT_ONE, QuestionType.SELECT_MULTIPLE):
            choice_list = self.text(item, "choices", path)
            if choice_list and choice_list not in list_names:
                self.problem(f"{path}.choices", f"no choice list named {choice_list!r}")
        elif "choices" in item:
            self.problem(f"{path}.choices", "only select questions have choices")
        minimum = maximum = None
        if kind in NUMBER_TYPES:
            if item.get("min") is not None:
                minimum = self.decimal(item["min"], f"{path}.min")
            if item.get("max") is not None:
                maximum = self.decimal(item["max"], f"{path}.max")
            if minimum is not None and maximum is not None and minimum > maximum:
                self.problem(f"{path}.max", "is below min")
        elif "min" in item or "max" in item:
            self.problem(f"{path}.min", "only number questions have a range")
        required = item.get("required", False)
        if not isinstance(required, bool):
            self.problem(f"{path}.required", "must be true or false")
            required = False
        relevant = item.get("relevant") or ""
        if not isinstance(relevant, str):
            self.problem(f"{path}.relevant", "must be text")
            relevant = ""
        elif relevant:
            self.relevance(f"{path}.relevant", relevant, name, earlier)
        group = item.get("group") or ""
        if not isinstance(group, str):
            self.problem(f"{path}.group", "must be text")
            group = ""
        sensitive_group = item.get("sensitive_group") or ""
        if sensitive_group not in SENSITIVE_GROUPS:
            allowed = ", ".join(SENSITIVE_GROUPS[1:])
            self.problem(
                f"{path}.sensitive_group", f"unknown sensitive group {sensitive_group!r} (one of {allowed})"
            )
            sensitive_group = ""
        return Question(
            name=name,
            type=kind or QuestionType.TEXT,
            label=self.label(item, "label", path),
            choice_list=choice_list,
            required=required,
            relevant=relevant,
            minimum=minimum,
            maximum=maximum,
            group=group,
            sensitive_group=sensitive_group,
        )

    def relevance(self, where: str, source: str, name: str, earlier: set[str]) -> None:
        try:
            names = referenced_names(parse(source))
        except RelevanceSyntaxError as error:
            self.problem(where, f"does not parse: {error}")
            return
        # Only earlier questions: conditions are then evaluated in one pass in form order, and
        # no two questions can depend on each other.
        for other in sorted(names - earlier):
            detail = "itself" if other == name else f"${{{other}}}, which is not an earlier question"
            self.problem(where, f"refers to {detail}")

    def dimensions(self) -> list[Dimension]:
        dimensions = []
        for path, item in self.items(self.data, "dimensions"):
            dimensions.append(
                Dimension(
                    self.text(item, "code", path, NAME),
                    self.label(item, "label", path),
                    self.weight(item, path),
                )
            )
        self.unique([(f"dimensions[{i}].code", d.code) for i, d in enumerate(dimensions)], "dimension")
        return dimensions

    def indicators(
        self, questions: list[Question], choice_lists: list[ChoiceList], dimensions: list[Dimension]
    ) -> list[Indicator]:
        by_name = {question.name: question for question in questions}
        choices = {choice_list.name: choice_list.names() for choice_list in choice_lists}
        dimension_codes = {dimension.code for dimension in dimensions}
        indicators = []
        for path, item in self.items(self.data, "indicators"):
            self.known(item, path, INDICATOR_KEYS)
            code = self.text(item, "code", path, NAME)
            dimension = self.text(item, "dimension", path)
            if dimension and dimension not in dimension_codes:
                self.problem(f"{path}.dimension", f"no dimension {dimension!r}")
            question_name = self.text(item, "question", path)
            question = by_name.get(question_name)
            if question_name and question is None:
                self.problem(f"{path}.question", f"no question named {question_name!r}")
            offered = choices.get(question.choice_list or "", ()) if question else ()
            indicators.append(
                Indicator(
                    code=code,
                    label=self.label(item, "label", path),
                    dimension=dimension,
                    weight=self.weight(item, path),
                    question=question_name,
                    mapping=self.mapping(path, item, question, offered),
                )
            )
        self.unique([(f"indicators[{i}].code", ind.code) for i, ind in enumerate(indicators)], "indicator")
        used = {indicator.dimension for indicator in indicators}
        for index, dimension_item in enumerate(dimensions):
            if dimension_item.code and dimension_item.code not in used:
                self.problem(f"dimensions[{index}]", "no indicator belongs to this dimension")
        return indicators

    def mapping(
        self, path: str, item: dict[str, Any], question: Question | None, offered: tuple[str, ...]
    ) -> Mapping:
        given = [key for key in MAPPING_KEYS if key in item]
        if len(given) != 1:
            self.problem(path, "give exactly one of values, selected, linear or bands")
            return ChoiceValues(())
        key = given[0]
        expected = {
            QuestionType.SELECT_ONE: "values",
            QuestionType.SELECT_MULTIPLE: "selected",
        }
        if question is not None:
            wanted = expected.get(question.type)
            if question.type in NUMBER_TYPES:
                if key not in ("linear", "bands"):
                    self.problem(f"{path}.{key}", "a number question maps with linear or bands")
            elif wanted is None:
                self.problem(f"{path}.question", f"a {question.type} question cannot be scored")
            elif key != wanted:
                self.problem(f"{path}.{key}", f"a {question.type} question maps with {wanted}")
        where = f"{path}.{key}"
        if key == "values":
            return self.choice_values(where, item[key], offered)
        if key == "selected":
            return self.selected_choices(where, item[key], offered)
        if key == "linear":
            return self.linear(where, item[key])
        return self.banded(where, item[key], question)

    def choice_values(self, where: str, raw: Any, offered: tuple[str, ...]) -> ChoiceValues:
        if not isinstance(raw, dict) or not raw:
            self.problem(where, "must map choice names to values between 0 and 1")
            return ChoiceValues(())
        values = []
        for name, value in raw.items():
            name = str(name)
            if offered and name not in offered:
                self.problem(f"{where}.{name}", "not a choice of the question")
            values.append((name, self.unit(value, f"{where}.{name}")))
        return ChoiceValues(tuple(values))

    def selected_choices(self, where: str, raw: Any, offered: tuple[str, ...]) -> SelectedChoices:
        if not isinstance(raw, dict):
            self.problem(where, "must give rule and choices")
            return SelectedChoices(MultipleRule.ANY, ())
        rule = MultipleRule.ANY
        try:
            rule = MultipleRule(str(raw.get("rule")))
        except ValueError:
            self.problem(f"{where}.rule", "must be share or any")
        names = raw.get("choices")
        if not isinstance(names, list) or not names:
            self.problem(f"{where}.choices", "must list the choices counted")
            names = []
        for index, name in enumerate(names):
            if offered and str(name) not in offered:
                self.problem(f"{where}.choices[{index}]", f"{name!r} is not a choice of the question")
        invert = raw.get("invert", False)
        if not isinstance(invert, bool):
            self.problem(f"{where}.invert", "must be true or false")
            invert = False
        return SelectedChoices(rule, tuple(str(name) for name in names), invert)

    def linear(self, where: str, raw: Any) -> Linear:
        if not isinstance(raw, dict):
            self.problem(where, "must give zero_at and one_at")
            return Linear(Decimal(0), Decimal(1))
        zero = self.decimal(raw.get("zero_at"), f"{where}.zero_at")
        one = self.decimal(raw.get("one_at"), f"{where}.one_at")
        if zero is not None and one is not None and zero == one:
            self.problem(f"{where}.one_at", "must differ from zero_at")
        return Linear(zero or Decimal(0), one if one is not None else Decimal(1))

    def banded(self, where: str, raw: Any, question: Question | None) -> Banded:
        if not isinstance(raw, list) or not raw:
            self.problem(where, "must list bands with lower and value")
            return Banded(())
        bands: list[Band] = []
        for index, band in enumerate(raw):
            if not isinstance(band, dict):
                self.problem(f"{where}[{index}]", "must give lower and value")
                continue
            lower = self.decimal(band.get("lower"), f"{where}[{index}].lower")
            value = self.unit(band.get("value"), f"{where}[{index}].value")
            if lower is not None:
                if bands and lower <= bands[-1].lower:
                    self.problem(f"{where}[{index}].lower", "must be above the previous band's")
                bands.append(Band(lower, value))
        if (
            bands
            and question is not None
            and question.minimum is not None
            and bands[0].lower > question.minimum
        ):
            self.problem(f"{where}[0].lower", "leaves answers from the question's min unscored")
        return Banded(tuple(bands))

    def bands(self) -> list[ScoreBand]:
        bands: list[ScoreBand] = []
        for path, item in self.items(self.data, "bands"):
            code = self.text(item, "code", path, NAME)
            label = self.label(item, "label", path)
            raw_lower = self.field(item, "lower", path)
            lower = self.unit(raw_lower, f"{path}.lower") if raw_lower is not None else Decimal(0)
            if not bands and lower != 0:
                self.problem(f"{path}.lower", "the first band must start at 0")
            if bands and lower <= bands[-1].lower:
                self.problem(f"{path}.lower", "bands must go up: above the previous band's lower bound")
            bands.append(ScoreBand(code, label, lower))
        self.unique([(f"bands[{i}].code", b.code) for i, b in enumerate(bands)], "band")
        return bands
