"""A backup restored into an empty database holds every record, document and audit entry,
the audit chain verifies, and an erasure made after the backup is made again by the
restore (the erasure ledger), so nobody erased comes back. On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from remis.audit.backup import BackupError, read_manifest, restore
from remis.audit.models import AuditEntry
from remis.cases import actions
from remis.cases.actions.validation import MemberData
from remis.cases.models import Person
from remis.cases.tests.factories import erase, make_person, register
from remis.jobs.tests.worker_process import ROOT, database_url, manage, process_env

PDF = b"%PDF-1.4 synthetic test file"
CHECK = """
import json
from remis.cases.models import CaseDocument, Person
from remis.audit.models import AuditEntry
child = Person.objects.get(uuid="{child}")
principal = Person.objects.get(uuid="{principal}")
print(json.dumps({{
    "child": child.given_name, "child_erased": child.erased_at is not None,
    "child_erased_at": child.erased_at.isoformat() if child.erased_at else None,
    "principal": principal.given_name, "documents": CaseDocument.objects.count(),
    "audit": AuditEntry.objects.count(),
    "replayed": AuditEntry.objects.filter(action="person.erase_replayed").count(),
}}))
"""


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(manage(*args), cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return done


@pytest.fixture
def empty_database(tmp_path):
    """A DATABASE_URL of a new, empty database on the test's engine; dropped afterwards."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    name = f"{connection.settings_dict['NAME']}_restored"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield database_url(connection).rsplit("/", 1)[0] + f"/{name}"
    connection.close()
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_restored_backup_has_everything_and_erasures_made_since_stay_made(
    parallel_db, world, tmp_path, settings, empty_database
):
    principal = make_person(given_name="Aïssatou", family_name="Baldé")
    child = MemberData(person=make_person(given_name="Mamadou", family_name="Baldé"), relation="child")
    case = register(world, person=principal, members=[child])
    actions.add_note(world.alice, case, "Met the family at the office.")
    actions.upload_document(world.alice, case, title="Passport copy", upload=SimpleUploadedFile("p.pdf", PDF))
    mamadou = Person.objects.get(given_name="Mamadou")
    ledger = str(tmp_path / "ledger.jsonl")
    settings.REMIS_ERASURE_LEDGER = ledger
    live = process_env(connection, REMIS_MEDIA_ROOT=str(settings.MEDIA_ROOT), REMIS_ERASURE_LEDGER=ledger)

    _run(live, "backup", "--to", str(tmp_path / "backups"))
    (folder,) = (tmp_path / "backups").iterdir()
    manifest = read_manifest(folder)
    # Readable by REMIS's own account only (they were 0644 under the usual umask).
    assert folder.stat().st_mode & 0o777 == 0o700
    assert {p.stat().st_mode & 0o777 for p in folder.iterdir()} == {0o600}
    assert manifest["documents"] == 1 and manifest["tables"]["audit_auditentry"] == AuditEntry.objects.count()

    erase(world, case, mamadou, "data_subject_request")  # after the backup: in the ledger only
    assert Path(ledger).read_text().count("\n") == 1

    restored = process_env(
        connection, REMIS_MEDIA_ROOT=str(tmp_path / "restored-media"), REMIS_ERASURE_LEDGER=ledger
    )
    restored["DATABASE_URL"] = empty_database
    done = _run(restored, "restore", str(folder))
    assert "1 erasure(s) made since the backup made again" in done.stdout
    assert "hash chain verifies" in done.stdout
    _run(restored, "verify_audit")
    found = json.loads(
        _run(restored, "shell", "-c", CHECK.format(child=mamadou.uuid, principal=case.principal.uuid))
        .stdout.strip()
        .splitlines()[-1]  # the shell may say what it imported first
    )
    assert found["child_erased"] and found["child"] != "Mamadou"  # erased again
    # On the day it was erased, not the day of the restore.
    erased_at = Person.objects.get(pk=mamadou.pk).erased_at
    assert erased_at is not None
    assert abs(dt.datetime.fromisoformat(found["child_erased_at"]) - erased_at) < dt.timedelta(seconds=1)
    assert found["principal"] == "Aïssatou" and found["documents"] == 1
    assert found["audit"] == manifest["tables"]["audit_auditentry"] + 1 and found["replayed"] == 1
    assert [p.read_bytes() for p in (tmp_path / "restored-media").rglob("*") if p.is_file()] == [PDF]


