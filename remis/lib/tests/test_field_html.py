"""How a page shows one form field (`includes/field.html`): the label names the input, the
help text and the errors are the ones the input says it is described by, a group of
checkboxes is a fieldset named by its legend, and nothing typed or labelled is markup."""

from __future__ import annotations

import re

import pytest
from django import forms
from django.template import Context, Template


class _Form(forms.Form):
    name = forms.CharField(label="Name <and> surname", help_text="As on the passport & visa", max_length=5)
    agreed = forms.BooleanField(label="Agreed", required=False)
    topics = forms.MultipleChoiceField(
        label="Topics", choices=[("a", "Alpha"), ("b", "Beta")], widget=forms.CheckboxSelectMultiple
    )


def _shown(form: forms.Form, name: str) -> str:
    return Template('{% include "includes/field.html" %}').render(Context({"field": form[name]}))


def test_a_text_field_has_its_label_then_its_input_described_by_its_help_and_errors():
    form = _Form({"name": "<b>far too long</b>", "topics": ["a"]})
    assert not form.is_valid()
    html = _shown(form, "name")
    assert '<div class="field has-error">' in html
    assert html.index('<label for="id_name">Name &lt;and&gt; surname</label>') < html.index("<input")
    described = re.search(r'aria-describedby="([^"]+)"', html)
    assert described is not None
    for part in described.group(1).split():
        assert f'id="{part}"' in html  # the help text and the errors, each found by its id
    assert '<small class="help" id="id_name_helptext">As on the passport &amp; visa</small>' in html
    assert '<p class="error" role="alert">Ensure this value has at most 5 characters (it has 19).</p>' in html
    assert "<b>" not in html  # what was typed is shown as text


def test_a_checkbox_comes_before_its_label():
    html = _shown(_Form(), "agreed")
    assert '<div class="field check">' in html
    assert html.index('<input type="checkbox"') < html.index('<label for="id_agreed">Agreed</label>')
    assert "has-error" not in html and "_error" not in html


def test_a_group_of_checkboxes_is_a_fieldset_named_by_its_legend():
    form = _Form({"name": "Ana"})
    form.is_valid()
    html = _shown(form, "topics")
    assert html.lstrip().startswith('<fieldset class="field has-error" aria-describedby="id_topics_error">')
    assert "<legend>Topics</legend>" in html and html.rstrip().endswith("</fieldset>")
    assert '<div id="id_topics_error"><p class="error" role="alert">This field is required.</p></div>' in html


@pytest.mark.parametrize(
    ("phone", "taken"),
    [
        ("+32 470 12 34 56", True),
        ("+224 (0) 622-12.34/5", True),
        ("620 12 34", True),
        ("(0470) 12 34 56", True),  # the hint allows brackets: it was refused
        ("+ 32 470 123456", True),
        ("0 ---", False),  # saved as a returnee's phone
        ("+964 0", False),
        ("12", False),
        ("12345", False),
        ("abc", False),
    ],
)
def test_a_phone_number_needs_six_digits(phone, taken):
    import datetime as dt

    from remis.lib.fields import PHONE_RULE

    problem = PHONE_RULE.problem(phone, dt.date(2026, 12, 7))
    assert (problem is None) == taken
    if not taken:
        assert problem is not None and "at least 6 digits" in problem  # "12" was told to use digits


def test_the_phone_numbers_symbols_keep_their_order_on_an_arabic_page():
    """The brackets came out mirrored and ". /" wrapped onto a line of its own."""
    import datetime as dt

    from django.utils import translation

    from remis.lib.bidi import LRI, PDI
    from remis.lib.fields import PHONE_RULE

    with translation.override("ar"):
        problem = PHONE_RULE.problem("abc", dt.date(2026, 12, 7))
    assert problem is not None and f"{LRI}+ ( ) - . /{PDI}" in problem and "أدخل رقم هاتف" in problem
    with translation.override("fr"):
        problem = PHONE_RULE.problem("abc", dt.date(2026, 12, 7))
    assert problem is not None and LRI not in problem and "au moins 6 chiffres" in problem
