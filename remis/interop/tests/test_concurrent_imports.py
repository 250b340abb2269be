"""Import pages clicked at the same moment, each on its own connection, on SQLite and
PostgreSQL.

- "Run again" on one finished import clicked twice at once (two tabs, each with a mode): one
  new run starts, in the winner's mode; the other click is told the import was started
  again. One new job, one audit entry for the run.
- Two people keep a mapping under the same new name at once (each confirming the mapping of
  their own file from the same source): one row of that name. Either the second is told it
  was saved meanwhile, or it replaces the first's: the stored mapping is the last writer's,
  and the audit entries tell that story in order.
- Two people replace the same saved mapping at once: a saved mapping is replaced by name,
  not edited from a read (it takes no version), so both saves stand, one after the other;
  neither is lost from the log (the second entry's "before" is the first's "after") and the
  version moves once per save.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from remis.audit.models import AuditEntry
from remis.cases.tests.factories import make_user
from remis.cases.tests.import_files import case_row, cases_csv
from remis.interop import actions
from remis.interop.models import ColumnMapping, ImportMode, RecordImport
from remis.interop.queries import import_for
from remis.jobs.models import Job, JobStatus
from remis.lib.errors import Conflict
from remis.lib.tests.races import one_won

NAME = "Government return database"
MAPPINGS = (
    {"Numéro": "external_id", "Nom": "family_name", "Prénom": "given_name"},
    {"Numéro": "external_id", "Nom": "given_name", "Prénom": "family_name"},
)


@pytest.fixture
def paula(world: Any) -> Any:
    return make_user("paula", world.be_office, "programme_manager", ["BE"])


@pytest.fixture
def pierre(world: Any) -> Any:
    return make_user("pierre", world.be_office, "programme_manager", ["BE"])


def _finished_import(paula: Any, world: Any) -> RecordImport:
    """A file checked, its run over: the page offers "Run again"."""
    upload = SimpleUploadedFile("cases.csv", cases_csv([case_row()]).getvalue())
    kept = actions.upload_records(paula, world.be_office, entity_code="cases", upload=upload, mode="check")
    assert kept.job_id is not None
    Job.objects.filter(pk=kept.job_id).update(status=JobStatus.SUCCEEDED)
    return kept


def _keep(actor: Any, world: Any, mapping: dict[str, str]) -> ColumnMapping:
    """Keep `mapping` under NAME for the Belgian office, as confirming a file's mapping does."""
    return actions.save_mapping(actor, world.be_office, entity_code="cases", name=NAME, mapping=mapping)


def _items(mapping: dict[str, str]) -> list[tuple[str, str]]:
    """A mapping to compare whatever order its keys were stored in (PostgreSQL's JSON sorts them)."""
    return sorted(mapping.items())


def _logged(action: str, obj: Any) -> list[dict[str, Any]]:
    entries = AuditEntry.objects.filter(action=action, object_id=str(obj.pk)).order_by("id")
    return list(entries.values_list("changes", flat=True))


def test_run_again_clicked_twice_at_once_starts_one_run(parallel_db, world, paula):
    kept = _finished_import(paula, world)
    first_run = kept.job_id
    modes = [ImportMode.VALID_ROWS, ImportMode.ALL_OR_NOTHING]
    # Both requests read the import before either started the run (the worst interleaving).
    pages = [import_for(paula, kept.uuid) for _ in modes]
    results = parallel_db(
        *[
            lambda page=page, mode=mode: actions.run_again(paula, page, mode)
            for page, mode in zip(pages, modes, strict=True)
        ]
    )
    winner = one_won(results)
    stored = RecordImport.objects.get(pk=kept.pk)
    assert stored.job_id not in (None, first_run) and stored.job_id == results[winner].job_id
    assert stored.mode == modes[winner]
    assert list(Job.objects.filter(kind=actions.IMPORT_JOB).order_by("pk").values_list("pk", flat=True)) == [
        first_run,
        stored.job_id,
    ]
    assert _logged("interop.run_again", kept) == [{"run": [None, "again"], "mode": ["check", modes[winner]]}]
    assert AuditEntry.objects.filter(action="job.start").count() == 2  # the upload's run and this one


def test_two_people_keeping_a_mapping_under_one_new_name_keep_one(parallel_db, world, paula, pierre):
    results = parallel_db(
        lambda: _keep(paula, world, MAPPINGS[0]),
        lambda: _keep(pierre, world, MAPPINGS[1]),
    )
    # On PostgreSQL the second insert can meet the first's at the unique name: told to save again.
    assert all(isinstance(r, ColumnMapping | Conflict) for r in results), results
    saved = [n for n, r in enumerate(results) if isinstance(r, ColumnMapping)]
    assert saved, results
    (stored,) = ColumnMapping.objects.filter(organisation=world.be_office, entity="cases", name=NAME)
    created = _logged("interop.mapping_create", stored)
    updated = _logged("interop.mapping_update", stored)
    assert len(created) == 1 and len(updated) == len(saved) - 1
    first = created[0]["mapping"][1]
    story = [first] + [u["mapping"][1] for u in updated]
    assert [u["mapping"][0] for u in updated] == story[:-1]  # each replaced what was stored
    assert sorted(map(_items, story)) == sorted(_items(MAPPINGS[n]) for n in saved)
    assert (stored.mapping, stored.version) == (story[-1], len(saved))


def test_two_people_replacing_a_saved_mapping_at_once_both_stand_in_order(parallel_db, world, paula, pierre):
    original = {"Numéro": "external_id"}
    saved = _keep(paula, world, original)
    results = parallel_db(
        lambda: _keep(paula, world, MAPPINGS[0]),
        lambda: _keep(pierre, world, MAPPINGS[1]),
    )
    assert all(isinstance(r, ColumnMapping) for r in results), results
    stored = ColumnMapping.objects.get(pk=saved.pk)
    assert ColumnMapping.objects.filter(name=NAME).count() == 1
    updated = _logged("interop.mapping_update", stored)
    assert len(updated) == 2
    (before_first, first), (before_second, second) = (u["mapping"] for u in updated)
    assert (before_first, before_second) == (original, first)  # the second saw the first's
    assert sorted(map(_items, (first, second))) == sorted(map(_items, MAPPINGS))
    assert (stored.mapping, stored.version) == (second, saved.version + 2)
