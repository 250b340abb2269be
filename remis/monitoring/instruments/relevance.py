"""XLSForm's `relevant` language, the subset REMIS accepts, parsed without eval().

Grammar (XPath 1.0 precedence: `or` binds loosest, then `and`, then comparisons)::

    expression := conjunction ("or" conjunction)*
    conjunction := term ("and" term)*
    term       := "not" "(" expression ")"
                | "selected" "(" reference "," literal ")"
                | "(" expression ")"
                | operand comparator operand
    operand    := reference | literal
    reference  := "${" name "}"
    literal    := 'text' | "text" | number
    comparator := "=" | "!=" | "<" | "<=" | ">" | ">="

Evaluation follows ODK (JavaRosa) on the cases this subset can express:

* an unanswered question reads as the empty string, so `${q} = ''` is true when q is blank;
* a select-multiple answer reads as its choice names joined by spaces; `selected()` tests one;
* `=` and `!=` compare as numbers when either side is a number literal, else as text;
* `<`, `<=`, `>`, `>=` compare as numbers (ISO dates `YYYY-MM-DD` as day numbers, so date
  answers compare with date literals); a side that is not a number makes the comparison false
  (XPath's NaN), and `!=` with NaN is true, as in XPath.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal as TypingLiteral

Answer = str | Sequence[str] | int | float | Decimal | date | None
Answers = Mapping[str, Answer]
Comparator = TypingLiteral["=", "!=", "<", "<=", ">", ">="]
COMPARATORS: tuple[Comparator, ...] = ("=", "!=", "<=", ">=", "<", ">")

# Deep enough for any hand-written condition, shallow enough that Python's recursion limit
# is never what stops a pathological one.
MAX_NESTING = 40


class RelevanceSyntaxError(ValueError):
    """The expression is not in the accepted subset; `position` is the offending character."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(f"{message} (at character {position + 1})")
        self.message = message
        self.position = position


# --- the tree ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ref:
    name: str


@dataclass(frozen=True)
class Text:
    value: str


@dataclass(frozen=True)
class Number:
    value: Decimal


@dataclass(frozen=True)
class Compare:
    op: Comparator
    left: Operand
    right: Operand


@dataclass(frozen=True)
class Selected:
    name: str
    choice: str


@dataclass(frozen=True)
class Not:
    operand: Expr


@dataclass(frozen=True)
class And:
    left: Expr
    right: Expr


@dataclass(frozen=True)
class Or:
    left: Expr
    right: Expr


Operand = Ref | Text | Number
Expr = Compare | Selected | Not | And | Or


# --- tokens ----------------------------------------------------------------------------------

