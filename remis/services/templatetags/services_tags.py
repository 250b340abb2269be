"""Template filters of the service map pages."""

from __future__ import annotations

from django import template

from remis.lib.countries import country_name

register = template.Library()


@register.filter
def country(code: str) -> str:
    """The country's name in the reader's language."""
    return country_name(code)
