"""The response form of a round's page, built from an instrument definition: one field per
question (labels in the reader's language, selects as radio buttons or checkboxes, numbers,
dates, text), plus the day the answers were collected. The form only parses: it hands the
typed answers to `record_response`, which checks them (answers to questions that do not
apply given the earlier answers are left out first), so the page and the API refuse the
same answers with the same words.

Also the read-back of a stored response (answers with their labels, scores as 0–100) and the
"(only if …)" note that tells the reader when a question applies, without any script.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django import forms
from django.utils.formats import get_format, number_format
from django.utils.translation import get_language, gettext_lazy, pgettext
from django.utils.translation import gettext as _

from remis.lib.digits import latin_number_text
from remis.lib.errors import DomainError
from remis.lib.text import list_separator
from remis.lib.widgets import IsoDateInput
from remis.monitoring.instruments.definition import (
    InstrumentDefinition,
    Question,
    QuestionType,
)
from remis.monitoring.instruments.relevance import (
    And,
    Compare,
    Expr,
    Not,
    Number,
    Operand,
    Or,
    Ref,
    Selected,
    Text,
    parse,
)
from remis.monitoring.instruments.scoring import drop_irrelevant
from remis.monitoring.models import Response

PREFIX = "q_"  # question fields are q_<name>: no question name can collide with collected_on
_INTEGER = re.compile(r"-?[0-9]+")


def language() -> str:
    return (get_language() or "en").split("-")[0]


def _choice_label(definition: InstrumentDefinition, question: Question, name: str, lang: str) -> str:
    for choice_list in definition.choice_lists:
        if choice_list.name == question.choice_list:
            for choice in choice_list.choices:
                if choice.name == name:
                    return choice.label.get(lang)
    return name


def _choices(definition: InstrumentDefinition, question: Question, lang: str) -> list[tuple[str, str]]:
    for choice_list in definition.choice_lists:
        if choice_list.name == question.choice_list:
            return [(choice.name, choice.label.get(lang)) for choice in choice_list.choices]
    return []


def relevance_note(definition: InstrumentDefinition, question: Question, lang: str) -> str:
    """'(only if …)' in words, from the question's `relevant` condition; empty when always asked."""
    if not question.relevant:
        return ""
    return _("(only if %(condition)s)") % {"condition": _describe(definition, parse(question.relevant), lang)}


def _describe(definition: InstrumentDefinition, node: Expr, lang: str) -> str:
    if isinstance(node, And):
        return _("%(a)s and %(b)s") % {
            "a": _describe(definition, node.left, lang),
            "b": _describe(definition, node.right, lang),
        }
    if isinstance(node, Or):
        return _("%(a)s or %(b)s") % {
            "a": _describe(definition, node.left, lang),
            "b": _describe(definition, node.right, lang),
        }
    if isinstance(node, Not):
        return _("not (%(a)s)") % {"a": _describe(definition, node.operand, lang)}
    if isinstance(node, Selected):
        question = _question(definition, node.name)
        choice = _choice_label(definition, question, node.choice, lang) if question else node.choice
        return _("“%(question)s” includes “%(choice)s”") % {
            "question": question.label.get(lang) if question else node.name,
            "choice": choice,
        }
    assert isinstance(node, Compare)
    ref = node.left if isinstance(node.left, Ref) else node.right if isinstance(node.right, Ref) else None
    question = _question(definition, ref.name) if ref else None
    left = _operand(definition, node.left, question, lang)
    right = _operand(definition, node.right, question, lang)
    words = _COMPARISONS.get(node.op)
    return str(words) % {"a": left, "b": right} if words else f"{left} {node.op} {right}"


# Comparisons in words, as the reader's language says them (the form's notes read "> 0").
_COMPARISONS = {
    "=": gettext_lazy("%(a)s is %(b)s"),
    "!=": gettext_lazy("%(a)s is not %(b)s"),
    ">": gettext_lazy("%(a)s is more than %(b)s"),
    ">=": gettext_lazy("%(a)s is at least %(b)s"),
    "<": gettext_lazy("%(a)s is less than %(b)s"),
    "<=": gettext_lazy("%(a)s is at most %(b)s"),
}


