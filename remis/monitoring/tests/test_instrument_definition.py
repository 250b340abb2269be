from __future__ import annotations

import copy
import functools
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from remis.monitoring.instruments.definition import (
    DefinitionError,
    InstrumentDefinition,
    Linear,
    QuestionType,
    SelectedChoices,
    load_definition,
)

DEFAULTS = Path(__file__).resolve().parents[1] / "defaults"


@functools.cache
def _parsed(name: str) -> dict[str, Any]:
    return yaml.safe_load((DEFAULTS / f"{name}.yaml").read_text(encoding="utf-8"))


def default_data(name: str) -> dict[str, Any]:
    return copy.deepcopy(_parsed(name))


def label(text: str) -> dict[str, str]:
    return {"en": text, "fr": f"{text} (fr)", "ar": f"{text} (ar)"}


def minimal() -> dict[str, Any]:
    return {
        "code": "tiny",
        "version": 1,
        "title": label("Tiny"),
        "choice_lists": [
            {
                "name": "yn",
                "choices": [{"name": "yes", "label": label("Yes")}, {"name": "no", "label": label("No")}],
            }
        ],
        "questions": [
            {
                "name": "works",
                "type": "select_one",
                "choices": "yn",
                "label": label("Works?"),
                "required": True,
            },
            {"name": "days", "type": "integer", "label": label("Days"), "min": 0, "max": 7},
            {"name": "why", "type": "text", "label": label("Why"), "relevant": "${works} = 'no'"},
        ],
        "dimensions": [{"code": "economic", "label": label("Economic"), "weight": 1}],
        "indicators": [
            {
                "code": "work",
                "label": label("Work"),
                "dimension": "economic",
                "weight": 1,
                "question": "works",
                "values": {"yes": 1, "no": 0},
            }
        ],
        "bands": [
            {"code": "low", "label": label("Low"), "lower": 0},
            {"code": "high", "label": label("High"), "lower": 0.5},
        ],
    }


