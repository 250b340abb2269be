"""How the reports read in each language: audit entries of packages in the audit search, PDF bars."""

from __future__ import annotations

import pytest
from django.utils import translation

from remis.audit.models import AuditEntry
from remis.audit.presentation import describe_entries

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "annual", "quarterly"),
    [("en", "2025", "2026, quarter 1"), ("fr", "2025", "2026, trimestre 1"), ("ar", "2025", "2026، الربع 1")],
)
def test_a_packages_period_reads_in_the_readers_words(world, language, annual, quarterly):
    """It read "Période : quarterly 2026 Q1" in French: the package's name in code words."""
    entries = [
        AuditEntry(
            pk=n,
            action="reports.package",
            object_type="reports.reportpackage",
            object_id=str(n),
            changes={"period": [None, period]},
        )
        for n, period in ((1, "annual 2025"), (2, "quarterly 2026 Q1"))
    ]
    with translation.override(language):
        shown = [view.changes[0].after for view in describe_entries(entries, groups=frozenset())]
    assert shown == [annual, quarterly]


def test_a_pdf_bar_grows_from_the_label_side_in_each_direction():
    """In Arabic the PDF's bars started at the far edge and grew towards the country name."""
    from types import SimpleNamespace

    from django.template.loader import render_to_string

    section = SimpleNamespace(bars=[SimpleNamespace(label="Guinea", width=30.0, persons=12, cases=5)])
    with translation.override("en"):
        ltr = render_to_string("reports/includes/pdf_bars.html", {"section": section})
    with translation.override("ar"):
        rtl = render_to_string("reports/includes/pdf_bars.html", {"section": section})
    assert '<rect x="0" y="1" width="30.0"' in ltr
    assert '<rect x="70.0" y="1" width="30.0"' in rtl
