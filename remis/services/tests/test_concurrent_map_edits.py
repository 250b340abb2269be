"""Two managers saving the same provider or stakeholder at once, each from the page they
loaded: one save wins, the other is told the record changed; the version moves once, one
audit entry is written and the stored record is wholly one of the two edits, never a mix."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest

from remis.audit.models import AuditEntry
from remis.lib.errors import Duplicate
from remis.lib.tests.races import one_won
from remis.services import actions
from remis.services.models import Provider, QualityAssessment, Stakeholder
from remis.services.tests.factories import make_provider, make_stakeholder

EDITS: dict[str, tuple[Any, Any, Any, str]] = {
    "provider": (make_provider, Provider, actions.update_provider, "services.provider_update"),
    "stakeholder": (make_stakeholder, Stakeholder, actions.update_stakeholder, "services.stakeholder_update"),
}


@pytest.mark.parametrize("kind", sorted(EDITS))
def test_two_saves_of_one_map_entry_at_once_one_wins(parallel_db, world, bob, kind):
    make, model, update, action = EDITS[kind]
    entry = make(bob)
    seen = entry.version
    edits = [
        {"name": "Centre Kaloum (synthetic, renamed)", "area_1": "Conakry"},
        {"name": "Centre Ratoma (synthetic, moved)", "area_1": "Kindia"},
    ]
    if kind == "stakeholder":
        edits = [{"name": edit["name"], "capacity": edit["area_1"]} for edit in edits]
    results = parallel_db(
        *[lambda edit=edit: update(bob, model.objects.get(pk=entry.pk), edit, seen) for edit in edits]
    )
    winner = edits[one_won(results)]
    stored = model.objects.get(pk=entry.pk)
    assert stored.version == seen + 1
    assert {name: getattr(stored, name) for name in winner} == winner
    assert AuditEntry.objects.filter(action=action, object_id=str(entry.pk)).count() == 1


def test_one_quality_form_sent_twice_at_once_is_recorded_once(parallel_db, world, bob):
    """A double click on the assessment form sends it twice at once: one assessment is
    recorded, the other send is told the form was already sent."""
    provider = make_provider(bob)
    key = uuid.uuid4()

    def send() -> Any:
        return actions.record_quality_assessment(
            bob,
            Provider.objects.get(pk=provider.pk),
            assessed_on=dt.date.today(),
            score="4",
            form_key=key,
        )

    results = parallel_db(send, send)
    refused = [r for r in results if isinstance(r, Duplicate)]
    unexpected = [r for r in results if isinstance(r, BaseException) and not isinstance(r, Duplicate)]
    assert not unexpected, unexpected
    assert len(refused) == 1, results
    assert QualityAssessment.objects.filter(provider=provider).count() == 1
    assert AuditEntry.objects.filter(action="services.quality_assessment").count() == 1
