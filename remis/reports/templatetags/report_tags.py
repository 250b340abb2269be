"""Template filters of the report pages and PDFs."""

from __future__ import annotations

from typing import Any

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma

from remis.lib.bidi import grouped_number, left_to_right
from remis.lib.countries import country_name

register = template.Library()


@register.filter
def count(value: Any) -> str:
    """A count as printed: grouped digits, or a hidden "<5" / "x" that keeps its direction
    on right-to-left pages (mirrored, "<5" would read "5>")."""
    if isinstance(value, str):
        return left_to_right(value)
    return grouped_number(str(intcomma(value)))


@register.filter
def hidden_count(value: int, threshold: int) -> str:
    """An outcome count as printed: "<5" for a small one hidden, "x" for a larger one hidden
    with them (`outcomes.hidden_mark`), else grouped digits."""
    if isinstance(value, int) and value < 0:
        return left_to_right(f"<{threshold}") if value == -2 else "x"
    return grouped_number(str(intcomma(value)))


@register.filter
def score(value: float | None) -> str:
    """A score in [0, 1] as the pages show scores: 0–100 with one decimal, in the reader's
    number format (57,5); "—" when there is none."""
    from remis.monitoring.response_forms import points

    return points(value)


@register.filter
def country(code: str) -> str:
    """The country's name in the reader's language."""
    return country_name(code)


@register.filter
def rtl_start(width: float) -> float:
    """Where a bar `width` long (of 100) starts when it grows from the right edge."""
    return 100 - float(width)
