"""The form renderer: Django's own widget templates, the common ones written out in Python.

A case page draws some fifty fields; through Django's Jinja2 widget templates they took about
a third of the page's time (each `<option>` and each checkbox of a list is an `{% include %}`
with a new template context). The templates below are those of
`django/forms/jinja2/django/forms/widgets/`, written as Python that yields the same text:
Jinja2's autoescape is MarkupSafe's `escape`, used here the same way (an object with
`__html__`, a SafeString, as it is; anything else as its text, escaped). A widget whose
template is not one of them (a multi-widget, a file input with its current file, an app's own
template) goes through Jinja2 as before. `remis/lib/tests/test_form_renderer.py` renders
widgets of every kind with both and compares the text.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.forms.renderers import Jinja2
from markupsafe import escape

WIDGETS = "django/forms/widgets/"


def _attrs(attrs: Mapping[str, Any]) -> str:
    """attrs.html: `True` writes the bare name, `False` nothing (identity, as `sameas`)."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(f" {escape(name)}")
        else:
            parts.append(f' {escape(name)}="{escape(value)}"')
    return "".join(parts)


def _input(widget: Mapping[str, Any]) -> str:
    """input.html (text, number, date, hidden, checkbox and the other `<input>`s)."""
    value = widget["value"]
    shown = "" if value is None else f' value="{escape(value)}"'
    kind, name = escape(widget["type"]), escape(widget["name"])
    return f'<input type="{kind}" name="{name}"{shown}{_attrs(widget["attrs"])}>'


def _textarea(widget: Mapping[str, Any]) -> str:
    value = widget["value"]
    text = escape(value) if value else ""
    return f'<textarea name="{escape(widget["name"])}"{_attrs(widget["attrs"])}>\n{text}</textarea>'


def _option(widget: Mapping[str, Any]) -> str:
    """select_option.html."""
    label = escape(widget["label"])
    return f'<option value="{escape(widget["value"])}"{_attrs(widget["attrs"])}>{label}</option>'


def _input_option(widget: Mapping[str, Any]) -> str:
    """input_option.html (a checkbox or radio button of a list, in its label)."""
    if not widget["wrap_label"]:
        return _input(widget)
    id_ = widget["attrs"].get("id")
    target = f' for="{escape(id_)}"' if id_ else ""
    return f"<label{target}>{_input(widget)} {escape(widget['label'])}</label>"


class FastRenderer(Jinja2):
    """Django's Jinja2 form renderer, with the common widget templates in Python."""

    def __init__(self) -> None:
        inputs = (
            "input text number email url password hidden date datetime time search tel color file checkbox"
        ).split()
        self.builders: dict[str, Callable[[Mapping[str, Any]], str]] = {
            **{f"{WIDGETS}{name}.html": _input for name in inputs},
            f"{WIDGETS}textarea.html": _textarea,
            f"{WIDGETS}select.html": self._select,
            f"{WIDGETS}select_option.html": _option,
            f"{WIDGETS}checkbox_select.html": self._choices,
            f"{WIDGETS}radio.html": self._choices,
            f"{WIDGETS}multiple_input.html": self._choices,
            f"{WIDGETS}checkbox_option.html": _input_option,
            f"{WIDGETS}radio_option.html": _input_option,
            f"{WIDGETS}input_option.html": _input_option,
        }

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        build = self.builders.get(template_name)
        if build is None:
            return super().render(template_name, context, request)
        return build(context["widget"])

    def _part(self, widget: Mapping[str, Any]) -> str:
        """An option or a choice, by its own template (an app may name another)."""
        build = self.builders.get(widget["template_name"])
        if build is None:
            return super().render(widget["template_name"], {"widget": widget})
        return build(widget)

    def _select(self, widget: Mapping[str, Any]) -> str:
        """select.html."""
        parts = [f'<select name="{escape(widget["name"])}"{_attrs(widget["attrs"])}>']
        for group_name, group_choices, _index in widget["optgroups"]:
            if group_name:
                parts.append(f'\n  <optgroup label="{escape(group_name)}">')
            parts.extend(f"\n  {self._part(option)}" for option in group_choices)
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return "".join(parts)

    def _choices(self, widget: Mapping[str, Any]) -> str:
        """multiple_input.html (checkbox_select.html, radio.html): each choice in a <div>."""
        attrs = widget["attrs"]
        id_, css = attrs.get("id"), attrs.get("class")
        shown_id = f' id="{escape(id_)}"' if id_ else ""
        shown_class = f' class="{escape(css)}"' if css else ""
        parts = [f"<div{shown_id}{shown_class}>"]
        for group, options, _index in widget["optgroups"]:
            if group:
                parts.append(f"\n  <div><label>{escape(group)}</label>")
            parts.extend(f"<div>\n    {self._part(option)}</div>" for option in options)
            if group:
                parts.append("\n  </div>")
        parts.append("\n</div>")
        return "".join(parts)
