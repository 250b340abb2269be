from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from remis.monitoring.instruments.relevance import (
    And,
    Compare,
    Expr,
    Not,
    Number,
    Operand,
    Or,
    Ref,
    RelevanceSyntaxError,
    Selected,
    Text,
    evaluate,
    parse,
    referenced_names,
    to_source,
)


def holds(source: str, **answers: object) -> bool:
    return evaluate(parse(source), answers)  # type: ignore[arg-type]


def test_comparison_with_text_reads_the_answer():
    assert holds("${q} = 'yes'", q="yes")
    assert not holds("${q} = 'yes'", q="no")
    assert holds('${q}!="yes"', q="no")


def test_unanswered_reads_as_empty_text_as_in_odk():
    assert holds("${q} = ''")
    assert holds("${q} = ''", q=None)
    assert holds("${q} = ''", q=[])
    assert not holds("${q} = ''", q="x")
    assert holds("${q} != 'yes'")


def test_numbers_compare_as_numbers():
    assert holds("${n} > 0", n="2")
    assert holds("${n} > 0", n=2)
    assert holds("${n} >= 2.5", n=Decimal("2.5"))
    assert not holds("${n} < 10", n="12")
    assert holds("${n} = 3", n="3.0")  # numerically equal, though the texts differ
    assert holds("${n} <= -1", n=-4)


def test_comparison_with_an_unanswered_or_non_numeric_answer_is_false_but_not_equal_is_true():
    assert not holds("${n} > 0")
    assert not holds("${n} <= 0", n="abc")
    assert not holds("${n} = 0")
    assert holds("${n} != 0")


def test_dates_compare_with_date_literals():
    assert holds("${d} >= '2025-01-01'", d="2025-03-01")
    assert not holds("${d} >= '2025-01-01'", d="2024-12-31")


def test_selected_tests_one_choice_of_a_select_multiple_as_list_or_as_exported_text():
    assert holds("selected(${m}, 'b')", m=["a", "b"])
    assert holds("selected(${m}, 'b')", m="a b")
    assert not holds("selected(${m}, 'c')", m="a b")
    assert not holds("selected(${m}, 'a')")
    assert holds("selected(${m}, 1)", m=["1", "2"])


def test_and_binds_tighter_than_or_and_parentheses_and_not_change_it():
    assert holds("${a} = '1' or ${b} = '1' and ${c} = '1'", a="1", b="0", c="0")
    assert not holds("(${a} = '1' or ${b} = '1') and ${c} = '1'", a="1", b="0", c="0")
    assert holds("not(${a} = '1') and not(selected(${m}, 'x'))", a="2", m="y")


def test_referenced_names_lists_every_question_read():
    tree = parse("${a} = 'x' and (selected(${b}, 'y') or not(${c} > ${d}))")
    assert referenced_names(tree) == {"a", "b", "c", "d"}


@pytest.mark.parametrize(
    ("source", "position"),
    [
        ("", 0),
        ("${a} = ", 7),
        ("${a} == 'x'", 6),
        ("${a} = 'x' and", 14),
        ("${1a} = 'x'", 0),
        ("${a} = 'unterminated", 7),
        ("count(${a}) > 1", 0),
        ("${a}", 4),
        ("selected(${a})", 13),
        ("(${a} = 'x'", 11),
        ("${a} = 'x')", 10),
    ],
)
def test_malformed_expressions_raise_the_typed_error_at_the_faulty_place(source: str, position: int):
    with pytest.raises(RelevanceSyntaxError) as caught:
        parse(source)
    assert caught.value.position == position


def test_deep_nesting_is_a_syntax_error_not_a_recursion_error():
    with pytest.raises(RelevanceSyntaxError, match="nested too deeply"):
        parse("(" * 5000 + "${a} = 1" + ")" * 5000)
    with pytest.raises(RelevanceSyntaxError):
        parse("not(" * 5000 + "${a} = 1" + ")" * 5000)


def test_printing_puts_parentheses_only_where_grouping_needs_them():
    tree = parse("(${a} = 1 or ${b} = 2) and not((${c} = 'x'))")
    assert to_source(tree) == "(${a} = 1 or ${b} = 2) and not(${c} = 'x')"
    assert to_source(parse("${a} = 1 and (${b} = 2 and ${c} = 3)")) == "${a} = 1 and (${b} = 2 and ${c} = 3)"


# --- properties ------------------------------------------------------------------------------

names = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,8}", fullmatch=True)
# XPath cannot write a text holding both kinds of quote: the printer refuses those.
texts = st.text(max_size=8).filter(lambda s: not ("'" in s and '"' in s))
numbers = st.decimals(allow_nan=False, allow_infinity=False, places=3, min_value=-10_000, max_value=10_000)
operands: st.SearchStrategy[Operand] = st.one_of(names.map(Ref), texts.map(Text), numbers.map(Number))
comparisons = st.builds(Compare, st.sampled_from(["=", "!=", "<", "<=", ">", ">="]), operands, operands)
leaves = st.one_of(comparisons, st.builds(Selected, names, texts))
trees: st.SearchStrategy[Expr] = st.recursive(
    leaves,
    lambda children: st.one_of(
        st.builds(Not, children), st.builds(And, children, children), st.builds(Or, children, children)
    ),
    max_leaves=12,
)


@given(trees)
@settings(max_examples=300)
def test_any_tree_prints_to_text_that_parses_back_to_the_same_tree(tree: Expr):
    assert parse(to_source(tree)) == tree


@given(trees, st.dictionaries(names, st.one_of(st.none(), texts, st.lists(texts, max_size=3), st.integers())))
@settings(max_examples=200)
def test_evaluation_never_fails_whatever_the_answers(tree: Expr, answers: dict[str, object]):
    assert evaluate(tree, answers) in (True, False)  # type: ignore[arg-type]


@given(st.text(max_size=60))
@settings(max_examples=500)
def test_garbage_raises_only_the_typed_error(source: str):
    try:
        parse(source)
    except RelevanceSyntaxError:
        pass


fragments = st.sampled_from(
    [
        "${a}",
        "${b}",
        "'x'",
        '"y"',
        "1",
        "-2.5",
        "=",
        "!=",
        "<",
        ">=",
        "and",
        "or",
        "not",
        "(",
        ")",
        ",",
        "selected",
    ]
)


@given(st.lists(fragments, max_size=15).map(" ".join))
@settings(max_examples=500)
def test_plausible_token_soup_raises_only_the_typed_error(source: str):
    try:
        tree = parse(source)
    except RelevanceSyntaxError:
        return
    assert parse(to_source(tree)) == tree
