"""The fast form renderer writes the widget templates in Python: for every widget, value,
attribute and label it must give the very text Django's Jinja2 templates give, or a page
would change (an escaped quote, a missing `selected`, a checkbox outside its label)."""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import pkgutil
from typing import Any

import pytest
from django import forms
from django.forms.renderers import Jinja2
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy
from hypothesis import given, settings
from hypothesis import strategies as st

import remis
from remis.lib.form_renderer import FastRenderer
from remis.lib.widgets import IsoDateInput, Textarea

JINJA = Jinja2()
FAST = FastRenderer()

TRICKY = ["", "plain", "a \"quoted\" <b>bold</b> & 'one'", "تاريخ العودة", mark_safe("<em>safe</em>"), 0, 3.5]
CHOICES: list[Any] = [
    ("", "---------"),
    ("a", "Alpha & Omega"),
    (1, gettext_lazy("Yes")),
    ("q", 'Say "hi" <now>'),
    ("Group", [("g1", "In a group"), ("g2", mark_safe("<i>safe</i>"))]),
]
WIDGETS: list[tuple[str, forms.Widget, Any]] = [
    ("text", forms.TextInput(attrs={"maxlength": 40, "required": True, "disabled": False}), "x"),
    ("text, None", forms.TextInput(), None),
    ("number", forms.NumberInput(attrs={"min": 0, "step": "0.01"}), 12),
    ("email", forms.EmailInput(), "a@example.org"),
    ("url", forms.URLInput(), "https://example.org/?a=1&b=2"),
    ("password", forms.PasswordInput(render_value=True), "secret"),
    ("hidden", forms.HiddenInput(), 7),
    ("date", IsoDateInput(), dt.date(2026, 5, 17)),
    ("time", forms.TimeInput(), dt.time(9, 30)),
    ("checkbox on", forms.CheckboxInput(), True),
    ("checkbox off", forms.CheckboxInput(attrs={"class": "big"}), False),
    ("file", forms.FileInput(attrs={"accept": ".csv,.xlsx"}), None),
    ("clearable file", forms.ClearableFileInput(), None),
    ("textarea", Textarea(attrs={"rows": 3}), "line one\nline <two>"),
    ("textarea, empty", forms.Textarea(), ""),
    ("select", forms.Select(choices=CHOICES), "q"),
    ("select, nothing chosen", forms.Select(choices=CHOICES, attrs={"id": "s"}), None),
    ("select, in a group", forms.Select(choices=CHOICES), "g2"),
    ("select multiple", forms.SelectMultiple(choices=CHOICES), ["a", "g1"]),
    ("null boolean", forms.NullBooleanSelect(), True),
    ("checkboxes", forms.CheckboxSelectMultiple(choices=CHOICES, attrs={"id": "c", "class": "grid"}), ["a"]),
    ("checkboxes, no id", forms.CheckboxSelectMultiple(choices=CHOICES), []),
    ("radios", forms.RadioSelect(choices=CHOICES, attrs={"id": "r"}), 1),
    ("split date and time", forms.SplitDateTimeWidget(), dt.datetime(2026, 5, 17, 9, 30)),
]


@pytest.mark.parametrize("label, widget, value", WIDGETS, ids=[w[0] for w in WIDGETS])
def test_each_kind_of_widget_renders_as_django_renders_it(label, widget, value):
    for attrs in (None, {"id": "id_f", "aria-describedby": "id_f_helptext", "autofocus": True}):
        fast = widget.render("f", value, attrs, renderer=FAST)
        assert fast == widget.render("f", value, attrs, renderer=JINJA)


@pytest.mark.parametrize("value", TRICKY, ids=repr)
def test_quotes_markup_and_safe_text_are_escaped_as_django_escapes_them(value):
    choices = [(value, value), ("other", value)]
    for widget in (
        forms.TextInput(attrs={"placeholder": value}),
        forms.HiddenInput(),
        forms.Textarea(attrs={"title": value}),
        forms.Select(choices=choices),
        forms.CheckboxSelectMultiple(choices=choices, attrs={"id": value, "class": value}),
    ):
        shown = [value] if isinstance(widget, forms.CheckboxSelectMultiple) else value
        assert widget.render(value, shown, renderer=FAST) == widget.render(value, shown, renderer=JINJA)


@settings(max_examples=60, deadline=None)
@given(
    value=st.one_of(st.none(), st.text(max_size=20), st.integers()),
    labels=st.lists(st.text(max_size=12), min_size=1, max_size=5),
    attr=st.one_of(st.text(max_size=10), st.booleans(), st.integers()),
)
def test_any_value_label_and_attribute_renders_the_same(value, labels, attr):
    choices = [(str(n), label) for n, label in enumerate(labels)]
    chosen = str(value) if value is not None else None
    for widget in (
        forms.TextInput(attrs={"data-x": attr}),
        forms.Textarea(attrs={"data-x": attr}),
        forms.Select(choices=choices, attrs={"data-x": attr}),
        forms.CheckboxSelectMultiple(choices=choices, attrs={"data-x": attr, "id": "c"}),
        forms.RadioSelect(choices=choices, attrs={"data-x": attr}),
    ):
        shown = [chosen] if isinstance(widget, forms.CheckboxSelectMultiple) else chosen
        assert widget.render("f", shown, renderer=FAST) == widget.render("f", shown, renderer=JINJA)


def _project_forms() -> list[type[forms.Form]]:
    found: dict[str, type[forms.Form]] = {}
    for module in pkgutil.walk_packages(remis.__path__, "remis."):
        if not module.name.endswith((".forms", ".views")) and ".forms." not in module.name:
            continue
        loaded = importlib.import_module(module.name)
        for name, value in vars(loaded).items():
            if (
                inspect.isclass(value)
                and issubclass(value, forms.BaseForm)
                and value.__module__ == loaded.__name__
                and not getattr(value, "_meta", None)  # model forms need their instance
            ):
                found[f"{value.__module__}.{name}"] = value
    return [found[key] for key in sorted(found)]


@pytest.mark.django_db
def test_every_form_of_the_project_renders_as_with_django():
    """Each form REMIS shows that can be built on its own, every field: the same HTML."""
    rendered = 0
    for form_class in _project_forms():
        try:
            form = form_class(renderer=FAST)
        except TypeError:  # a form that needs its page's data (a case, a programme)
            continue
        for name in form.fields:
            field = form[name]  # one bound field: its initial value (a new form key) read once
            fast = str(field)
            form.renderer = JINJA
            assert fast == str(field), f"{form_class.__name__}.{name}"
            form.renderer = FAST
            rendered += 1
    assert rendered > 100  # the scan found the forms (several hundred fields when written)
