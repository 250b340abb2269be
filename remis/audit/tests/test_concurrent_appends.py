"""Writers recording at the same moment, each on its own connection, never fork the chain
nor lose an entry."""

from __future__ import annotations

from remis.audit.chain import verify_chain
from remis.audit.models import AuditEntry
from remis.audit.sealing import readable_changes
from remis.cases import actions
from remis.cases.models import Case
from remis.cases.tests.factories import register

WRITERS = 8
NOTES_EACH = 5


def test_parallel_writers_keep_one_chain_and_every_entry(parallel_db, world, alice):
    case = register(world)
    before = AuditEntry.objects.count()

    def write_notes(writer: int) -> int:
        mine = Case.objects.get(pk=case.pk)
        for n in range(NOTES_EACH):
            actions.add_note(alice, mine, f"writer {writer} note {n}")
        return writer

    results = parallel_db(*[lambda w=w: write_notes(w) for w in range(WRITERS)])

    assert results == list(range(WRITERS))
    notes = AuditEntry.objects.filter(action="case.note")
    bodies = {readable_changes(entry)["body"][1] for entry in notes}
    assert bodies == {f"writer {w} note {n}" for w in range(WRITERS) for n in range(NOTES_EACH)}
    assert AuditEntry.objects.count() == before + WRITERS * NOTES_EACH
    report = verify_chain()
    assert report.ok, report.problem
    assert report.verified == AuditEntry.objects.count()
