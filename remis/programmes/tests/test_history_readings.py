"""The programmes' records read in words in the audit log: "Programme partner", not
"programmes.programmepartner #47"; a partner's role by its name, not "host_coordinator";
a read-log download by what was searched, not a raw dictionary."""

from __future__ import annotations

import pytest

from remis.audit.models import AuditEntry
from remis.audit.presentation import describe_entries

pytestmark = pytest.mark.django_db


def _lines(entries) -> tuple[list[str], str]:
    views = describe_entries(entries, groups=frozenset())
    return [v.object_label for v in views], str(
        [(c.label, c.before, c.after) for v in views for c in v.changes]
    )


def test_a_partner_added_reads_in_words(world):
    from remis.accounts.system import system_actor
    from remis.programmes import actions as programmes
    from remis.programmes.models import PartnerRole

    programmes.add_partner(system_actor(), world.programme, world.nl_office, PartnerRole.IMPLEMENTING, ["NL"])
    labels, text = _lines(AuditEntry.objects.filter(object_type="programmes.programmepartner"))
    assert labels and all(label.startswith("Programme partner") for label in labels), labels
    assert "Implementing organisation" in text and "implementing" not in text, text


def test_a_read_log_download_says_what_was_searched(world):
    from remis.audit.reads import export_reads

    list(export_reads(world.admin, {"case_reference": "GIN-2026-000001", "username": ""}))
    _labels, text = _lines(AuditEntry.objects.filter(action="read_log.export"))
    assert "Case reference: GIN-2026-000001" in text and "case_reference" not in text, text
