"""FastSelect builds its options by hand for speed: it must say what Django's Select says
(values, labels, which option is selected, escaping) for any choices a form gives it."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest
from django import forms
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy, override
from hypothesis import given
from hypothesis import strategies as st

from remis.lib.widgets import FastSelect


class _Options(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.options: list[tuple[str, bool, str]] = []
        self.select: dict[str, str | None] = {}
        self._open: list[Any] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "select":
            self.select = dict(attrs)
        if tag == "option":
            found = dict(attrs)
            self._open = [found.get("value"), "selected" in found, ""]

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._open[2] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "option" and self._open is not None:
            self.options.append((self._open[0], self._open[1], self._open[2]))
            self._open = None


def _read(markup: str) -> tuple[dict[str, str | None], list[tuple[str, bool, str]]]:
    parser = _Options()
    parser.feed(markup)
    return parser.select, parser.options


def _both(choices: list[tuple[Any, Any]], value: Any) -> tuple[Any, Any]:
    attrs = {"id": "id_f", "class": "wide"}
    fast = FastSelect(attrs=attrs, choices=choices).render("f", value)
    plain = forms.Select(attrs=attrs, choices=choices).render("f", value)
    return _read(fast), _read(plain)


@pytest.mark.parametrize("value", ["", None, "GN", "<b>", ["GN", "x"]])
def test_fast_select_says_what_django_select_says(value):
    choices = [
        ("", gettext_lazy("Any country")),
        ("GN", "Guinée"),
        ("<b>", 'Tom & "Jerry" <i>'),
        ("safe", mark_safe("<em>already safe</em>")),  # our own constant
        ("x", "غينيا"),
    ]
    fast, plain = _both(choices, value)
    assert fast == plain
    assert "&lt;i&gt;" in FastSelect(choices=choices).render("f", value)  # escaped, not markup


def test_lazy_labels_are_read_in_the_active_language():
    choices = [("", gettext_lazy("Any state"))]
    with override("fr"):
        fast, plain = _both(choices, "")
    assert fast == plain
    assert fast[1][0][2] != "Any state"  # translated, not the English text


@given(
    choices=st.lists(st.tuples(st.text(max_size=8), st.text(max_size=12)), max_size=6),
    value=st.one_of(st.none(), st.text(max_size=8)),
)
def test_any_text_renders_as_django_renders_it(choices, value):
    fast, plain = _both(choices, value)
    assert fast == plain
