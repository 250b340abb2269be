"""Headers are mapped to question names without guessing: ambiguity and duplicates are
refused naming the column, unknown columns are named, missing questions listed."""

from __future__ import annotations

import pytest

from remis.interop.columns import QuestionSpec, plan_columns
from remis.interop.errors import ReadErrorCode, UnreadableFile

ID = ["_uuid"]


def test_a_header_that_could_be_two_questions_is_refused_naming_both():
    questions = [QuestionSpec("c"), QuestionSpec("b-c")]

    with pytest.raises(UnreadableFile) as refused:
        plan_columns(["a-b-c", *ID], questions)

    assert refused.value.read_code is ReadErrorCode.AMBIGUOUS_COLUMN
    assert refused.value.column == "a-b-c"
    assert "b-c" in refused.value.message
    assert refused.value.row == 1


def test_an_exact_name_is_never_ambiguous():
    plan = plan_columns(["b-c", "c", *ID], [QuestionSpec("c"), QuestionSpec("b-c")])

    assert plan.plain == [(0, "b-c"), (1, "c")]


def test_two_columns_for_one_question_are_refused():
    with pytest.raises(UnreadableFile) as refused:
        plan_columns(["g1/age", "g2/age", *ID], [QuestionSpec("age")])

    assert refused.value.read_code is ReadErrorCode.DUPLICATE_COLUMN
    assert "g1/age" in refused.value.message and "g2/age" in refused.value.message


def test_a_group_named_like_a_select_multiple_question_is_ambiguous():
    questions = [QuestionSpec("needs", multiple=True, choices=("food",)), QuestionSpec("food")]

    with pytest.raises(UnreadableFile) as refused:
        plan_columns(["needs/food", *ID], questions)

    assert refused.value.read_code is ReadErrorCode.AMBIGUOUS_COLUMN


def test_a_dash_after_a_select_multiple_question_needs_a_known_choice():
    questions = [QuestionSpec("needs", multiple=True, choices=("food",)), QuestionSpec("age")]

    plan = plan_columns(["needs-food", "needs-cash", "age", *ID], questions)

    assert plan.split == {"needs": [(0, "food")]}
    assert plan.extra == ["needs-cash"]


def test_questions_without_a_column_are_listed():
    plan = plan_columns(["age", *ID], [QuestionSpec("age"), QuestionSpec("income")])

    assert plan.missing == ["income"]


def test_a_file_without_any_submission_identifier_is_refused():
    with pytest.raises(UnreadableFile) as refused:
        plan_columns(["age", "_submission_time"], [QuestionSpec("age")])

    assert refused.value.read_code is ReadErrorCode.NO_SUBMISSION_ID


def test_blank_header_cells_are_named_by_position():
    plan = plan_columns(["age", "", *ID], [QuestionSpec("age")])

    assert plan.extra == ["(column 2, no name)"]