def _quoted(text: str) -> str:
    """Quoted as the reader's language quotes: “…”, « … »."""
    return pgettext("quoted text", "“%(text)s”") % {"text": text}


def _question(definition: InstrumentDefinition, name: str) -> Question | None:
    try:
        return definition.question(name)
    except KeyError:
        return None


def _operand(definition: InstrumentDefinition, operand: Operand, question: Question | None, lang: str) -> str:
    if isinstance(operand, Ref):
        found = _question(definition, operand.name)
        return _quoted(found.label.get(lang) if found else operand.name)
    if isinstance(operand, Text):
        label = _choice_label(definition, question, operand.value, lang) if question else operand.value
        return _quoted(label)
    assert isinstance(operand, Number)
    return str(number_format(operand.value))


def condition_data(node: Expr) -> dict[str, Any]:
    """A relevance condition as plain data for remis/static/remis/relevance.js, which hides
    the questions that do not apply as the reader answers (progressive: without it every
    question shows, with its note, and the server leaves out what does not apply)."""
    if isinstance(node, And | Or):
        return {
            "op": "and" if isinstance(node, And) else "or",
            "args": [condition_data(node.left), condition_data(node.right)],
        }
    if isinstance(node, Not):
        return {"op": "not", "args": [condition_data(node.operand)]}
    if isinstance(node, Selected):
        return {"op": "selected", "name": node.name, "choice": node.choice}
    numeric = node.op not in ("=", "!=") or isinstance(node.left, Number) or isinstance(node.right, Number)
    return {
        "op": node.op,
        "numeric": numeric,
        "left": _operand_data(node.left),
        "right": _operand_data(node.right),
    }


def _operand_data(operand: Operand) -> dict[str, str]:
    if isinstance(operand, Ref):
        return {"ref": operand.name}
    return {"value": operand.value if isinstance(operand, Text) else format(operand.value, "f")}


