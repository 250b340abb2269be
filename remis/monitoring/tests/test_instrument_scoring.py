from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from remis.monitoring.instruments.definition import InstrumentDefinition, load_definition
from remis.monitoring.instruments.scoring import (
    compile_scorer,
    drop_irrelevant,
    score,
    validate_answers,
)

DEFAULTS = Path(__file__).resolve().parents[1] / "defaults"


def default(name: str) -> InstrumentDefinition:
    return load_definition(yaml.safe_load((DEFAULTS / f"{name}.yaml").read_text(encoding="utf-8")))


RSS = default("reintegration_sustainability")
SATISFACTION = default("satisfaction")


def answers(**changes: Any) -> dict[str, Any]:
    """A complete, valid set of answers with every scored indicator at its best."""
    base: dict[str, Any] = {
        "income_covers_needs": "always",
        "main_activity": "salaried",
        "debt_months": 0,
        "days_reduced_meals": 0,
        "access_to_resources": ["credit", "savings_group", "tools", "premises"],
        "credit_source": "microfinance institution",
        "housing_quality": "very_good",
        "health_care_access": "very_easy",
        "school_age_children": 1,
        "children_in_school": "all",
        "identity_documents": "all",
        "safe_water": "always",
        "people_to_rely_on": "three_or_more",
        "community_activities": "sport",
        "discrimination": "never",
        "distress": "never",
        "feels_safe": "safe",
        "wish_to_migrate_again": "no",
    }
    base.update(changes)
    return {name: value for name, value in base.items() if value is not ...}


def test_best_answers_score_one_everywhere_and_band_sustainable():
    scores = score(RSS, answers())
    assert set(scores.indicators.values()) == {1.0}
    assert scores.dimensions == {"economic": 1.0, "social": 1.0, "psychosocial": 1.0}
    assert (scores.composite, scores.band) == (1.0, "sustainable")


def test_valid_answers_have_no_problems_in_any_accepted_shape():
    assert validate_answers(RSS, answers()) == []
    exported = answers(
        debt_months="2.5", days_reduced_meals="3", access_to_resources="credit tools", school_age_children="1"
    )
    assert validate_answers(RSS, exported) == []


def test_answers_outside_choices_ranges_and_types_are_named_by_question():
    problems = dict(
        validate_answers(
            RSS,
            answers(
                income_covers_needs="plenty",
                main_activity=["salaried"],
                debt_months="lots",
                days_reduced_meals=8,
                access_to_resources="credit credit",
                community_activities=["sport", "chess"],
                school_age_children="1.5",
            ),
        )
    )
    assert problems == {
        "income_covers_needs": "“plenty” is not one of the choices.",
        "main_activity": "Choose one answer.",
        "debt_months": "Enter a number.",
        "days_reduced_meals": "Enter a number from 0 to 7.",
        "access_to_resources": "A choice is given twice.",
        "community_activities": "“chess” is not one of the choices.",
        "school_age_children": "Enter a whole number.",
    }


def test_none_of_these_cannot_be_ticked_with_another_choice():
    """ "A loan or credit" + "None of these" was saved and scored as both."""
    problems = validate_answers(
        RSS, answers(access_to_resources="credit none", community_activities=["none"])
    )
    assert dict(problems) == {"access_to_resources": "“None” cannot be chosen together with other answers."}


def test_required_questions_must_be_answered_only_when_they_apply():
    problems = validate_answers(RSS, answers(distress=..., children_in_school=..., school_age_children=0))
    assert problems == [("distress", "This question is required.")]
    problems = validate_answers(RSS, answers(children_in_school=None))
    assert problems == [("children_in_school", "This question is required.")]


def test_answer_to_a_question_that_does_not_apply_is_flagged_and_unknown_names_too():
    problems = validate_answers(
        RSS, answers(wish_to_migrate_again="no", migration_reasons="work", shoe_size=42)
    )
    assert problems == [
        ("shoe_size", "Not a question of this instrument."),
        ("migration_reasons", "Answered, but the question does not apply given the earlier answers."),
    ]


