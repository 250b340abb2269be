"""Every action the code records has a label people read, in their language: the codes are
found in the source (each `record(...)` / `record_many(...)` call's action), so a new
action without a label fails here rather than showing "person.erase_refuse" in a history."""

from __future__ import annotations

import re
from pathlib import Path

from remis.audit.labels import ACTION_LABELS

ROOT = Path(__file__).resolve().parents[2]
CALL = re.compile(r'record(?:_many)?\(\s*[^,()]+(?:\([^()]*\))?,\s*"([a-z_]+\.[a-z_]+)"')
CHOSEN = re.compile(r'"([a-z_]+\.[a-z_]+)" if [^\n]+ else "([a-z_]+\.[a-z_]+)"')  # one of two codes


def _recorded() -> set[str]:
    codes: set[str] = set()
    for path in ROOT.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        text = path.read_text()
        codes.update(CALL.findall(text))
        for pair in CHOSEN.findall(text):
            codes.update(pair)
    return codes


def test_every_recorded_action_has_a_label() -> None:
    recorded = _recorded()
    assert len(recorded) > 100  # the scan finds the calls
    object_types = {"cases.reception", "cases.returntravel"}  # chosen the same way, not actions
    assert sorted(recorded - set(ACTION_LABELS) - object_types) == []