class ResponseForm(forms.Form):
    """The questions of `definition` and the day of collection; `answers()` gives what
    record_response takes (blank answers left out, whole numbers as ints)."""

    collected_on = forms.DateField(
        label=gettext_lazy("Date the answers were collected"), widget=IsoDateInput()
    )

    def __init__(
        self,
        *args: Any,
        definition: InstrumentDefinition,
        hidden: frozenset[str] = frozenset(),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.definition = definition
        lang = language()
        self.groups: list[tuple[str, list[str]]] = []
        # `hidden`: questions in a sensitive group the reader does not hold (`hidden_questions`),
        # not offered: a correction keeps their recorded answers (actions.correct_response).
        self.hidden = hidden
        for question in definition.questions:
            if question.name in hidden:
                continue
            self.fields[PREFIX + question.name] = self._field(question, lang)
            if not self.groups or self.groups[-1][0] != question.group:
                self.groups.append((question.group, []))
            self.groups[-1][1].append(PREFIX + question.name)

    def _field(self, question: Question, lang: str) -> forms.Field:
        label = question.label.get(lang)
        note = relevance_note(self.definition, question, lang)
        common: dict[str, Any] = {"label": label, "required": False, "help_text": note}
        kind = question.type
        if kind == QuestionType.SELECT_ONE:
            return forms.ChoiceField(
                choices=_choices(self.definition, question, lang), widget=forms.RadioSelect, **common
            )
        if kind == QuestionType.SELECT_MULTIPLE:
            return forms.MultipleChoiceField(
                choices=_choices(self.definition, question, lang),
                widget=forms.CheckboxSelectMultiple,
                **common,
            )
        if kind in (QuestionType.INTEGER, QuestionType.DECIMAL):
            # Text, not a number field: the action checks it, and a wrong value stays typed.
            attrs = {"inputmode": "numeric" if kind == QuestionType.INTEGER else "decimal", "size": 8}
            return forms.CharField(max_length=32, widget=forms.TextInput(attrs=attrs), **common)
        if kind == QuestionType.DATE:
            return forms.CharField(max_length=10, widget=IsoDateInput(), **common)
        return forms.CharField(max_length=1000, **common)

    def question_groups(self) -> list[tuple[str, list[tuple[forms.BoundField, str]]]]:
        """(group, [(field, its relevance condition as JSON or "")])."""
        conditions = {
            PREFIX + q.name: json.dumps(condition_data(parse(q.relevant))) if q.relevant else ""
            for q in self.definition.questions
            if q.name not in self.hidden
        }
        return [(group, [(self[name], conditions[name]) for name in names]) for group, names in self.groups]

    def answers(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for question in self.definition.questions:
            if question.name in self.hidden:
                continue
            value = self.cleaned_data.get(PREFIX + question.name)
            if value in (None, "", []):
                continue
            if question.type in (QuestionType.INTEGER, QuestionType.DECIMAL):
                value = latin_number_text(value)  # ٣ as typed on an Arabic keyboard
            if question.type == QuestionType.INTEGER and isinstance(value, str) and _INTEGER.fullmatch(value):
                value = int(value)
            elif question.type == QuestionType.DECIMAL and isinstance(value, str):
                value = _canonical_decimal(value.strip())
            elif isinstance(value, str):
                value = value.strip()
            out[question.name] = value
        # Without a script the form shows every question: an answer typed into one that the
        # earlier answers make irrelevant is left out here rather than refused by the action.
        return drop_irrelevant(self.definition, out)

    def apply(self, error: DomainError) -> None:
        """Each refusal on its field: answers.<question> on the question, the rest as named."""
        for field, message in error.errors:
            name = field or ""
            if name.startswith("answers."):
                name = PREFIX + name[len("answers.") :]
            self.add_error(name if name in self.fields else None, message)


@dataclass(frozen=True)
class ScoreRow:
    label: str
    score: str  # 0–100, or "—" when not scored


@dataclass(frozen=True)
class ResponseView:
    """A stored response as a page shows it."""

    response: Response
    title: str
    composite: str
    band: str
    band_code: str
    dimensions: list[ScoreRow]
    answers: list[tuple[str, str]]
    correctable: bool = True


def points_value(value: Decimal | float | str | None) -> float | None:
    """A score in [0, 1] on REMIS's 0–100 scale with one decimal: the number every page, file
    and history shows (they rounded three ways, and a download read 77.5 where its page read
    77.6). Halves round up, on the decimal value: as floats, 0.7615 made 76.149999… and read
    76.1."""
    if value is None:
        return None
    return float((Decimal(str(value)) * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def points(value: Decimal | float | str | None) -> str:
    """A score in [0, 1] as REMIS shows every score: 0–100 with one decimal, written as the
    reader's language writes decimals (90.5, 90,5)."""
    shown = points_value(value)
    return "—" if shown is None else number_format(shown, 1)


def dimension_values(definition: InstrumentDefinition, response: Response) -> list[tuple[str, str, Any]]:
    """(code, label, stored score) per dimension; dimensions outside the three stored columns
    (satisfaction) are read from the composite when there is only one."""
    lang = language()
    rows = []
    for dimension in definition.dimensions:
        value = getattr(response, dimension.code, None) if dimension.code in _COLUMNS else None
        if dimension.code not in _COLUMNS and len(definition.dimensions) == 1:
            value = response.composite
        rows.append((dimension.code, dimension.label.get(lang), value))
    return rows


_COLUMNS = ("economic", "social", "psychosocial")


_LOCAL_DECIMAL = re.compile(r"-?[0-9]*[,٫][0-9]+")


def _canonical_decimal(text: str) -> str:
    """A decimal typed as the page's language writes it ("1,5" in French) as the answers
    keep it, as KoBo and ODK do ("1.5"). Only where the language's separator is not the
    point: in English "1,5" stays as typed, and is refused, rather than read as 15."""
    separator = get_format("DECIMAL_SEPARATOR")
    if separator != "." and _LOCAL_DECIMAL.fullmatch(text):
        return text.replace(",", ".").replace("٫", ".")
    return text


def _shown_decimal(value: Any) -> str:
    """A kept decimal answer as the page's language writes decimals ("1,5")."""
    text = str(value)
    return text.replace(".", str(get_format("DECIMAL_SEPARATOR"))) if _KEPT_DECIMAL.fullmatch(text) else text


_KEPT_DECIMAL = re.compile(r"-?[0-9]*\.[0-9]+")


def _chosen(value: Any) -> list[str]:
    """A kept select-multiple answer's choices: a list, or a space-separated text (KoBo's)."""
    return value.split() if isinstance(value, str) else list(value)


def read_back(
    definition: InstrumentDefinition,
    response: Response,
    groups: frozenset[str] | None = None,
    *,
    all_hidden: bool = False,
) -> ResponseView:
    """`groups`: the reader's sensitive groups on the case (None: all); an answer in another
    group reads "Restricted", answered or not (which would tell something too). `all_hidden`:
    every answer does (a satisfaction response about an item of such a group)."""
    from remis.monitoring.responses import hidden_questions, masked_scores

    lang = language()
    answers: list[tuple[str, str]] = []
    hidden = hidden_questions(definition, groups, every=all_hidden)
    response = masked_scores(definition, response, hidden)
    restricted = str(_("Restricted"))
    masked = getattr(response, "scores_restricted", False)
    band = next((b for b in definition.bands if b.code == response.band), None)
    for question in definition.questions:
        if question.name in hidden:
            answers.append((question.label.get(lang), _("Restricted")))
            continue
        if question.name not in response.answers:
            continue
        value = response.answers[question.name]
        if question.type == QuestionType.SELECT_ONE:
            text = _choice_label(definition, question, str(value), lang)
        elif question.type == QuestionType.SELECT_MULTIPLE:
            names = _chosen(value)
            text = list_separator().join(_choice_label(definition, question, name, lang) for name in names)
        elif question.type == QuestionType.DECIMAL:
            text = _shown_decimal(value)
        else:
            text = str(value)
        answers.append((question.label.get(lang), text))
    return ResponseView(
        response=response,
        title=definition.title.get(lang),
        composite=restricted if masked else points(response.composite),
        band=restricted if masked else band.label.get(lang) if band else "—",
        band_code=response.band,
        dimensions=[
            ScoreRow(label, restricted if masked and value is None else points(value))
            for _code, label, value in dimension_values(definition, response)
        ],
        answers=answers,
        # Answers the reader does not read are not theirs to correct either.
        correctable=not all_hidden,
    )


class CorrectionForm(ResponseForm):
    """A recorded response's answers to correct, with the reason; the day stays as recorded."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=gettext_lazy("Why the answers are corrected"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy(
            "Kept in the audit log with the names of the questions changed and the scores before and after."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["collected_on"]


def initial_answers(
    definition: InstrumentDefinition, response: Response, hidden: frozenset[str] = frozenset()
) -> dict[str, Any]:
    """The form's fields filled with a response's kept answers, as the page writes them;
    none for the `hidden` questions (the form does not offer them)."""
    initial: dict[str, Any] = {}
    for question in definition.questions:
        if question.name not in response.answers or question.name in hidden:
            continue
        value = response.answers[question.name]
        if question.type == QuestionType.SELECT_MULTIPLE:
            value = _chosen(value)
        elif question.type == QuestionType.DECIMAL:
            value = _shown_decimal(value)
        else:
            value = str(value)
        initial[PREFIX + question.name] = value
    return initial


class SatisfactionForm(ResponseForm):
    """A satisfaction response about one item of the plan in force."""

    def __init__(self, *args: Any, items: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["item_key"] = forms.ChoiceField(label=gettext_lazy("Assistance item"), choices=items)
        self.order_fields(["item_key", "collected_on"])


def satisfaction_views(
    case: Any,
    items: list[tuple[str, str]],
    groups: frozenset[str] | None = None,
    restricted: frozenset[str] = frozenset(),
) -> list[tuple[str, ResponseView]]:
    """(item label, read-back) of the case's satisfaction responses, oldest first; those
    about a `restricted` item (its type in a group the reader does not hold) read
    "Restricted" for every answer: what the returnee said of it tells of it."""
    from remis.monitoring.queries import satisfaction_responses
    from remis.monitoring.responses import definition_of

    labels = dict(items)
    return [
        (
            labels.get(str(r.item_key), "—"),
            read_back(definition_of(r.instrument), r, groups, all_hidden=str(r.item_key) in restricted),
        )
        for r in satisfaction_responses(case)
    ]
