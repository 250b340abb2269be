"""The erasure ledger: one line per erasure, appended once it is committed, in a file kept
apart from the database (`REMIS_ERASURE_LEDGER`, by default `var/erasure-ledger.jsonl`).

A backup taken before an erasure still holds the person's data. Restoring it must not bring
them back: `manage.py restore` replays the ledger's lines written after the backup was
taken (`replay`), running the erasers again (they are idempotent). A line holds what the
erasers need and no personal data: the person's record type and id, and the cases' UUIDs.
Keep the ledger on storage that survives what a restore recovers from (not only beside the
database), and back it up more often than the database.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from remis.audit.erasure import ErasureRequest


def ledger_path() -> Path:
    return Path(settings.REMIS_ERASURE_LEDGER)


def note_erasure(request: ErasureRequest) -> None:
    """Append the erasure to the ledger when the transaction erasing commits (a rolled-back
    erasure is not in it)."""
    transaction.on_commit(lambda: _append(request))


def _append(request: ErasureRequest) -> None:
    line = json.dumps(
        {
            "at": timezone.now().isoformat(),
            "person_type": request.person_type,
            "person_id": request.person_id,
            "case_uuids": [str(u) for u in request.case_uuids],
            "whole_case_uuids": [str(u) for u in request.whole_case_uuids],
        }
    )
    path = ledger_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as ledger:
        ledger.write(line + "\n")
        ledger.flush()
        os.fsync(ledger.fileno())  # written to disk before the erasure is reported done


def entries(path: Path | None = None) -> Iterator[tuple[dt.datetime, ErasureRequest]]:
    source = path or ledger_path()
    if not source.exists():
        return
    with source.open(encoding="utf-8") as ledger:
        for number, text in enumerate(ledger, start=1):
            if not text.strip():
                continue
            try:
                row: dict[str, Any] = json.loads(text)
                yield (
                    dt.datetime.fromisoformat(row["at"]),
                    ErasureRequest(
                        person_id=int(row["person_id"]),
                        person_type=str(row["person_type"]),
                        case_uuids=tuple(uuid.UUID(u) for u in row["case_uuids"]),
                        whole_case_uuids=tuple(uuid.UUID(u) for u in row["whole_case_uuids"]),
                    ),
                )
            except (ValueError, KeyError, TypeError) as error:
                raise ValueError(f"{source}: line {number} is not a ledger entry ({error})") from None