def test_dates_must_be_real_iso_dates():
    definition = load_definition(
        {
            **SATISFACTION.to_dict(),
            "questions": [
                *SATISFACTION.to_dict()["questions"],
                {"name": "received_on", "type": "date", "label": {"en": "On", "fr": "Le", "ar": "في"}},
            ],
        }
    )
    ok = {"on_time": "agree", "fits_needs": "agree", "good_quality": "agree"}
    assert validate_answers(definition, {**ok, "received_on": "2026-02-28"}) == []
    assert validate_answers(definition, {**ok, "received_on": date(2026, 2, 28)}) == []
    for bad in ("2026-02-30", "28/02/2026", 20260228):
        assert validate_answers(definition, {**ok, "received_on": bad}) == [
            ("received_on", "Enter a date as YYYY-MM-DD.")
        ]


def test_a_stale_answer_to_a_question_that_does_not_apply_is_ignored_by_scoring():
    # No school-age children: the schooling answer left over from an edit must not count.
    stale = score(RSS, answers(school_age_children=0, children_in_school="none"))
    assert stale.indicators["children_schooling"] is None
    assert stale.dimensions["social"] == 1.0


def test_drop_irrelevant_removes_only_answers_to_questions_that_do_not_apply():
    given_answers = answers(wish_to_migrate_again="no", migration_reasons="work", school_age_children=0)
    kept = drop_irrelevant(RSS, given_answers)
    assert "migration_reasons" not in kept
    assert "children_in_school" not in kept
    assert kept["credit_source"] == "microfinance institution"


def test_unanswered_indicators_are_left_out_of_their_dimension_mean():
    scores = score(RSS, answers(health_care_access="not_needed", housing_quality="fair"))
    assert scores.indicators["health_care"] is None
    assert scores.missing_indicators == ("health_care",)
    # (0.5 + 1 + 1 + 1) / 4
    assert scores.dimensions["social"] == 0.875


def test_a_dimension_without_any_answered_indicator_leaves_no_composite():
    scores = score(SATISFACTION, {"on_time": "dont_know", "fits_needs": "dont_know"})
    assert scores.dimensions == {"satisfaction": None}
    assert (scores.composite, scores.band) == (None, None)


def test_weights_count_in_the_dimension_mean():
    # income weighs 2, the other four economic indicators 1 each (+ employment 2): (2*0 + 2 + 3) / 7
    scores = score(RSS, answers(income_covers_needs="never"))
    assert scores.dimensions["economic"] == round(5 / 7, 4)


def test_number_mappings_linear_and_banded():
    scores = score(RSS, answers(debt_months="18", days_reduced_meals=2))
    assert scores.indicators["debt_burden"] == 0.0  # clamped: more than a year of income owed
    assert scores.indicators["food_security"] == 0.5
    assert score(RSS, answers(debt_months=Decimal("4"))).indicators["debt_burden"] == 0.6667


def test_select_multiple_share_any_and_none():
    assert score(RSS, answers(access_to_resources="tools")).indicators["productive_resources"] == 0.25
    assert score(RSS, answers(access_to_resources=["none"])).indicators["productive_resources"] == 0.0
    assert score(RSS, answers(community_activities="none")).indicators["community_participation"] == 0.0


def test_bands_follow_their_lower_bounds():
    low = {"on_time": "strongly_disagree", "fits_needs": "disagree", "good_quality": "agree"}
    assert score(SATISFACTION, low).band == "dissatisfied"  # (0 + 0.25 + 0.75) / 3 = 0.3333
    middle = {"on_time": "neutral", "fits_needs": "neutral", "good_quality": "neutral"}
    assert (score(SATISFACTION, middle).composite, score(SATISFACTION, middle).band) == (
        0.5,
        "partly_satisfied",
    )
    high = {"on_time": "agree", "fits_needs": "agree", "good_quality": "agree"}
    assert score(SATISFACTION, high).band == "satisfied"
    # The same rule for a stored composite, as pages show it.
    assert [RSS.band_for(x).code for x in (0.0, 0.4999, 0.5, 0.6999, 0.7, 1.0)] == [
        "needs_follow_up",
        "needs_follow_up",
        "progressing",
        "progressing",
        "sustainable",
        "sustainable",
    ]


