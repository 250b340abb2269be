"""Every date field of every form renders ISO values, whatever the language: a date input
shows a locale-formatted value as empty, and an untouched save then erases the date."""

from __future__ import annotations

import importlib
import pkgutil

from django import forms
from django.utils import translation

import remis


def _all_form_classes() -> list[type[forms.BaseForm]]:
    for module in pkgutil.walk_packages(remis.__path__, "remis."):
        if ".tests" in module.name or ".migrations" in module.name or module.name.endswith("wsgi"):
            continue
        importlib.import_module(module.name)
    found: list[type[forms.BaseForm]] = []
    pending: list[type] = [forms.Form, forms.ModelForm]
    while pending:
        cls = pending.pop()
        for sub in cls.__subclasses__():
            pending.append(sub)
            if sub.__module__.startswith("remis."):
                found.append(sub)
    return found


def test_every_remis_date_field_renders_iso_in_every_language(db):
    import datetime as dt

    checked = 0
    for form_class in _all_form_classes():
        for name, field in form_class.base_fields.items():
            if not isinstance(field, forms.DateField):
                continue
            for language in ("en", "fr", "ar"):
                with translation.override(language):
                    html = field.widget.render(name, dt.date(1994, 5, 17))
                assert 'value="1994-05-17"' in html, (form_class.__name__, name, language, html)
            checked += 1
    assert checked >= 10  # the case forms alone have more; a broken scan must not pass
