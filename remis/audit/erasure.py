"""The legal erasure path: what erasing a person means in each app.

Erasing a person (the right to erasure, or a retention rule) must reach every place their
personal data lives: their record, free text written about their case, uploaded files,
search indexes, later apps' answers and notes, and the audit log. No app knows the others'
tables, so each registers an *eraser* from its `AppConfig.ready()`; the erasure action runs
them all inside its one transaction and audits the run. A later app (assistance,
monitoring) registers its eraser when it lands, and erasure covers it from then on.

The audit log's own eraser destroys the subjects' keys (`remis.audit.sealing.shred`): every
personal value ever logged about them becomes unreadable, while the log keeps who changed
which field when, and `verify_audit` stays green.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class ErasureRequest:
    """Whose data to erase. `whole_case_uuids`: the cases whose free text goes too
    (those of which the person is the principal applicant); their household members'
    own records stay unless they are erased themselves."""

    person_id: int
    person_type: str  # "cases.person"
    case_uuids: tuple[uuid.UUID, ...]
    whole_case_uuids: tuple[uuid.UUID, ...]


Eraser = Callable[[ErasureRequest], int]  # returns how many items it erased
_erasers: dict[str, Eraser] = {}


def register_eraser(name: str, eraser: Eraser) -> None:
    _erasers[name] = eraser


def registered_erasers() -> dict[str, Eraser]:
    return dict(_erasers)


def run_erasers(request: ErasureRequest, *, ledger: bool = True) -> dict[str, int]:
    """Every registered eraser, in registration order; the caller holds the transaction.
    The erasure goes to the erasure ledger once committed (`ledger.py`), so that restoring
    an earlier backup erases the person again; a replay from the ledger passes False."""
    counts = {name: eraser(request) for name, eraser in _erasers.items()}
    if ledger:
        from remis.audit.ledger import note_erasure

        note_erasure(request)
    return counts


def _shred_log_keys(request: ErasureRequest) -> int:
    from remis.audit.sealing import case_subject, person_subject, shred

    subjects = [person_subject(request.person_type, request.person_id)]
    subjects += [case_subject(u) for u in request.whole_case_uuids]
    return shred(subjects)


register_eraser("audit.sealed_values", _shred_log_keys)