def problems_of(data: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(DefinitionError) as caught:
        load_definition(data)
    return {problem.path: problem.message for problem in caught.value.problems}


@pytest.mark.parametrize("name", ["reintegration_sustainability", "satisfaction"])
def test_default_instruments_load_and_round_trip_through_json(name: str):
    definition = load_definition(default_data(name))
    stored = json.loads(json.dumps(definition.to_dict()))
    assert load_definition(stored) == definition


def test_default_reintegration_instrument_has_15_indicators_at_least_4_per_dimension():
    definition = load_definition(default_data("reintegration_sustainability"))
    assert len(definition.indicators) == 15
    per_dimension = {d.code: 0 for d in definition.dimensions}
    for indicator in definition.indicators:
        per_dimension[indicator.dimension] += 1
    assert set(per_dimension) == {"economic", "social", "psychosocial"}
    assert min(per_dimension.values()) >= 4
    assert [band.code for band in definition.bands] == ["needs_follow_up", "progressing", "sustainable"]


def test_default_satisfaction_instrument_scores_timeliness_relevance_and_quality():
    definition = load_definition(default_data("satisfaction"))
    assert {indicator.code for indicator in definition.indicators} == {"timeliness", "relevance", "quality"}


def test_loaded_definition_is_typed():
    definition = load_definition(default_data("reintegration_sustainability"))
    assert definition.question("days_reduced_meals").type == QuestionType.INTEGER
    mappings = {indicator.code: indicator.mapping for indicator in definition.indicators}
    assert isinstance(mappings["debt_burden"], Linear)
    assert isinstance(mappings["productive_resources"], SelectedChoices)


def test_minimal_definition_loads():
    assert isinstance(load_definition(minimal()), InstrumentDefinition)


def test_every_problem_is_listed_at_once_with_its_path():
    data = minimal()
    data["questions"][1]["type"] = "slider"
    data["questions"].append(copy.deepcopy(data["questions"][0]))
    data["choice_lists"].append({"name": "empty", "choices": []})
    data["questions"][2]["relevant"] = "${works} = "
    data["indicators"][0]["weight"] = 0
    data["indicators"].append({**data["indicators"][0], "code": "ghost", "question": "nowhere", "weight": 1})
    data["bands"][1]["lower"] = 0
    problems = problems_of(data)
    assert "unknown question type 'slider'" in problems["questions[1].type"]
    assert problems["questions[3].name"] == "duplicate question 'works'"
    assert problems["choice_lists[1].choices"] == "must be a non-empty list"
    assert problems["questions[2].relevant"].startswith("does not parse")
    assert problems["indicators[0].weight"] == "must be positive"
    assert problems["indicators[1].question"] == "no question named 'nowhere'"
    assert "bands must go up" in problems["bands[1].lower"]


def test_relevance_may_only_name_earlier_questions():
    data = minimal()
    data["questions"][0]["relevant"] = "${days} > 0"
    data["questions"][1]["relevant"] = "${unknown} = 'x' or ${days} = 1"
    problems = problems_of(data)
    assert problems["questions[0].relevant"] == "refers to ${days}, which is not an earlier question"
    assert "${unknown}" in problems["questions[1].relevant"]


def test_select_question_needs_an_existing_choice_list_and_choice_names_are_unique():
    data = minimal()
    data["questions"][0]["choices"] = "nope"
    data["choice_lists"][0]["choices"].append({"name": "yes", "label": label("Again")})
    problems = problems_of(data)
    assert problems["questions[0].choices"] == "no choice list named 'nope'"
    assert problems["choice_lists[0].choices[2].name"] == "duplicate choice 'yes'"


def test_names_must_be_xlsform_safe_and_labels_complete():
    data = minimal()
    data["questions"][1]["name"] = "2 days"
    del data["questions"][1]["label"]["ar"]
    data["choice_lists"][0]["choices"][0]["name"] = "oui merci"
    problems = problems_of(data)
    assert "not a valid name" in problems["questions[1].name"]
    assert problems["questions[1].label.ar"] == "missing"
    assert "not a valid name" in problems["choice_lists[0].choices[0].name"]


def test_indicator_mapping_must_fit_the_question_type_and_its_choices():
    data = minimal()
    data["indicators"][0]["values"] = {"yes": 1, "maybe": 0.5, "no": 2}
    problems = problems_of(data)
    assert problems["indicators[0].values.maybe"] == "not a choice of the question"
    assert problems["indicators[0].values.no"] == "must be between 0 and 1"
    data = minimal()
    data["indicators"][0]["linear"] = data["indicators"][0].pop("values")
    assert "maps with values" in problems_of(data)["indicators[0].linear"]


def test_number_indicators_take_linear_or_ordered_bands():
    data = minimal()
    data["indicators"].append(
        {
            "code": "days",
            "label": label("Days"),
            "dimension": "economic",
            "question": "days",
            "bands": [{"lower": 1, "value": 1}, {"lower": 1, "value": 0}],
        }
    )
    problems = problems_of(data)
    assert problems["indicators[1].bands[1].lower"] == "must be above the previous band's"
    assert problems["indicators[1].bands[0].lower"] == "leaves answers from the question's min unscored"


def test_text_questions_cannot_be_scored_and_dimensions_need_an_indicator():
    data = minimal()
    data["indicators"][0]["question"] = "why"
    data["dimensions"].append({"code": "social", "label": label("Social"), "weight": 1})
    problems = problems_of(data)
    assert problems["indicators[0].question"] == "a text question cannot be scored"
    assert problems["dimensions[1]"] == "no indicator belongs to this dimension"


def test_misspelt_keys_and_bad_bands_are_refused():
    data = minimal()
    data["questions"][0]["requried"] = True
    data["bands"][0]["lower"] = 0.2
    data["version"] = 0
    problems = problems_of(data)
    assert problems["questions[0].requried"] == "unknown key"
    assert problems["bands[0].lower"] == "the first band must start at 0"
    assert problems["version"] == "must be a whole number from 1"


def test_a_non_mapping_is_refused_with_the_typed_error():
    with pytest.raises(DefinitionError):
        load_definition([])  # type: ignore[arg-type]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=6,
)


def paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(data, dict):
        for key, value in data.items():
            found.extend(paths(value, (*prefix, key)))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found.extend(paths(value, (*prefix, index)))
    return found


@given(st.data())
@settings(max_examples=400)
def test_any_corruption_of_a_definition_raises_only_the_typed_error(data: st.DataObject):
    document = default_data("reintegration_sustainability") if data.draw(st.booleans()) else minimal()
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(paths(document)[1:]))
        parent = document
        for key in path[:-1]:
            parent = parent[key]
        parent[path[-1]] = data.draw(json_values)
    try:
        definition = load_definition(document)
    except DefinitionError as error:
        assert error.problems
    else:
        assert load_definition(definition.to_dict()) == definition
