"""Backups and restores of everything REMIS keeps: the database (SQLite's online backup,
or PostgreSQL's pg_dump in the custom format) and the uploaded documents (a tar of
MEDIA_ROOT), with a manifest of row counts per table and checksums.

`restore` goes into an empty database only (it never merges into live data), checks the
files against their checksums first, compares the restored row counts with the manifest's,
replays the erasure ledger written since the backup was taken (`ledger.py`: nobody erased
comes back) and verifies the audit log's hash chain. For documents in object storage
rather than on the filesystem, turn on the bucket's versioning instead (docs/operations).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sqlite3
import subprocess
import tarfile
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.dump"
MEDIA_FILE = "media.tar.gz"
FORMAT = 1
# A ledger line written this long before the backup's start is replayed too: the erasers
# are idempotent, and an erasure committing while the backup starts is then never missed.
REPLAY_MARGIN = dt.timedelta(minutes=1)


class BackupError(Exception):
    """What stops a backup or a restore, said for the operator."""


@dataclass
class RestoreReport:
    tables: int = 0
    rows: int = 0
    documents: int = 0
    replayed: int = 0
    chain_ok: bool = False
    problems: list[str] = field(default_factory=list)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _pg_env() -> dict[str, str]:
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    for key, name in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"), ("PGPASSWORD", "PASSWORD")):
        if db.get(name):
            env[key] = str(db[name])
    return env


def _pg_tool(command: list[str]) -> None:
    """Run pg_dump or pg_restore (from PATH, with the connection's settings)."""
    done = subprocess.run(command, env=_pg_env(), capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()}")


def _pg_name() -> str:
    return str(connection.settings_dict["NAME"])


def _counts_sqlite(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as db:
        tables = [
            row[0]
            for row in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                "ORDER BY name"
            )
        ]
        return {t: db.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}  # noqa: S608


def _counts_connection(cursor: Any) -> dict[str, int]:
    tables = sorted(connection.introspection.table_names(cursor))
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
        counts[table] = cursor.fetchone()[0]
    return counts


def backup(destination: Path) -> Path:
    """Write a backup folder under `destination`; returns its path."""
    started = timezone.now()
    folder = destination / f"remis-backup-{started:%Y%m%dT%H%M%S%fZ}"
    folder.mkdir(parents=True)
    # Every personal record is in it: readable by REMIS's own account only, whatever the
    # umask (under the usual 022 the files were readable by every local account).
    folder.chmod(0o700)
    files: list[str] = []
    if connection.vendor == "sqlite":
        target = folder / SQLITE_FILE
        source = sqlite3.connect(str(connection.settings_dict["NAME"]))
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)  # a consistent snapshot, taken while others read and write
        finally:
            copy.close()
            source.close()
        counts = _counts_sqlite(target)
        files.append(SQLITE_FILE)
    elif connection.vendor == "postgresql":
        counts = _pg_dump(folder / PG_FILE)
        files.append(PG_FILE)
    else:  # pragma: no cover - REMIS runs on these two
        raise BackupError(f"No backup for the {connection.vendor} engine.")
    media = Path(settings.MEDIA_ROOT)
    documents = 0
    if media.is_dir():
        with tarfile.open(folder / MEDIA_FILE, "w:gz") as archive:
            for path in sorted(media.rglob("*")):
                if path.is_file():
                    archive.add(path, arcname=str(path.relative_to(media)))
                    documents += 1
        files.append(MEDIA_FILE)
    manifest = {
        "format": FORMAT,
        "created_at": started.isoformat(),
        "engine": connection.vendor,
        "tables": counts,
        "documents": documents,
        "files": {name: _sha256(folder / name) for name in files},
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True), encoding="utf-8")
    for name in [*files, MANIFEST]:
        (folder / name).chmod(0o600)
    return folder