NAME_PATTERN = r"[A-Za-z_][A-Za-z0-9_]*"
_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<ref>\$\{(?P<refname>[^}]*)\})
  | (?P<text>'[^']*'|"[^"]*")
  | (?P<number>-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))
  | (?P<op>!=|<=|>=|=|<|>)
  | (?P<punct>[(),])
  | (?P<word>[A-Za-z_][A-Za-z0-9_-]*)
    """,
    re.VERBOSE,
)
_NAME = re.compile(NAME_PATTERN)
_KEYWORDS = frozenset({"and", "or", "not", "selected"})


@dataclass(frozen=True)
class _Token:
    kind: str  # ref, text, number, op, punct, word, end
    value: str
    position: int


def _tokens(source: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    while position < len(source):
        match = _TOKEN.match(source, position)
        if match is None:
            raise RelevanceSyntaxError(f"unexpected character {source[position]!r}", position)
        kind = match.lastgroup or ""
        if kind == "refname":  # pragma: no cover - the inner group never ends a match
            kind = "ref"
        if kind == "ref":
            name = match.group("refname")
            if not _NAME.fullmatch(name):
                raise RelevanceSyntaxError(f"{name!r} is not a question name", position)
            tokens.append(_Token("ref", name, position))
        elif kind == "text":
            tokens.append(_Token("text", match.group()[1:-1], position))
        elif kind == "word":
            if match.group() not in _KEYWORDS:
                raise RelevanceSyntaxError(f"unknown word {match.group()!r}", position)
            tokens.append(_Token("word", match.group(), position))
        elif kind != "space":
            tokens.append(_Token(kind, match.group(), position))
        position = match.end()
    tokens.append(_Token("end", "", len(source)))
    return tokens


# --- parser ----------------------------------------------------------------------------------


class _Parser:
    def __init__(self, source: str) -> None:
        self.tokens = _tokens(source)
        self.index = 0
        self.depth = 0

    @property
    def current(self) -> _Token:
        return self.tokens[self.index]

    def take(self, kind: str, value: str | None = None) -> _Token:
        token = self.current
        if token.kind != kind or (value is not None and token.value != value):
            wanted = value or kind
            found = token.value or "the end"
            raise RelevanceSyntaxError(f"expected {wanted!r}, found {found!r}", token.position)
        self.index += 1
        return token

    def at(self, kind: str, value: str) -> bool:
        return self.current.kind == kind and self.current.value == value

    def expression(self) -> Expr:
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise RelevanceSyntaxError("the expression is nested too deeply", self.current.position)
        node = self.conjunction()
        while self.at("word", "or"):
            self.index += 1
            node = Or(node, self.conjunction())
        self.depth -= 1
        return node

    def conjunction(self) -> Expr:
        node = self.term()
        while self.at("word", "and"):
            self.index += 1
            node = And(node, self.term())
        return node

    def term(self) -> Expr:
        if self.at("word", "not"):
            self.index += 1
            self.take("punct", "(")
            inner = self.expression()
            self.take("punct", ")")
            return Not(inner)
        if self.at("word", "selected"):
            self.index += 1
            self.take("punct", "(")
            name = self.take("ref").value
            self.take("punct", ",")
            token = self.current
            if token.kind not in ("text", "number"):
                raise RelevanceSyntaxError("selected() takes a choice name in quotes", token.position)
            self.index += 1
            self.take("punct", ")")
            return Selected(name, token.value)
        if self.at("punct", "("):
            self.index += 1
            inner = self.expression()
            self.take("punct", ")")
            return inner
        left = self.operand()
        token = self.current
        if token.kind != "op":
            raise RelevanceSyntaxError("expected a comparison such as = or !=", token.position)
        self.index += 1
        return Compare(_comparator(token.value), left, self.operand())

    def operand(self) -> Operand:
        token = self.current
        if token.kind == "ref":
            self.index += 1
            return Ref(token.value)
        if token.kind == "text":
            self.index += 1
            return Text(token.value)
        if token.kind == "number":
            self.index += 1
            return Number(Decimal(token.value))
        raise RelevanceSyntaxError("expected ${question}, a 'text' or a number", token.position)


def _comparator(value: str) -> Comparator:
    for comparator in COMPARATORS:
        if comparator == value:
            return comparator
    raise AssertionError(value)  # pragma: no cover - the tokenizer only yields comparators


def parse(source: str) -> Expr:
    """The tree of `source`, or RelevanceSyntaxError (never another exception)."""
    parser = _Parser(source)
    if parser.current.kind == "end":
        raise RelevanceSyntaxError("the expression is empty", 0)
    node = parser.expression()
    if parser.current.kind != "end":
        raise RelevanceSyntaxError(f"unexpected {parser.current.value!r}", parser.current.position)
    return node


# --- printing and inspection -----------------------------------------------------------------

_PRECEDENCE = {Or: 1, And: 2}


def to_source(node: Expr) -> str:
    """The canonical text of a tree: `parse(to_source(t)) == t` for every tree."""
    if isinstance(node, Or | And):
        keyword = "or" if isinstance(node, Or) else "and"
        level = _PRECEDENCE[type(node)]
        # Left-associative: a right child of the same operator needs its parentheses.
        left = _wrapped(node.left, _PRECEDENCE.get(type(node.left), 3) < level)
        right = _wrapped(node.right, _PRECEDENCE.get(type(node.right), 3) <= level)
        return f"{left} {keyword} {right}"
    if isinstance(node, Not):
        return f"not({to_source(node.operand)})"
    if isinstance(node, Selected):
        return f"selected(${{{node.name}}}, {_quoted(node.choice)})"
    return f"{_operand_source(node.left)} {node.op} {_operand_source(node.right)}"


def _wrapped(node: Expr, needed: bool) -> str:
    return f"({to_source(node)})" if needed else to_source(node)


def _operand_source(operand: Operand) -> str:
    if isinstance(operand, Ref):
        return f"${{{operand.name}}}"
    if isinstance(operand, Text):
        return _quoted(operand.value)
    return format(operand.value, "f")


def _quoted(text: str) -> str:
    if "'" not in text:
        return f"'{text}'"
    if '"' not in text:
        return f'"{text}"'
    raise ValueError("XPath has no way to write a text holding both kinds of quote")


def referenced_names(node: Expr) -> frozenset[str]:
    """The question names the expression reads."""
    return frozenset(_walk_names(node))


def _walk_names(node: Expr) -> Iterator[str]:
    if isinstance(node, And | Or):
        yield from _walk_names(node.left)
        yield from _walk_names(node.right)
    elif isinstance(node, Not):
        yield from _walk_names(node.operand)
    elif isinstance(node, Selected):
        yield node.name
    else:
        for operand in (node.left, node.right):
            if isinstance(operand, Ref):
                yield operand.name


# --- evaluation ------------------------------------------------------------------------------

Condition = Callable[[Answers], bool]
_Value = Callable[[Answers], str]


def evaluate(node: Expr, answers: Answers) -> bool:
    """Whether the condition holds for these answers (missing names read as unanswered)."""
    return compile_condition(node)(answers)


def compile_condition(node: Expr) -> Condition:
    """The condition as a function of the answers, built once and called many times (the
    scorer calls one per relevance condition per response)."""
    if isinstance(node, And):
        left, right = compile_condition(node.left), compile_condition(node.right)
        return lambda answers: left(answers) and right(answers)
    if isinstance(node, Or):
        left, right = compile_condition(node.left), compile_condition(node.right)
        return lambda answers: left(answers) or right(answers)
    if isinstance(node, Not):
        inner = compile_condition(node.operand)
        return lambda answers: not inner(answers)
    if isinstance(node, Selected):
        name, choice = node.name, node.choice
        return lambda answers: choice in answer_text(answers.get(name)).split()
    return _compile_comparison(node)


def _compile_comparison(node: Compare) -> Condition:
    left, right = _compile_operand(node.left), _compile_operand(node.right)
    numeric = node.op not in ("=", "!=") or isinstance(node.left, Number) or isinstance(node.right, Number)
    if not numeric:
        if node.op == "=":
            return lambda answers: left(answers) == right(answers)
        return lambda answers: left(answers) != right(answers)
    compare = _NUMERIC[node.op]
    left_number, right_number = _compile_number(node.left), _compile_number(node.right)
    if isinstance(node.right, Number):  # `${n} > 0`, the usual shape: the literal read once
        constant = float(node.right.value)
        return lambda answers: compare(left_number(answers), constant)
    return lambda answers: compare(left_number(answers), right_number(answers))


def _compile_number(operand: Operand) -> Callable[[Answers], float]:
    if isinstance(operand, Ref):
        name = operand.name

        def number(answers: Answers) -> float:
            value = answers.get(name)
            if value.__class__ is int or value.__class__ is float:
                return float(value)  # type: ignore[arg-type]  # checked just above
            return as_number(answer_text(value))

        return number
    constant = as_number(operand.value if isinstance(operand, Text) else format(operand.value, "f"))
    return lambda answers: constant


_NUMERIC: dict[str, Callable[[float, float], bool]] = {
    # Python's float comparisons already give XPath's NaN results (all false, != true).
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def _compile_operand(operand: Operand) -> _Value:
    if isinstance(operand, Ref):
        name = operand.name
        return lambda answers: answer_text(answers.get(name))
    text = operand.value if isinstance(operand, Text) else format(operand.value, "f")
    return lambda answers: text


def answer_text(value: Answer) -> str:
    """An answer as the text an XForm instance holds for it."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value.is_finite() else ""
    if isinstance(value, date):
        return value.isoformat()
    return " ".join(value)


_EPOCH = date(1970, 1, 1)
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_XPATH_NUMBER = re.compile(r"-?([0-9]+(\.[0-9]*)?|\.[0-9]+)")


def as_number(text: str) -> float:
    """XPath's number(): NaN for anything that is not a number (or an ISO date, in days)."""
    text = text.strip()
    if _XPATH_NUMBER.fullmatch(text):
        return float(text)
    if _ISO_DATE.fullmatch(text):
        try:
            return float((date.fromisoformat(text) - _EPOCH).days)
        except ValueError:
            return math.nan
    return math.nan
