"""A sentence that can be said again in another language.

Most of what REMIS says is rendered for the request that reads it. A background job's
failure is not: the worker words it once, in the language of the job's owner, and the
sentence is stored and shown later, perhaps to the same person reading in Arabic, where an
English sentence laid out right to left came out as ".The column 1 appears twice in the
header (row 1". `said(msgid, params)` is the sentence in the active language (a `str`, so
it goes wherever a message goes: an error, a form, a log-free outcome) that also keeps its
msgid and parameters; `as_data` is their JSON form, and `said_again` words them in the
language active when it runs. Parameters are kept as words in the language they were
formed in (a question's label, a formatted number): only the sentence around them changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.translation import gettext


def _plain(value: Any) -> Any:
    return value if isinstance(value, int | float) and not isinstance(value, bool) else str(value)


class Said(str):
    msgid: str
    params: dict[str, Any]

    def __new__(cls, msgid: str, params: Mapping[str, Any] | None = None) -> Said:
        kept = {name: _plain(value) for name, value in (params or {}).items()}
        text = gettext(msgid) % kept if kept else gettext(msgid)
        made = super().__new__(cls, text)
        made.msgid, made.params = msgid, kept
        return made

    def as_data(self) -> dict[str, Any]:
        return {"msgid": self.msgid, "params": self.params}


def said(msgid: str, params: Mapping[str, Any] | None = None) -> Said:
    """`gettext(msgid) % params`, kept so that it can be said again (the msgid is a literal
    at the call, where the translations' check finds it)."""
    return Said(msgid, params)


def as_data(messages: Iterable[str]) -> list[dict[str, Any]] | None:
    """The JSON form of sentences to say again, None if any of them cannot be (a sentence
    built otherwise is shown as it was written)."""
    kept = list(messages)
    if not kept or not all(isinstance(m, Said) for m in kept):
        return None
    return [m.as_data() for m in kept if isinstance(m, Said)]


def said_again(data: Any) -> str | None:
    """The sentences of `as_data` in the active language; None when `data` is not theirs
    or a translation no longer takes the stored parameters."""
    if not isinstance(data, list) or not data:
        return None
    parts = []
    for item in data:
        if not isinstance(item, dict) or not isinstance(item.get("msgid"), str):
            return None
        params = item.get("params") or {}
        try:
            parts.append(gettext(item["msgid"]) % params if params else gettext(item["msgid"]))
        except (KeyError, TypeError, ValueError):
            return None
    return " ".join(parts)