def _pg_dump(target: Path) -> dict[str, int]:
    """pg_dump of a snapshot the row counts are read from too, so that they agree."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        counts = _counts_connection(cursor)
        command = ["pg_dump", "--format=custom", "--no-owner", f"--snapshot={snapshot}", f"--file={target}"]
        _pg_tool([*command, _pg_name()])
    return counts


def read_manifest(folder: Path) -> dict[str, Any]:
    try:
        manifest: dict[str, Any] = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise BackupError(f"{folder} holds no readable {MANIFEST} ({error}).") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{folder}: backup format {manifest.get('format')!r} is not {FORMAT}.")
    for name, expected in manifest["files"].items():
        path = folder / name
        if not path.exists() or _sha256(path) != expected:
            raise BackupError(f"{path} is missing or damaged (its checksum differs from the manifest's).")
    return manifest


def _database_is_empty() -> bool:
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        if connection.vendor == "sqlite":
            return not any(_counts_connection(cursor).values())
    return not tables


def restore(folder: Path, *, without_ledger: bool = False) -> RestoreReport:
    """Restore the backup in `folder` into this (empty) database and MEDIA_ROOT. Refused
    when the erasure ledger is missing, unless `without_ledger` says nobody was erased."""
    manifest = read_manifest(folder)
    if manifest["engine"] != connection.vendor:
        raise BackupError(f"This backup is of a {manifest['engine']} database, not {connection.vendor}.")
    if not _database_is_empty():
        raise BackupError(
            "The database is not empty: restore into a new, empty database (its data would be replaced)."
        )
    media = Path(settings.MEDIA_ROOT)
    if media.is_dir() and any(media.iterdir()):
        raise BackupError(f"{media} is not empty: restore the documents into an empty folder.")
    from remis.audit.ledger import ledger_path

    if without_ledger and _erasures_in_sqlite_backup(folder, manifest):
        # "Nobody was ever erased" is the flag's condition, and the backup itself says
        # otherwise: after it, the ledger is the only record of the later ones.
        raise BackupError(
            "This backup records erasures: people were erased on that server, and those erased "
            "after the backup are only in its erasure ledger. Restore with the ledger."
        )
    if not without_ledger and not ledger_path().exists():
        # On a new server the ledger is the file most easily forgotten: the restore said
        # "0 erasure(s) made again" and the people erased since the backup were back.
        raise BackupError(
            f"The erasure ledger {ledger_path()} does not exist: the people erased since this "
            "backup would come back. Copy the ledger from the old server and point "
            "REMIS_ERASURE_LEDGER to it, or, if nobody was ever erased there, restore with "
            "--without-ledger."
        )
    if connection.vendor == "sqlite":
        _restore_sqlite(folder / SQLITE_FILE)
    else:
        _restore_pg(folder / PG_FILE)
    report = RestoreReport()
    if MEDIA_FILE in manifest["files"]:
        media.mkdir(parents=True, exist_ok=True)
        with tarfile.open(folder / MEDIA_FILE, "r:gz") as archive:
            archive.extractall(media, filter="data")  # no absolute paths, links out or devices
        report.documents = sum(1 for p in media.rglob("*") if p.is_file())
    with connection.cursor() as cursor:
        counts = _counts_connection(cursor)
    report.tables, report.rows = len(counts), sum(counts.values())
    for table, expected in manifest["tables"].items():
        if counts.get(table) != expected:
            report.problems.append(f"{table}: {counts.get(table)} rows restored, {expected} in the backup")
    if report.documents != manifest.get("documents", 0):
        report.problems.append(
            f"{report.documents} documents restored, {manifest['documents']} in the backup"
        )
    report.replayed = replay_ledger(dt.datetime.fromisoformat(manifest["created_at"]))
    from remis.audit.chain import verify_chain

    chain = verify_chain()
    report.chain_ok = chain.ok
    if not chain.ok:
        report.problems.append(f"the audit chain does not verify: {chain.problem}")
    return report


def _erasures_in_sqlite_backup(folder: Path, manifest: dict[str, Any]) -> bool:
    """Whether a SQLite backup holds an erasure carried out — a request carried out, or a
    person erased or a case anonymised by a retention run, which leave no request (read
    from the file, before anything is restored). A PostgreSQL dump is not read: its restore
    trusts the flag."""
    if manifest["engine"] != "sqlite":
        return False
    with closing(sqlite3.connect(f"file:{folder / SQLITE_FILE}?mode=ro", uri=True)) as backup_db:
        try:
            (done,) = backup_db.execute(
                "SELECT (SELECT COUNT(*) FROM cases_erasure WHERE status = 'done')"
                " + (SELECT COUNT(*) FROM cases_person WHERE erased_at IS NOT NULL)"
                " + (SELECT COUNT(*) FROM cases_case WHERE anonymised_at IS NOT NULL)"
            ).fetchone()
        except sqlite3.OperationalError:  # a backup older than erasures
            return False
    return bool(done)


def _restore_sqlite(source: Path) -> None:
    target = Path(str(connection.settings_dict["NAME"]))
    connection.close()
    for suffix in ("-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    backup_db = sqlite3.connect(source)
    restored = sqlite3.connect(target)
    try:
        backup_db.backup(restored)
    finally:
        restored.close()
        backup_db.close()


def _restore_pg(source: Path) -> None:
    connection.close()
    command = ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", f"--dbname={_pg_name()}"]
    _pg_tool([*command, str(source)])


def replay_ledger(since: dt.datetime) -> int:
    """Erase again everyone the ledger says was erased after `since` (less a margin): the
    erasers are idempotent. Each replay is audited as the system's. Returns how many."""
    from remis.accounts.system import system_actor
    from remis.audit.actions import record
    from remis.audit.erasure import run_erasers
    from remis.audit.ledger import entries

    replayed = 0
    for at, request in entries():
        if at < since - REPLAY_MARGIN:
            continue
        model = apps.get_model(request.person_type)
        with transaction.atomic():
            run_erasers(request, ledger=False)
            if any(f.name == "erased_at" for f in model._meta.get_fields()):
                # When it was erased, not when it was replayed (a subject access file then
                # gave the restore's time as the day the person's data was erased).
                model.objects.filter(pk=request.person_id).update(erased_at=at)
            record(
                system_actor(),
                "person.erase_replayed",
                model(pk=request.person_id),
                changes={"erased_at": [None, at.isoformat()]},
            )
        replayed += 1
    return replayed