def test_scorer_is_compiled_once_per_definition():
    assert compile_scorer(RSS) is compile_scorer(RSS)


answer_values = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.lists(st.text(max_size=8), max_size=3),
    st.integers(),
    st.floats(),
    st.decimals(),
    st.booleans(),
    st.sampled_from([Decimal("sNaN"), Decimal("-Infinity"), float("nan"), "NaN", "1e400", "-0", " 3 ", "٣"]),
)


@given(st.dictionaries(st.sampled_from([q.name for q in RSS.questions] + ["other"]), answer_values))
@settings(max_examples=300)
def test_scoring_and_validation_never_fail_whatever_the_answers(given_answers: dict[str, Any]):
    scores = score(RSS, given_answers)
    for value in [*scores.indicators.values(), *scores.dimensions.values(), scores.composite]:
        assert value is None or 0.0 <= value <= 1.0
    assert isinstance(validate_answers(RSS, given_answers), list)


@pytest.mark.parametrize("definition", [RSS, SATISFACTION])
def test_valid_random_answers_score_within_bounds(definition: InstrumentDefinition):
    scorer = compile_scorer(definition)
    for question in definition.questions:
        choices = definition.choices_of(question)
        if choices:
            result = scorer({question.name: choices[0]})
            assert result.composite is None or 0 <= result.composite <= 1


def test_problems_are_written_in_the_readers_language():
    from django.utils import translation

    given_answers = answers(distress=None, days_reduced_meals=9, income_covers_needs="plenty")
    with translation.override("fr"):
        assert dict(validate_answers(RSS, given_answers)) == {
            "income_covers_needs": "« plenty » ne fait pas partie des choix.",
            "days_reduced_meals": "Saisissez un nombre de 0 à 7.",
            "distress": "Cette question est obligatoire.",
        }
    with translation.override("ar"):
        assert dict(validate_answers(RSS, given_answers))["distress"] == "هذا السؤال إلزامي."


def test_an_unreadable_answer_is_the_one_problem_told_not_the_questions_after_it():
    """ "٢" school-age children read as unanswered, and "children in school: all" was then
    said not to apply: following the report meant deleting a right answer."""
    problems = validate_answers(RSS, answers(school_age_children="two"))
    assert [name for name, _message in problems] == ["school_age_children"]
    # Readable, the same answer is told it does not apply (no children, no schooling).
    problems = validate_answers(RSS, answers(school_age_children=0))
    assert [name for name, _message in problems] == ["children_in_school"]


def test_numbers_as_a_spreadsheet_saved_them_are_read():
    from remis.monitoring.instruments.scoring import spreadsheet_numbers

    given: dict[str, Any] = answers(debt_months="2,5", school_age_children="٢", days_reduced_meals=" ٣ ")
    spreadsheet_numbers(RSS, given)
    arabic: dict[str, Any] = answers(debt_months="١٠٫٥")  # the Arabic decimal separator
    spreadsheet_numbers(RSS, arabic)
    assert arabic["debt_months"] == "10.5"
    assert (given["debt_months"], given["school_age_children"], given["days_reduced_meals"]) == (
        "2.5",
        "2",
        "3",
    )
    assert validate_answers(RSS, given) == []
    odd: dict[str, Any] = answers(school_age_children="2,5", debt_months="1,500.5")
    spreadsheet_numbers(RSS, odd)  # a comma in a whole number, or beside a point: left refused
    assert {name for name, _m in validate_answers(RSS, odd)} == {"school_age_children", "debt_months"}
