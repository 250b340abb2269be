"""An instrument definition as plain JSON-ready data, in the shape `load_definition` reads.

Decimals are written as JSON numbers (an int when whole): every value an author writes in
YAML survives float and back, so `load_definition(to_dict(d)) == d`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from remis.monitoring.instruments.definition import (
    Banded,
    ChoiceValues,
    Indicator,
    InstrumentDefinition,
    Label,
    Linear,
    Question,
    SelectedChoices,
)


def definition_to_dict(definition: InstrumentDefinition) -> dict[str, Any]:
    return {
        "code": definition.code,
        "version": definition.version,
        "title": _label(definition.title),
        "choice_lists": [
            {
                "name": choice_list.name,
                "choices": [{"name": c.name, "label": _label(c.label)} for c in choice_list.choices],
            }
            for choice_list in definition.choice_lists
        ],
        "questions": [_question(question) for question in definition.questions],
        "dimensions": [
            {"code": d.code, "label": _label(d.label), "weight": _number(d.weight)}
            for d in definition.dimensions
        ],
        "indicators": [_indicator(indicator) for indicator in definition.indicators],
        "bands": [
            {"code": b.code, "label": _label(b.label), "lower": _number(b.lower)} for b in definition.bands
        ],
    }


def _label(label: Label) -> dict[str, str]:
    return {"en": label.en, "fr": label.fr, "ar": label.ar}


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _question(question: Question) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": question.name,
        "type": str(question.type),
        "label": _label(question.label),
    }
    if question.choice_list is not None:
        data["choices"] = question.choice_list
    if question.required:
        data["required"] = True
    if question.relevant:
        data["relevant"] = question.relevant
    if question.minimum is not None:
        data["min"] = _number(question.minimum)
    if question.maximum is not None:
        data["max"] = _number(question.maximum)
    if question.group:
        data["group"] = question.group
    if question.sensitive_group:
        data["sensitive_group"] = question.sensitive_group
    return data


def _indicator(indicator: Indicator) -> dict[str, Any]:
    data: dict[str, Any] = {
        "code": indicator.code,
        "label": _label(indicator.label),
        "dimension": indicator.dimension,
        "weight": _number(indicator.weight),
        "question": indicator.question,
    }
    mapping = indicator.mapping
    if isinstance(mapping, ChoiceValues):
        data["values"] = {name: _number(value) for name, value in mapping.values}
    elif isinstance(mapping, SelectedChoices):
        data["selected"] = {
            "rule": str(mapping.rule),
            "choices": list(mapping.choices),
            "invert": mapping.invert,
        }
    elif isinstance(mapping, Linear):
        data["linear"] = {"zero_at": _number(mapping.zero_at), "one_at": _number(mapping.one_at)}
    elif isinstance(mapping, Banded):
        data["bands"] = [{"lower": _number(b.lower), "value": _number(b.value)} for b in mapping.bands]
    return data