def test_a_restore_refuses_a_database_with_data_and_a_damaged_backup(parallel_db, world, tmp_path, settings):
    register(world)
    live = process_env(connection, REMIS_MEDIA_ROOT=str(settings.MEDIA_ROOT))
    _run(live, "backup", "--to", str(tmp_path))
    (folder,) = tmp_path.iterdir()
    with pytest.raises(BackupError, match="not empty"):
        restore(folder)
    database = next(p for p in folder.iterdir() if p.name.startswith("database"))
    with database.open("ab") as damaged:
        damaged.write(b"\0")
    with pytest.raises(BackupError, match="damaged"):
        read_manifest(folder)


def test_a_restore_without_the_erasure_ledger_is_refused_unless_said(
    parallel_db, world, tmp_path, settings, empty_database
):
    """On a new server with the ledger forgotten, the restore said "0 erasure(s) made
    again" and everyone erased since the backup was back."""
    case = register(world)
    live = process_env(connection, REMIS_MEDIA_ROOT=str(settings.MEDIA_ROOT))
    _run(live, "backup", "--to", str(tmp_path / "before"))
    settings.REMIS_ERASURE_LEDGER = str(tmp_path / "ledger.jsonl")
    erase(world, case, case.principal, "data_subject_request")
    _run(live, "backup", "--to", str(tmp_path / "after"))
    (before,), (after,) = (tmp_path / "before").iterdir(), (tmp_path / "after").iterdir()
    restored = process_env(
        connection,
        REMIS_MEDIA_ROOT=str(tmp_path / "restored-media"),
        REMIS_ERASURE_LEDGER=str(tmp_path / "nowhere" / "ledger.jsonl"),
    )
    restored["DATABASE_URL"] = empty_database

    def refused(*args: str) -> str:
        done = subprocess.run(
            manage("restore", *args), cwd=ROOT, env=restored, capture_output=True, text=True, timeout=300
        )
        assert done.returncode != 0, done.stdout
        return done.stderr

    said = refused(str(after))
    assert "nowhere/ledger.jsonl does not exist" in said and "--without-ledger" in said
    if connection.vendor == "sqlite":  # the backup itself says someone was erased
        assert "This backup records erasures" in refused("--without-ledger", str(after))
    done = _run(restored, "restore", "--without-ledger", str(before))
    assert "0 erasure(s) made since the backup made again" in done.stdout


@pytest.mark.skipif(connection.vendor != "sqlite", reason="a PostgreSQL dump is not read before its restore")
def test_a_backup_whose_people_a_retention_run_erased_counts_as_recording_erasures(
    parallel_db, world, tmp_path, settings
):
    """A retention run erases people without a request: a backup holding them passed for
    "nobody was ever erased", and `--without-ledger` brought back those erased after it."""
    from django.utils import timezone

    from remis.audit.backup import _erasures_in_sqlite_backup

    case = register(world)
    live = process_env(connection, REMIS_MEDIA_ROOT=str(settings.MEDIA_ROOT))
    _run(live, "backup", "--to", str(tmp_path / "clean"))
    Person.objects.filter(pk=case.principal_id).update(erased_at=timezone.now(), given_name="—")
    _run(live, "backup", "--to", str(tmp_path / "retained"))
    (clean,), (retained,) = (tmp_path / "clean").iterdir(), (tmp_path / "retained").iterdir()
    assert not _erasures_in_sqlite_backup(clean, read_manifest(clean))
    assert _erasures_in_sqlite_backup(retained, read_manifest(retained))
